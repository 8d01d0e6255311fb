//! The authorizer: an API Gateway authorizer event in, a policy or simple response out.

use std::fmt;
use std::sync::Arc;

use aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerPolicy, ApiGatewayCustomAuthorizerRequest,
    ApiGatewayCustomAuthorizerRequestTypeRequest, ApiGatewayCustomAuthorizerResponse,
    ApiGatewayV2CustomAuthorizerIamPolicyResponse, ApiGatewayV2CustomAuthorizerSimpleResponse,
    ApiGatewayV2CustomAuthorizerV2Request,
};
use aws_lambda_events::http::{HeaderMap, HeaderName, header};
use aws_lambda_events::iam::{IamPolicyEffect, IamPolicyStatement};
use cognito_core::token::{self, Found};
use cognito_core::{Claims, ErrorClass, ErrorKind, Verifier};
use serde::Serialize;
use serde_json::Value;

use crate::arn::MethodArn;
use crate::context::context;
use crate::error::AuthorizerError;
use crate::rules::{Grants, RuleSet};

/// The IAM policy language version API Gateway documents for authorizer policies.
const POLICY_VERSION: &str = "2012-10-17";

/// The action of every statement: calling the API.
const INVOKE: &str = "execute-api:Invoke";

/// A Lambda authorizer for API Gateway: verifies the caller's Cognito token with a
/// [`Verifier`] and answers with what the [`RuleSet`] grants this user.
///
/// - REST API `TOKEN` and `REQUEST` authorizers (and HTTP API payload 1.0) get an IAM policy
///   ([`rest_token`](Self::rest_token), [`rest_request`](Self::rest_request)).
/// - HTTP API payload 2.0 authorizers get an IAM policy by default, or a simple response
///   ([`simple_responses`](Self::simple_responses)) ([`http_api`](Self::http_api)).
/// - [`handle`](Self::handle) takes any of these events as JSON and picks the answer.
///
/// API Gateway caches an authorizer's answer by token and applies it to *every* route the
/// token then calls. So the policy lists every route of the rules this user may call (and
/// denies the ones a wider `Allow` would let through), never just the route asked: a cached
/// policy grants a route exactly when the rules grant it.
///
/// | outcome | answer | API Gateway |
/// |---|---|---|
/// | no token, malformed, forged, expired, wrong pool, client or token use | `Err`, displays `Unauthorized` | 401 |
/// | valid token, the rules refuse the route | a policy that does not allow it / `isAuthorized: false` | 403 |
/// | keys cannot be fetched | `Err`, logged at `error` | 500 |
/// | not an authorizer event, unreadable `methodArn` | `Err`, logged at `error` | 500 |
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cognito_core::test_util::LocalIssuer;
/// use cognito_core::{Require, Verifier};
/// use cognito_lambda::{Authorizer, Rules};
/// use serde_json::json;
///
/// let issuer = LocalIssuer::start()?;
/// let rules = Rules::new()
///     .route("DELETE /orders/*", Require::group("admin"))
///     .allow("GET /orders/*")
///     .build()?;
/// let authorizer = Authorizer::new(Verifier::from(issuer.user_pool()), rules);
///
/// let token = issuer.id_token().username("bob").groups(["staff"]).sign();
/// let event = json!({
///     "type": "TOKEN",
///     "authorizationToken": format!("Bearer {token}"),
///     "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/DELETE/orders/7",
/// });
/// let answer = authorizer.handle(event).await?;
/// // Bob is no admin: the policy allows reading orders only, so API Gateway answers 403
/// // to this DELETE, and to any later DELETE served from its cache.
/// assert_eq!(answer["policyDocument"]["Statement"][0]["Effect"], "Allow");
/// assert_eq!(
///     answer["policyDocument"]["Statement"][0]["Resource"],
///     json!(["arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders/*"])
/// );
/// assert_eq!(answer["context"]["username"], "bob");
///
/// let expired = issuer.id_token().expired().sign();
/// let event = json!({
///     "type": "TOKEN",
///     "authorizationToken": expired,
///     "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders/7",
/// });
/// assert_eq!(authorizer.handle(event).await.unwrap_err().to_string(), "Unauthorized");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Authorizer {
    verifier: Verifier,
    rules: Arc<RuleSet>,
    header: HeaderName,
    http_api: HttpApiAnswer,
}

/// How API Gateway caches the simple responses of an HTTP API authorizer, which say yes or no
/// for one route and carry no list of routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SimpleResponseCache {
    /// The authorizer's identity sources include `$context.routeKey`, so each answer is cached
    /// for its route only. Checked on every event: one whose identity sources lack the route
    /// key is refused with an error (500) instead of an answer other routes could reuse.
    PerRoute,
    /// Caching is disabled (`AuthorizerResultTtlInSeconds: 0`); nothing is checked, the
    /// deployment must keep it so.
    Disabled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HttpApiAnswer {
    Policy,
    Simple(SimpleResponseCache),
}

/// The answer to an HTTP API (payload 2.0) authorizer event: serializes as API Gateway reads
/// it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum HttpApiResponse {
    /// `{"isAuthorized": …, "context": {…}}`
    Simple(ApiGatewayV2CustomAuthorizerSimpleResponse),
    /// `{"principalId": …, "policyDocument": {…}, "context": {…}}`
    Policy(ApiGatewayV2CustomAuthorizerIamPolicyResponse),
}

impl Authorizer {
    /// An authorizer verifying tokens with `verifier` and granting routes by `rules`. It reads
    /// the token of `REQUEST` and HTTP API events from the `Authorization` header and answers
    /// HTTP API events with IAM policies.
    #[must_use]
    pub fn new(verifier: impl Into<Verifier>, rules: RuleSet) -> Self {
        Authorizer {
            verifier: verifier.into(),
            rules: Arc::new(rules),
            header: header::AUTHORIZATION,
            http_api: HttpApiAnswer::Policy,
        }
    }

    /// Reads the token of `REQUEST` and HTTP API events from this header instead of
    /// `Authorization` (as `Bearer <token>` or the bare token). `TOKEN` events always carry it
    /// in `authorizationToken`.
    ///
    /// ```
    /// use cognito_core::{TokenUse, UserPool, Verifier};
    /// use cognito_lambda::{Authorizer, HeaderName, Rules};
    ///
    /// let pool = UserPool::new("eu-west-1_AbCdEf123")?
    ///     .client_id("4h5j6k7l8m9n0p1q2r3s4t5u6v")?
    ///     .token_use(TokenUse::Id);
    /// let authorizer = Authorizer::new(Verifier::from(pool), Rules::new().build()?)
    ///     .token_header(HeaderName::from_static("x-id-token"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn token_header(mut self, name: HeaderName) -> Self {
        self.header = name;
        self
    }

    /// Answers HTTP API payload 2.0 events with simple responses (`isAuthorized`) instead of
    /// IAM policies. A simple response says yes or no for the route asked, so it is safe only
    /// when API Gateway does not reuse it for other routes: say how with `cache`.
    ///
    /// ```
    /// use cognito_core::{TokenUse, UserPool, Verifier};
    /// use cognito_lambda::{Authorizer, Rules, SimpleResponseCache};
    ///
    /// let pool = UserPool::new("eu-west-1_AbCdEf123")?
    ///     .client_id("4h5j6k7l8m9n0p1q2r3s4t5u6v")?
    ///     .token_use(TokenUse::Access);
    /// let authorizer = Authorizer::new(Verifier::from(pool), Rules::new().build()?)
    ///     .simple_responses(SimpleResponseCache::PerRoute);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn simple_responses(mut self, cache: SimpleResponseCache) -> Self {
        self.http_api = HttpApiAnswer::Simple(cache);
        self
    }

    /// The verifier, e.g. to [`hydrate`](Verifier::hydrate) its keys at start-up.
    #[must_use]
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Answers any authorizer event given as JSON: payload 2.0 (`"version": "2.0"`) as
    /// [`http_api`](Self::http_api), `"type": "TOKEN"` as [`rest_token`](Self::rest_token),
    /// `"type": "REQUEST"` (REST, or HTTP API payload 1.0) as
    /// [`rest_request`](Self::rest_request).
    ///
    /// # Errors
    /// See [`AuthorizerError`]; an event of none of these shapes is
    /// [`MalformedEvent`](crate::AuthorizerErrorKind::MalformedEvent).
    pub async fn handle(&self, event: Value) -> Result<Value, AuthorizerError> {
        let version = event.get("version").and_then(Value::as_str);
        let kind = event.get("type").and_then(Value::as_str);
        let answer = match (version, kind) {
            (Some("2.0"), _) => {
                let event = parse::<ApiGatewayV2CustomAuthorizerV2Request>(event)?;
                serde_json::to_value(self.http_api(&event).await?)
            }
            (_, Some("TOKEN")) => {
                let event = parse::<ApiGatewayCustomAuthorizerRequest>(event)?;
                serde_json::to_value(self.rest_token(&event).await?)
            }
            (_, Some("REQUEST")) => {
                let event = parse::<ApiGatewayCustomAuthorizerRequestTypeRequest>(event)?;
                serde_json::to_value(self.rest_request(&event).await?)
            }
            _ => {
                return Err(malformed(
                    "neither a TOKEN, a REQUEST nor a payload 2.0 event",
                ));
            }
        };
        answer.map_err(|_| {
            tracing::error!("authorizer answer could not be serialized");
            AuthorizerError::misconfigured("the answer could not be serialized", None)
        })
    }

    /// Answers a REST API `TOKEN` authorizer event (the token in `authorizationToken`, as
    /// `Bearer <token>` or bare) with the IAM policy of every route the user may call.
    ///
    /// # Errors
    /// See [`AuthorizerError`].
    pub async fn rest_token(
        &self,
        event: &ApiGatewayCustomAuthorizerRequest,
    ) -> Result<ApiGatewayCustomAuthorizerResponse, AuthorizerError> {
        let arn = method_arn(event.method_arn.as_deref())?;
        let found = match event.authorization_token.as_deref() {
            Some(value) => read_token([value.as_bytes()]),
            None => Found::Missing,
        };
        let claims = self.verify(found).await?;
        Ok(self.rest_answer(&arn, &claims))
    }

    /// Answers a REST API `REQUEST` authorizer event (or an HTTP API payload 1.0 one), the
    /// token read from the configured header, with the IAM policy of every route the user may
    /// call.
    ///
    /// # Errors
    /// See [`AuthorizerError`].
    pub async fn rest_request(
        &self,
        event: &ApiGatewayCustomAuthorizerRequestTypeRequest,
    ) -> Result<ApiGatewayCustomAuthorizerResponse, AuthorizerError> {
        let arn = method_arn(event.method_arn.as_deref())?;
        let claims = self.verify(self.header_token(&event.headers)).await?;
        Ok(self.rest_answer(&arn, &claims))
    }

    /// Answers an HTTP API payload 2.0 authorizer event, the token read from the configured
    /// header: by default with the IAM policy of every route the user may call (routes read
    /// from `routeArn`), or after [`simple_responses`](Self::simple_responses) with
    /// `isAuthorized` for the route of `routeKey` (`"GET /orders/{id}"`; a key of no rule, such
    /// as `$default`, gets the rules' default).
    ///
    /// # Errors
    /// See [`AuthorizerError`].
    pub async fn http_api(
        &self,
        event: &ApiGatewayV2CustomAuthorizerV2Request,
    ) -> Result<HttpApiResponse, AuthorizerError> {
        match self.http_api {
            HttpApiAnswer::Policy => {
                let arn = method_arn(event.route_arn.as_deref())?;
                let claims = self.verify(self.header_token(&event.headers)).await?;
                let (principal, document, context) = self.policy(&arn, &claims);
                let mut answer = ApiGatewayV2CustomAuthorizerIamPolicyResponse::default();
                answer.principal_id = Some(principal);
                answer.policy_document = document;
                answer.context = context;
                Ok(HttpApiResponse::Policy(answer))
            }
            HttpApiAnswer::Simple(cache) => {
                let route_key = event.route_key.as_deref().unwrap_or_default();
                if cache == SimpleResponseCache::PerRoute {
                    let keyed = event
                        .identity_source
                        .iter()
                        .flatten()
                        .any(|source| source == route_key);
                    if route_key.is_empty() || !keyed {
                        tracing::error!(
                            route_key,
                            "simple responses need $context.routeKey among the identity sources"
                        );
                        return Err(AuthorizerError::misconfigured(
                            "simple responses cached without $context.routeKey in the identity sources",
                            None,
                        ));
                    }
                }
                let claims = self.verify(self.header_token(&event.headers)).await?;
                let tail = route_key_tail(route_key);
                let granted = self.rules.grants(&claims, tail.as_deref());
                tracing::debug!(route_key, granted, "HTTP API simple response");
                let mut answer = ApiGatewayV2CustomAuthorizerSimpleResponse::default();
                answer.is_authorized = granted;
                answer.context = context(&claims);
                Ok(HttpApiResponse::Simple(answer))
            }
        }
    }

    fn header_token<'a>(&self, headers: &'a HeaderMap) -> Found<'a> {
        read_token(headers.get_all(&self.header).iter().map(|v| v.as_bytes()))
    }

    async fn verify(&self, found: Found<'_>) -> Result<Claims, AuthorizerError> {
        let token = match found {
            Found::Token(token) => token,
            Found::Missing => {
                tracing::debug!("authorizer event without a token");
                return Err(AuthorizerError::unauthorized());
            }
            Found::Malformed => {
                tracing::debug!("authorizer event with a malformed credential");
                return Err(AuthorizerError::unauthorized());
            }
        };
        self.verifier
            .verify(token)
            .await
            .map_err(|error| match error.class() {
                // A key id unknown to a key set fetched moments ago: the adapters ask the client
                // to retry, but API Gateway has no retry answer, and a 500 per made-up key id
                // would flood the error log. Refused as any unknown key is.
                ErrorClass::KeysUnavailable if *error.kind() == ErrorKind::KeyNotYetFetched => {
                    tracing::debug!(%error, "token refused");
                    AuthorizerError::rejected(error)
                }
                ErrorClass::KeysUnavailable => {
                    tracing::error!(%error, "token not verified: the signing keys are unavailable");
                    AuthorizerError::keys_unavailable(error)
                }
                ErrorClass::Misconfigured => {
                    tracing::error!(%error, "token not verified: the verifier is misconfigured");
                    AuthorizerError::misconfigured("the verifier is misconfigured", Some(error))
                }
                _ => {
                    tracing::debug!(%error, "token refused");
                    AuthorizerError::rejected(error)
                }
            })
    }

    fn rest_answer(
        &self,
        arn: &MethodArn<'_>,
        claims: &Claims,
    ) -> ApiGatewayCustomAuthorizerResponse {
        let (principal, document, context) = self.policy(arn, claims);
        let mut answer = ApiGatewayCustomAuthorizerResponse::default();
        answer.principal_id = Some(principal);
        answer.policy_document = document;
        answer.context = context;
        answer
    }

    fn policy(
        &self,
        arn: &MethodArn<'_>,
        claims: &Claims,
    ) -> (String, ApiGatewayCustomAuthorizerPolicy, Value) {
        tracing::debug!(
            route = arn.tail,
            granted = self.rules.grants(claims, Some(arn.tail)),
            "policy for the routes of the rules"
        );
        let document = policy_document(arn.prefix, &self.rules.policy_for(claims));
        (claims.sub().to_owned(), document, context(claims))
    }
}

/// A policy allowing and denying the route tails of `grants` under `prefix`; a user granted
/// nothing gets a `Deny` of every route, so the document is never empty.
pub(crate) fn policy_document(
    prefix: &str,
    grants: &Grants<'_>,
) -> ApiGatewayCustomAuthorizerPolicy {
    let statement = |effect: IamPolicyEffect, tails: &[&str]| {
        let mut statement = IamPolicyStatement::default();
        statement.action = vec![INVOKE.to_owned()];
        statement.effect = effect;
        statement.resource = tails.iter().map(|tail| format!("{prefix}{tail}")).collect();
        statement
    };
    let mut document = ApiGatewayCustomAuthorizerPolicy::default();
    document.version = Some(POLICY_VERSION.to_owned());
    if !grants.allow.is_empty() {
        document
            .statement
            .push(statement(IamPolicyEffect::Allow, &grants.allow));
    }
    if !grants.deny.is_empty() || grants.allow.is_empty() {
        let deny: &[&str] = if grants.allow.is_empty() {
            &["*"]
        } else {
            &grants.deny
        };
        document
            .statement
            .push(statement(IamPolicyEffect::Deny, deny));
    }
    document
}

/// `Bearer <token>` as the verifier's adapters read it, or a bare token (API Gateway accepts
/// both in an identity source).
fn read_token<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> Found<'a> {
    let mut values = values.into_iter();
    match (values.next(), values.next()) {
        (None, _) => Found::Missing,
        (Some(_), Some(_)) => Found::Malformed,
        (Some(value), None) => match token::bearer([value]) {
            Found::Missing => token::header_value([value]),
            found => found,
        },
    }
}

fn method_arn(arn: Option<&str>) -> Result<MethodArn<'_>, AuthorizerError> {
    arn.and_then(MethodArn::parse)
        .ok_or_else(|| malformed("missing or unreadable methodArn / routeArn"))
}

/// `GET /orders/{id}` as the ARN tail `GET/orders/{id}`; `None` for `$default` and other keys
/// that name no method and path.
fn route_key_tail(route_key: &str) -> Option<String> {
    let (method, path) = route_key.split_once(' ')?;
    // `ANY /orders` stays `ANY/orders`: one cached answer serves every method of that route,
    // so only rules for every method (`* /orders`) decide it.
    let valid = !method.is_empty()
        && method.bytes().all(|b| b.is_ascii_uppercase())
        && path.starts_with('/')
        && path.bytes().all(|b| b.is_ascii_graphic());
    valid.then(|| format!("{method}{path}"))
}

fn parse<T: serde::de::DeserializeOwned>(event: Value) -> Result<T, AuthorizerError> {
    serde_json::from_value(event).map_err(|_| malformed("fields of the wrong type"))
}

fn malformed(detail: &'static str) -> AuthorizerError {
    tracing::error!(detail, "malformed authorizer event");
    AuthorizerError::malformed(detail)
}

impl fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorizer")
            .field("verifier", &self.verifier)
            .field("rules", &self.rules)
            .field("header", &self.header)
            .field("http_api", &self.http_api)
            .finish()
    }
}
