//! Every row of the status table, each token source, optional auth, route rules, gRPC and
//! gRPC-web, custom renderers, and response futures polled after completion, through the layers
//! on an echo service.

use std::convert::Infallible;
use std::pin::{Pin, pin};
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

use cognito_core::test_util::{JwksBehaviour, LocalIssuer};
use cognito_core::{Authentication, Require, TokenUse, UserPool, Verifier};
use cognito_tower::{AuthBody, CognitoAuth, Rejections, TokenSource, require};
use http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, COOKIE, RETRY_AFTER, WWW_AUTHENTICATE,
};
use http::{HeaderName, Request, Response, StatusCode};
use http_body_util::BodyExt;
use tower::util::BoxCloneService;
use tower::{Service, ServiceBuilder, ServiceExt, service_fn};

static ISSUER: LazyLock<LocalIssuer> = LazyLock::new(|| LocalIssuer::start().unwrap());

type Body =
    http_body_util::combinators::BoxBody<bytes::Bytes, Box<dyn std::error::Error + Send + Sync>>;
type Echo = BoxCloneService<Request<String>, Response<Body>, Infallible>;

/// Answers with who the request is, as the auth layer left it in the extensions.
async fn whoami(req: Request<String>) -> Result<Response<String>, Infallible> {
    let body = match req.extensions().get::<Authentication>() {
        Some(Authentication::Verified(claims)) => {
            format!("user:{}", claims.username().unwrap_or_default())
        }
        Some(Authentication::Anonymous) => "anonymous".to_owned(),
        None => "no auth layer".to_owned(),
    };
    Ok(Response::new(body))
}

fn boxed<B>(response: Response<B>) -> Response<Body>
where
    B: http_body::Body<Data = bytes::Bytes> + Send + Sync + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    response.map(|body| body.map_err(Into::into).boxed())
}

fn app(layer: CognitoAuth) -> Echo {
    BoxCloneService::new(
        ServiceBuilder::new()
            .map_response(boxed::<AuthBody<String>>)
            .layer(layer)
            .service(service_fn(whoami)),
    )
}

fn guarded(layer: CognitoAuth, rule: Require) -> Echo {
    BoxCloneService::new(
        ServiceBuilder::new()
            .map_response(boxed::<AuthBody<AuthBody<String>>>)
            .layer(layer)
            .layer(require(rule))
            .service(service_fn(whoami)),
    )
}

fn auth() -> CognitoAuth {
    CognitoAuth::new(ISSUER.user_pool())
}

fn bearer(token: &str) -> Request<String> {
    Request::get("/")
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(String::new())
        .unwrap()
}

fn anonymous() -> Request<String> {
    Request::get("/").body(String::new()).unwrap()
}

struct Answer {
    status: StatusCode,
    challenge: Option<String>,
    headers: http::HeaderMap,
    body: String,
}

async fn send(service: &Echo, req: Request<String>) -> Answer {
    let response = service.clone().oneshot(req).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Answer {
        status: parts.status,
        challenge: parts
            .headers
            .get(WWW_AUTHENTICATE)
            .map(|v| v.to_str().unwrap().to_owned()),
        headers: parts.headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

// ---- the status table -------------------------------------------------------------------------------

#[tokio::test]
async fn valid_token_reaches_the_service_with_its_claims() {
    let token = ISSUER.id_token().username("alice").sign();
    let answer = send(&app(auth()), bearer(&token)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "user:alice");
}

#[tokio::test]
async fn missing_token_is_401_with_bare_bearer_challenge() {
    let answer = send(&app(auth()), anonymous()).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge.as_deref(), Some("Bearer realm=\"api\""));
    assert_eq!(answer.body, "no bearer token");
}

#[tokio::test]
async fn other_auth_scheme_counts_as_no_token() {
    let req = Request::get("/")
        .header(AUTHORIZATION, "Basic dXNlcjpwdw==")
        .body(String::new())
        .unwrap();
    let answer = send(&app(auth()), req).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge.as_deref(), Some("Bearer realm=\"api\""));
}

async fn assert_invalid_token(token: &str, description: &str) {
    let answer = send(&app(auth()), bearer(token)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{description}");
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            format!(
                "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"{description}\""
            )
            .as_str()
        )
    );
}

#[tokio::test]
async fn malformed_token_is_401_with_invalid_token_challenge() {
    assert_invalid_token("not-a-jwt", "the token is malformed").await;
}

#[tokio::test]
async fn malformed_bearer_credentials_are_400_invalid_request() {
    const INVALID_REQUEST: &str = "Bearer realm=\"api\", error=\"invalid_request\", \
         error_description=\"the request's credentials are malformed\"";
    for value in [
        "Bearer  two-spaces",
        "Bearer\ttab",
        "Bearer",
        "Bearer a.b.c ",
    ] {
        let req = Request::get("/")
            .header(AUTHORIZATION, value)
            .body(String::new())
            .unwrap();
        let answer = send(&app(auth().optional()), req).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{value:?}");
        assert_eq!(
            answer.challenge.as_deref(),
            Some(INVALID_REQUEST),
            "{value:?}"
        );
    }
}

#[tokio::test]
async fn bad_signature_is_401_with_invalid_token_challenge() {
    let token = ISSUER
        .id_token()
        .other_key()
        .header("kid", ISSUER.active_kid())
        .sign();
    assert_invalid_token(&token, "the token signature is invalid").await;
}

#[tokio::test]
async fn expired_token_is_401_with_invalid_token_challenge() {
    assert_invalid_token(&ISSUER.id_token().expired().sign(), "the token has expired").await;
}

#[tokio::test]
async fn wrong_issuer_is_401_with_invalid_token_challenge() {
    let token = ISSUER.id_token().wrong_issuer().sign();
    assert_invalid_token(&token, "the token issuer is not accepted").await;
}

#[tokio::test]
async fn wrong_client_is_401_with_invalid_token_challenge() {
    let token = ISSUER.id_token().client_id("otherclient").sign();
    assert_invalid_token(&token, "the token was issued to another client").await;
}

#[tokio::test]
async fn wrong_token_use_is_401_with_invalid_token_challenge() {
    let layer = CognitoAuth::new(ISSUER.user_pool().token_use(TokenUse::Access));
    let answer = send(&app(layer), bearer(&ISSUER.id_token().sign())).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(
        answer
            .challenge
            .unwrap()
            .contains("error_description=\"the token use is not accepted here\"")
    );
}

#[tokio::test]
async fn unmet_group_is_403_with_insufficient_scope_challenge() {
    let token = ISSUER.id_token().groups(["staff"]).sign();
    let answer = send(&guarded(auth(), Require::group("admin")), bearer(&token)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"requires group admin\""
        )
    );
}

#[tokio::test]
async fn unmet_scope_is_403_naming_the_scope() {
    let token = ISSUER.access_token().scopes(["profile"]).sign();
    let rule = Require::any_scope(["reports/read", "reports/admin"]);
    let answer = send(&guarded(auth(), rule), bearer(&token)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let challenge = answer.challenge.unwrap();
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(
        challenge.ends_with(", scope=\"reports/read reports/admin\""),
        "{challenge}"
    );
}

#[tokio::test]
async fn unavailable_keys_are_503_with_retry_after_and_no_challenge() {
    let issuer = LocalIssuer::start().unwrap();
    issuer.set_jwks_behaviour(JwksBehaviour::Status(500));
    let answer = send(
        &app(CognitoAuth::new(issuer.user_pool())),
        bearer(&issuer.id_token().sign()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.challenge, None);
    assert_eq!(answer.headers[RETRY_AFTER], "10");
}

#[tokio::test]
async fn realm_is_configurable() {
    let answer = send(&app(auth().realm("reports")), anonymous()).await;
    assert_eq!(
        answer.challenge.as_deref(),
        Some("Bearer realm=\"reports\"")
    );
}

// ---- token sources ---------------------------------------------------------------------------------

#[tokio::test]
async fn bearer_scheme_is_case_insensitive() {
    let token = ISSUER.id_token().username("carol").sign();
    let req = Request::get("/")
        .header(AUTHORIZATION, format!("bEaReR {token}"))
        .body(String::new())
        .unwrap();
    assert_eq!(send(&app(auth()), req).await.body, "user:carol");
}

#[tokio::test]
async fn cookie_source_reads_the_named_cookie() {
    let service = app(auth().token_source(TokenSource::cookie("id_token")));
    let token = ISSUER.id_token().username("dave").sign();
    let req = Request::get("/")
        .header(COOKIE, format!("theme=dark; id_token={token}"))
        .body(String::new())
        .unwrap();
    assert_eq!(send(&service, req).await.body, "user:dave");
    // A bearer header is not looked at when the source is a cookie.
    assert_eq!(
        send(&service, bearer(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn header_source_reads_the_bare_header_value() {
    let name = HeaderName::from_static("x-id-token");
    let service = app(auth().token_source(TokenSource::header(name.clone())));
    let token = ISSUER.id_token().username("erin").sign();
    let req = Request::get("/")
        .header(name, &token)
        .body(String::new())
        .unwrap();
    assert_eq!(send(&service, req).await.body, "user:erin");
}

#[tokio::test]
async fn custom_source_reads_a_query_parameter() {
    let source = TokenSource::custom(|_, uri| {
        uri.query()?
            .split('&')
            .find_map(|pair| pair.strip_prefix("access_token="))
            .map(str::to_owned)
    });
    let service = app(auth().token_source(source));
    let token = ISSUER.access_token().username("frank").sign();
    let req = Request::get(format!("/ws?access_token={token}"))
        .body(String::new())
        .unwrap();
    assert_eq!(send(&service, req).await.body, "user:frank");
    let without = Request::get("/ws").body(String::new()).unwrap();
    assert_eq!(
        send(&service, without).await.status,
        StatusCode::UNAUTHORIZED
    );
}

// ---- optional auth ----------------------------------------------------------------------------------

#[tokio::test]
async fn optional_auth_lets_anonymous_requests_through() {
    let answer = send(&app(auth().optional()), anonymous()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "anonymous");
}

#[tokio::test]
async fn optional_auth_still_refuses_a_bad_token() {
    let service = app(auth().optional());
    let answer = send(&service, bearer(&ISSUER.id_token().expired().sign())).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let token = ISSUER.id_token().username("gina").sign();
    assert_eq!(send(&service, bearer(&token)).await.body, "user:gina");
}

// ---- require -------------------------------------------------------------------------------------------

#[tokio::test]
async fn require_passes_members_and_refuses_others() {
    let service = guarded(auth(), Require::group("admin"));
    let admin = ISSUER.id_token().username("root").groups(["admin"]).sign();
    assert_eq!(send(&service, bearer(&admin)).await.body, "user:root");
    let user = ISSUER.id_token().groups(["staff"]).sign();
    assert_eq!(
        send(&service, bearer(&user)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn require_combines_groups_scopes_and_claims() {
    let rule = Require::group("admin")
        .or(Require::all_scopes(["reports/read", "reports/export"]))
        .and(Require::claim_equals("custom:tier", "gold"));
    let service = guarded(auth(), rule);
    let gold_reader = ISSUER
        .access_token()
        .scopes(["reports/read", "reports/export"])
        .custom("tier", "gold")
        .sign();
    assert_eq!(
        send(&service, bearer(&gold_reader)).await.status,
        StatusCode::OK
    );
    let silver_admin = ISSUER
        .access_token()
        .groups(["admin"])
        .custom("tier", "silver")
        .sign();
    let answer = send(&service, bearer(&silver_admin)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(
        answer
            .challenge
            .unwrap()
            .contains("claim custom:tier equal to 'gold'")
    );
    let half_reader = ISSUER
        .access_token()
        .scopes(["reports/read"])
        .custom("tier", "gold")
        .sign();
    let answer = send(&service, bearer(&half_reader)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(
        answer
            .challenge
            .unwrap()
            .contains("scope=\"reports/read reports/export\"")
    );
}

#[tokio::test]
async fn require_on_anonymous_request_is_401() {
    let service = guarded(auth().optional(), Require::group("admin"));
    let answer = send(&service, anonymous()).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge.as_deref(), Some("Bearer realm=\"api\""));
}

#[tokio::test]
async fn negated_claim_rule_cannot_be_dodged_by_a_payload_the_claim_map_cannot_hold() {
    let service = guarded(
        auth(),
        Require::claim_equals("custom:status", "disabled").not(),
    );
    let disabled = ISSUER.id_token().custom("status", "disabled");
    let payload = serde_json::Value::Object(disabled.claims()).to_string();
    let answer = send(&service, bearer(&disabled.sign())).await;
    assert_eq!(
        answer.status,
        StatusCode::FORBIDDEN,
        "the rule refuses the user"
    );
    // The same signed claims, with one member no claim map can hold: refused as malformed,
    // never admitted with claims that read as empty.
    for hidden in [
        r#""x":"\ud800""#,
        r#""x":"x\ud800\u0041""#,
        r#""x":1e400"#,
        r#""x":-1e400"#,
    ] {
        let payload = format!("{},{hidden}}}", payload.strip_suffix('}').unwrap());
        let token = ISSUER.sign_payload(payload.as_bytes());
        let answer = send(&service, bearer(&token)).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{hidden}");
        assert_eq!(
            answer.challenge.as_deref(),
            Some(
                "Bearer realm=\"api\", error=\"invalid_token\", \
                 error_description=\"the token is malformed\""
            ),
            "{hidden}"
        );
    }
}

#[tokio::test]
async fn require_without_auth_layer_is_a_500_naming_cognito_auth() {
    let service: Echo = BoxCloneService::new(
        ServiceBuilder::new()
            .map_response(boxed::<AuthBody<String>>)
            .layer(require(Require::group("admin")))
            .service(service_fn(whoami)),
    );
    // A valid token is sent, but nothing in front of the rule reads it.
    let answer = send(
        &service,
        bearer(&ISSUER.id_token().groups(["admin"]).sign()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.challenge, None);
    assert!(answer.body.contains("CognitoAuth"), "{}", answer.body);
}

#[tokio::test]
async fn asynchronous_verifier_check_refuses_through_the_layer_cache_hits_included() {
    let verifier = Verifier::builder()
        .pool(ISSUER.user_pool())
        .check_async(|claims| async move {
            match claims.username() {
                Some("mallory") => Err("the session was signed out"),
                _ => Ok(()),
            }
        })
        .build()
        .unwrap();
    let service = app(CognitoAuth::new(verifier));
    let alice = ISSUER.id_token().username("alice").sign();
    let mallory = ISSUER.id_token().username("mallory").sign();
    for _ in 0..2 {
        assert_eq!(send(&service, bearer(&alice)).await.status, StatusCode::OK);
        let answer = send(&service, bearer(&mallory)).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            answer.challenge.as_deref(),
            Some(
                "Bearer realm=\"api\", error=\"invalid_token\", \
                 error_description=\"the session was signed out\""
            )
        );
    }
}

#[tokio::test]
async fn layer_wide_require_applies_to_every_request() {
    let service = app(auth().require(Require::group("staff")));
    let answer = send(
        &service,
        bearer(&ISSUER.id_token().groups(["guests"]).sign()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"requires group staff\""
        )
    );
    assert_eq!(
        send(
            &service,
            bearer(&ISSUER.access_token().groups(["staff"]).sign())
        )
        .await
        .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn token_use_rule_refuses_the_other_token_use_with_401_invalid_token() {
    // The wrong kind of token, refused by a rule: the same 401 as a pool that takes one use only.
    let service = app(auth().require(Require::token_use(TokenUse::Access)));
    let answer = send(&service, bearer(&ISSUER.id_token().sign())).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"invalid_token\", \
             error_description=\"requires access token\""
        )
    );
    assert_eq!(
        send(&service, bearer(&ISSUER.access_token().sign()))
            .await
            .status,
        StatusCode::OK
    );
}

// ---- rendering ------------------------------------------------------------------------------------------

#[tokio::test]
async fn problem_json_renders_rfc9457_bodies_in_auth_and_require() {
    let service = guarded(auth().problem_json(), Require::group("admin"));
    let answer = send(&service, anonymous()).await;
    assert_eq!(answer.headers[CONTENT_TYPE], "application/problem+json");
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["status"], 401);
    let answer = send(&service, bearer(&ISSUER.id_token().sign())).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["error"], "insufficient_scope");
    assert_eq!(body["detail"], "requires group admin");
}

#[tokio::test]
async fn custom_renderer_shapes_every_refusal() {
    let rejections = Rejections::default().custom(|error, realm| {
        let mut response = cognito_tower::default_response(
            error,
            realm,
            cognito_core::rejection::BodyFormat::PlainText,
        );
        *response.body_mut() = format!("{{\"message\":\"{}\"}}", error.status()).into();
        response
    });
    let service = guarded(auth().rejections(rejections), Require::group("admin"));
    let answer = send(&service, anonymous()).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.body, "{\"message\":\"401\"}");
    let answer = send(&service, bearer(&ISSUER.id_token().sign())).await;
    assert_eq!(answer.body, "{\"message\":\"403\"}");
}

// ---- gRPC ---------------------------------------------------------------------------------------------------

fn grpc(token: Option<&str>) -> Request<String> {
    grpc_as("application/grpc", token)
}

fn grpc_as(content_type: &str, token: Option<&str>) -> Request<String> {
    let mut builder = Request::post("/pkg.Service/Method").header(CONTENT_TYPE, content_type);
    if let Some(token) = token {
        builder = builder.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(String::new()).unwrap()
}

async fn assert_grpc(service: &Echo, req: Request<String>, code: &str) {
    assert_grpc_answer(service, req, code, "application/grpc").await;
}

async fn assert_grpc_answer(service: &Echo, req: Request<String>, code: &str, content_type: &str) {
    let answer = send(service, req).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["grpc-status"], code);
    assert!(answer.headers.contains_key("grpc-message"));
    assert_eq!(answer.headers[CONTENT_TYPE], content_type);
    assert_eq!(answer.headers[CACHE_CONTROL], "no-store");
    assert!(answer.body.is_empty());
}

#[tokio::test]
async fn malformed_credentials_of_a_grpc_call_are_unauthenticated_16() {
    let service = guarded(auth().optional(), Require::group("admin"));
    // Two spaces after the scheme: `grpc(Some(..))` adds the one space itself.
    let token = format!(" {}", ISSUER.id_token().groups(["admin"]).sign());
    assert_grpc(&service, grpc(Some(&token)), "16").await;
    let answer = send(&service, grpc(Some(&token))).await;
    assert_eq!(
        answer.headers["grpc-message"],
        "the request's credentials are malformed"
    );
}

#[tokio::test]
async fn grpc_requests_are_refused_with_grpc_status() {
    let service = guarded(auth(), Require::group("admin"));
    assert_grpc(&service, grpc(None), "16").await;
    assert_grpc(
        &service,
        grpc(Some(&ISSUER.id_token().expired().sign())),
        "16",
    )
    .await;
    assert_grpc(&service, grpc(Some(&ISSUER.id_token().sign())), "7").await;
    let admin = ISSUER.id_token().groups(["admin"]).sign();
    let answer = send(&service, grpc(Some(&admin))).await;
    assert_eq!(answer.headers.get("grpc-status"), None);
    // The service's own answer is left as it is.
    assert_eq!(answer.headers.get(CACHE_CONTROL), None);

    let issuer = LocalIssuer::start().unwrap();
    issuer.set_jwks_behaviour(JwksBehaviour::Garbage);
    let down = app(CognitoAuth::new(issuer.user_pool()));
    assert_grpc(&down, grpc(Some(&issuer.id_token().sign())), "14").await;
}

#[tokio::test]
async fn grpc_web_requests_are_refused_with_their_own_content_type() {
    let service = guarded(auth(), Require::group("admin"));
    let user = ISSUER.id_token().sign();
    for (request, answer) in [
        ("application/grpc+proto", "application/grpc"),
        ("application/grpc-web", "application/grpc-web"),
        ("application/grpc-web+proto", "application/grpc-web"),
        ("application/grpc-web-text", "application/grpc-web-text"),
        (
            "application/grpc-web-text+proto",
            "application/grpc-web-text",
        ),
    ] {
        // Refused by the auth layer (no token) and by `require` (not in the group).
        assert_grpc_answer(&service, grpc_as(request, None), "16", answer).await;
        assert_grpc_answer(&service, grpc_as(request, Some(&user)), "7", answer).await;
    }
}

#[tokio::test]
async fn content_type_only_starting_like_grpc_gets_the_http_refusal() {
    let answer = send(&app(auth()), grpc_as("application/grpcx", None)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.headers.get("grpc-status"), None);
    assert_eq!(answer.headers[CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn every_http_refusal_is_no_store() {
    let service = guarded(auth(), Require::group("admin"));
    let missing = send(&service, anonymous()).await;
    let expired = send(&service, bearer(&ISSUER.id_token().expired().sign())).await;
    let forbidden = send(&service, bearer(&ISSUER.id_token().sign())).await;
    let json = send(&app(auth().problem_json()), anonymous()).await;
    let issuer = LocalIssuer::start().unwrap();
    issuer.set_jwks_behaviour(JwksBehaviour::Status(500));
    let unavailable = send(
        &app(CognitoAuth::new(issuer.user_pool())),
        bearer(&issuer.id_token().sign()),
    )
    .await;
    for (answer, status) in [
        (missing, StatusCode::UNAUTHORIZED),
        (expired, StatusCode::UNAUTHORIZED),
        (forbidden, StatusCode::FORBIDDEN),
        (json, StatusCode::UNAUTHORIZED),
        (unavailable, StatusCode::SERVICE_UNAVAILABLE),
    ] {
        assert_eq!(answer.status, status);
        assert_eq!(answer.headers[CACHE_CONTROL], "no-store", "{status}");
    }
    let admin = ISSUER.id_token().groups(["admin"]).sign();
    let admitted = send(&service, bearer(&admin)).await;
    assert_eq!(admitted.status, StatusCode::OK);
    assert_eq!(admitted.headers.get(CACHE_CONTROL), None);
}

// ---- response futures polled after completion -------------------------------------------------------

fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// Calls `service` with `req` (readiness first, as the contract asks), awaits the response
/// future, then polls it once more by hand: the answers to the completion and to the poll after.
async fn complete_then_poll_again<S, B>(
    mut service: S,
    req: Request<String>,
) -> (Response<B>, Response<B>)
where
    S: Service<Request<String>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
{
    std::future::poll_fn(|cx| service.poll_ready(cx))
        .await
        .unwrap();
    let mut future = pin!(service.call(req));
    let first = future.as_mut().await.unwrap();
    let Poll::Ready(again) = poll_once(future.as_mut()) else {
        panic!("a completed response future answered Pending");
    };
    (first, again.unwrap())
}

#[tokio::test]
async fn a_refusal_polled_again_after_completion_is_500_not_200() {
    let service = ServiceBuilder::new()
        .layer(auth())
        .service(service_fn(whoami));
    let (first, again) = complete_then_poll_again(service, anonymous()).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(again.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(again.headers().get(WWW_AUTHENTICATE), None);
}

#[tokio::test]
async fn a_grpc_refusal_polled_again_after_completion_is_500_not_200() {
    let service = ServiceBuilder::new()
        .layer(auth())
        .service(service_fn(whoami));
    let (first, again) = complete_then_poll_again(service, grpc(None)).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["grpc-status"], "16");
    assert_eq!(again.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn a_require_refusal_polled_again_after_completion_is_500_not_200() {
    // An anonymous request reaches `require`, which refuses it on its own.
    let service = ServiceBuilder::new()
        .map_request(|mut req: Request<String>| {
            req.extensions_mut().insert(Authentication::Anonymous);
            req
        })
        .layer(require(Require::group("admin")))
        .service(service_fn(whoami));
    let (first, again) = complete_then_poll_again(service, anonymous()).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(again.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn a_refusal_after_verification_polled_again_is_500_not_200() {
    // A fresh verifier: the token is verified while the future is pending (a key fetch).
    let service = ServiceBuilder::new()
        .layer(auth())
        .service(service_fn(whoami));
    let forged = ISSUER
        .id_token()
        .other_key()
        .header("kid", ISSUER.active_kid())
        .sign();
    let (first, again) = complete_then_poll_again(service, bearer(&forged)).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(again.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn an_admitted_request_polled_again_after_completion_is_500_not_200() {
    let token = ISSUER.id_token().groups(["admin"]).sign();
    let verified = ServiceBuilder::new()
        .layer(auth())
        .layer(require(Require::group("admin")))
        .service(service_fn(whoami));
    let (first, again) = complete_then_poll_again(verified, bearer(&token)).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(again.status(), StatusCode::INTERNAL_SERVER_ERROR);

    // The same token again, now from the verifier's cache: no verification step.
    let verifier = Verifier::from(ISSUER.user_pool());
    let service = ServiceBuilder::new()
        .layer(CognitoAuth::new(verifier.clone()))
        .service(service_fn(whoami));
    let _ = complete_then_poll_again(service.clone(), bearer(&token)).await;
    assert_eq!(verifier.cached_tokens(), 1);
    let (first, again) = complete_then_poll_again(service, bearer(&token)).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(again.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

// ---- sharing and readiness -----------------------------------------------------------------------------

#[tokio::test]
async fn a_shared_verifier_serves_several_layers_and_its_cache() {
    let verifier = Verifier::from(ISSUER.user_pool());
    let one = app(CognitoAuth::new(verifier.clone()));
    let two = app(CognitoAuth::new(verifier.clone()));
    let token = ISSUER.id_token().username("hank").sign();
    assert_eq!(send(&one, bearer(&token)).await.body, "user:hank");
    assert_eq!(verifier.cached_tokens(), 1);
    assert_eq!(send(&two, bearer(&token)).await.body, "user:hank");
    assert_eq!(verifier.cached_tokens(), 1);
}

#[tokio::test]
async fn pool_and_oidc_issuer_convert_into_the_layer() {
    let pool = UserPool::new("eu-west-1_AbCdEf123")
        .unwrap()
        .client_id("abc")
        .unwrap()
        .any_token_use();
    let layer = CognitoAuth::new(pool);
    assert!(
        layer
            .verifier()
            .issuers()
            .any(|i| i.ends_with("eu-west-1_AbCdEf123"))
    );
}

#[tokio::test]
async fn readiness_and_errors_of_the_inner_service_pass_through() {
    #[derive(Debug, PartialEq)]
    struct Boom;
    let failing = service_fn(|_req: Request<String>| async { Err::<Response<String>, _>(Boom) });
    let service = ServiceBuilder::new().layer(auth()).service(failing);
    let token = ISSUER.id_token().sign();
    // A refused request never reaches the inner service, so it cannot fail.
    let refused = service.clone().oneshot(anonymous()).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    // An admitted one gets the inner error, untouched.
    assert_eq!(service.oneshot(bearer(&token)).await.unwrap_err(), Boom);
}

#[cfg(feature = "identity-pool")]
#[tokio::test]
async fn an_eager_identity_pool_answer_polled_again_is_500_not_a_panic() {
    use cognito_core::identity_pool::IdentityPool;
    use cognito_tower::IdentityPoolLayer;
    use std::time::Duration;

    // An identity endpoint on a loopback port nobody listens on: the exchange fails fast.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let exchange = IdentityPool::new("eu-west-1:0a1b2c3d-1234-5678-9abc-def012345678")
        .unwrap()
        .endpoint(&endpoint)
        .unwrap()
        .timeouts(Duration::from_millis(200), Duration::from_millis(500))
        .build();
    // The identity layer alone, so that its own future is polled again: the request carries
    // what `CognitoAuth` would have stored.
    let service = ServiceBuilder::new()
        .layer(IdentityPoolLayer::new(exchange).eager())
        .service(service_fn(whoami));
    let token = ISSUER.id_token().sign();
    let claims = Verifier::from(ISSUER.user_pool())
        .verify(&token)
        .await
        .unwrap();
    let mut req = bearer(&token);
    req.extensions_mut()
        .insert(Authentication::Verified(claims));
    let (first, again) = complete_then_poll_again(service, req).await;
    assert_ne!(first.status(), StatusCode::OK);
    assert_eq!(again.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
