//! Temporary AWS credentials for verified users, from a Cognito identity pool (feature
//! `identity-pool`).
//!
//! The enhanced flow: `GetId` (the user's identity in the pool) then
//! `GetCredentialsForIdentity` (credentials under the pool's role for that identity), with the
//! `Logins` map keyed by the issuer of the verified ID token. Only tokens this crate verified are
//! ever sent: the exchange takes [`Claims`], which exist only for verified tokens.
//!
//! Identity ids are cached per (provider, subject): a user's identity is stable. Credentials
//! are cached per ID token (with its identity and role) until shortly before they expire:
//! which role Cognito grants depends on the claims of the token in `Logins` (role mapping by
//! `cognito:groups`, `cognito:preferred_role`, rules on any claim, or per app client), so a
//! user's new token is exchanged again rather than served credentials granted for an older one.
//! Concurrent requests carrying the same token share one call.
//!
//! ```no_run
//! use cognito_core::identity_pool::IdentityPool;
//!
//! let exchange = IdentityPool::new("eu-west-1:0a1b2c3d-1234-5678-9abc-def012345678")?
//!     .role(|claims| claims.in_group("admin").then(|| "arn:aws:iam::111122223333:role/admins".to_owned()))
//!     .build();
//! # let _ = exchange;
//! # Ok::<(), cognito_core::ConfigError>(())
//! ```

mod credentials;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_sdk_cognitoidentity::Client;
use aws_sdk_cognitoidentity::config::http::HttpResponse;
use aws_sdk_cognitoidentity::config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentity::error::{ProvideErrorMetadata, SdkError};
use moka::Expiry;
use moka::future::Cache;
use tokio::sync::OnceCell;

pub use credentials::AwsCredentials;

use crate::authentication::Authentication;
use crate::claims::Claims;
use crate::clock::Clock;
use crate::error::{ConfigError, Error, ErrorKind};
use crate::issuer::{TokenUse, validate_url};
use crate::verifier::Verifier;

/// Default time before expiry at which cached credentials are replaced.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// Default limit on connecting to the identity-pool endpoint.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Default limit on one identity-pool call.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// Default number of identities (and of credential sets) kept.
pub const DEFAULT_CACHE_CAPACITY: u64 = 10_000;

/// The two calls of the exchange, as they are named in logs.
const GET_ID: &str = "GetId";
const GET_CREDENTIALS: &str = "GetCredentialsForIdentity";

type RoleChooser = Arc<dyn Fn(&Claims) -> Option<String> + Send + Sync>;

/// An identity pool's settings. [`build`](IdentityPool::build) makes the
/// [`CredentialExchange`].
#[derive(Clone)]
#[must_use]
pub struct IdentityPool {
    pool_id: String,
    region: String,
    endpoint: Option<String>,
    role: Option<RoleChooser>,
    guest: bool,
    margin: Duration,
    connect_timeout: Duration,
    call_timeout: Duration,
    capacity: u64,
    clock: Clock,
}

impl IdentityPool {
    /// An identity pool by its id, `{region}:{uuid}`.
    ///
    /// # Errors
    /// `identity_pool_id` when the id is not `{region}:{uuid}`.
    pub fn new(pool_id: &str) -> Result<Self, ConfigError> {
        let bad = || {
            ConfigError::new(
                "identity_pool_id",
                "expected `{region}:{uuid}`, e.g. `eu-west-1:0a1b2c3d-1234-5678-9abc-def012345678`",
            )
        };
        let (region, uuid) = pool_id.split_once(':').ok_or_else(bad)?;
        let region_ok = !region.is_empty()
            && region.len() <= 32
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let uuid_ok = uuid.len() == 36
            && uuid.bytes().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => b == b'-',
                _ => b.is_ascii_hexdigit(),
            });
        if !region_ok || !uuid_ok || pool_id.len() > 55 {
            return Err(bad());
        }
        Ok(IdentityPool {
            pool_id: pool_id.to_owned(),
            region: region.to_owned(),
            endpoint: None,
            role: None,
            guest: false,
            margin: DEFAULT_REFRESH_MARGIN,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            call_timeout: DEFAULT_CALL_TIMEOUT,
            capacity: DEFAULT_CACHE_CAPACITY,
            clock: Clock::system(),
        })
    }

    /// Calls this endpoint instead of `https://cognito-identity.{region}.amazonaws.com`
    /// (emulators).
    ///
    /// # Errors
    /// `endpoint` when it is not an absolute https URL (http only on loopback hosts).
    pub fn endpoint(mut self, url: &str) -> Result<Self, ConfigError> {
        validate_url("endpoint", url, false)?;
        self.endpoint = Some(url.to_owned());
        Ok(self)
    }

    /// Chooses the role per user: the returned ARN is sent as `CustomRoleArn` (the identity
    /// pool must allow it, e.g. through token-based role mapping). `None` uses the pool's
    /// default role for the user.
    pub fn role(
        mut self,
        choose: impl Fn(&Claims) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.role = Some(Arc::new(choose));
        self
    }

    /// Hands anonymous requests the credentials of one shared unauthenticated (guest)
    /// identity. Off by default.
    pub fn guest_access(mut self) -> Self {
        self.guest = true;
        self
    }

    /// How long before expiry cached credentials are replaced. Default:
    /// [`DEFAULT_REFRESH_MARGIN`]. Never more than a quarter of the credentials' lifetime, so
    /// short-lived credentials are still reused.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Limits on connecting and on each call. Defaults: [`DEFAULT_CONNECT_TIMEOUT`],
    /// [`DEFAULT_CALL_TIMEOUT`].
    pub fn timeouts(mut self, connect: Duration, call: Duration) -> Self {
        self.connect_timeout = connect;
        self.call_timeout = call;
        self
    }

    /// Number of identities, and of credential sets (one per ID token), kept. Default:
    /// [`DEFAULT_CACHE_CAPACITY`].
    pub fn cache_capacity(mut self, entries: u64) -> Self {
        self.capacity = entries;
        self
    }

    /// The time source for credential expiry, for tests. Default: the system clock.
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = clock.into();
        self
    }

    /// The identity pool id.
    #[must_use]
    pub fn pool_id(&self) -> &str {
        &self.pool_id
    }

    /// Builds the exchange. Calls are unsigned (`GetId` and `GetCredentialsForIdentity` are
    /// public operations), without retries: a throttled or failed call answers 503 with
    /// `Retry-After` at once rather than holding the request.
    #[must_use]
    pub fn build(self) -> CredentialExchange {
        use aws_sdk_cognitoidentity::config::retry::RetryConfig;
        use aws_sdk_cognitoidentity::config::timeout::TimeoutConfig;
        let mut config = aws_sdk_cognitoidentity::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(self.region.clone()))
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(self.connect_timeout)
                    .operation_timeout(self.call_timeout)
                    .build(),
            );
        if let Some(endpoint) = &self.endpoint {
            config = config.endpoint_url(endpoint);
        }
        let client = Client::from_conf(config.build());
        let identities = Cache::builder().max_capacity(self.capacity).build();
        let credentials = Cache::builder()
            .max_capacity(self.capacity)
            .expire_after(BeforeExpiry {
                margin: self.margin,
                clock: self.clock.clone(),
            })
            .build();
        CredentialExchange {
            inner: Arc::new(Inner {
                pool_id: self.pool_id,
                client,
                role: self.role,
                guest: self.guest,
                clock: self.clock,
                identities,
                credentials,
            }),
        }
    }
}

impl fmt::Debug for IdentityPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityPool")
            .field("pool_id", &self.pool_id)
            .field("endpoint", &self.endpoint)
            .field("role", &self.role.is_some())
            .field("guest", &self.guest)
            .field("refresh_margin", &self.margin)
            .finish_non_exhaustive()
    }
}

/// The provider and subject an identity id is cached under; the guest identity has neither.
type IdentityKey = (Arc<str>, Arc<str>);
/// An identity, the role its credentials are for, and the ID token they were exchanged for
/// (`None` for the guest identity). The token is part of the key because Cognito chooses the
/// role from its claims: credentials granted for one token are not the answer for another.
type CredentialsKey = (Arc<str>, Option<Arc<str>>, Option<Arc<str>>);

/// Exchanges verified ID tokens for AWS credentials. Cheap to clone; clones share the caches.
#[derive(Clone)]
pub struct CredentialExchange {
    inner: Arc<Inner>,
}

struct Inner {
    pool_id: String,
    client: Client,
    role: Option<RoleChooser>,
    guest: bool,
    clock: Clock,
    identities: Cache<IdentityKey, Arc<str>>,
    credentials: Cache<CredentialsKey, AwsCredentials>,
}

/// Credentials leave the cache `margin` before they expire (at most a quarter of their life).
struct BeforeExpiry {
    margin: Duration,
    clock: Clock,
}

impl Expiry<CredentialsKey, AwsCredentials> for BeforeExpiry {
    fn expire_after_create(
        &self,
        _key: &CredentialsKey,
        value: &AwsCredentials,
        _created_at: Instant,
    ) -> Option<Duration> {
        let left = value
            .expiration()
            .duration_since(self.clock.now())
            .unwrap_or_default();
        Some(left.saturating_sub(self.margin.min(left / 4)))
    }
}

/// A failed call, in a form the single-flight caches can share between waiters.
#[derive(Debug, Clone, Copy)]
enum CallError {
    Refused,
    Unavailable,
    Misconfigured(&'static str),
}

impl From<CallError> for Error {
    fn from(error: CallError) -> Self {
        match error {
            CallError::Refused => ErrorKind::CredentialsRefused.into(),
            CallError::Unavailable => ErrorKind::CredentialsUnavailable.into(),
            CallError::Misconfigured(what) => Error::misconfigured(what),
        }
    }
}

impl CredentialExchange {
    /// The identity pool id.
    #[must_use]
    pub fn pool_id(&self) -> &str {
        &self.inner.pool_id
    }

    /// Whether anonymous requests get guest credentials.
    #[must_use]
    pub fn guest_access(&self) -> bool {
        self.inner.guest
    }

    /// Credentials for the user of a verified ID token.
    ///
    /// One exchange per token: the credentials are cached for this exact token (until shortly
    /// before they expire) and shared by all concurrent requests carrying it. Another token of
    /// the same user reuses the cached identity id but is exchanged again, since the identity
    /// pool may map its claims to another role, or refuse it.
    ///
    /// # Errors
    /// [`ErrorKind::IdTokenRequired`] for an access token (identity pools take ID tokens; see
    /// [`credentials_with_id_token`](CredentialExchange::credentials_with_id_token));
    /// [`ErrorKind::CredentialsRefused`] when the identity pool refuses the user (403);
    /// [`ErrorKind::CredentialsUnavailable`] when it is throttling, failing or unreachable
    /// (503); `Misconfigured` when the identity pool's own configuration is wrong (500).
    pub async fn credentials(&self, claims: &Claims) -> Result<AwsCredentials, Error> {
        if claims.token_use() == Some(TokenUse::Access) {
            return Err(ErrorKind::IdTokenRequired.into());
        }
        let provider: Arc<str> = Arc::from(claims.login_provider());
        let logins = Some((Arc::clone(&provider), Arc::<str>::from(claims.token_text())));
        let identity_key = (provider, Arc::from(claims.sub()));
        let role = self
            .inner
            .role
            .as_ref()
            .and_then(|choose| choose(claims))
            .map(Arc::from);
        self.fetch(identity_key, logins, role).await
    }

    /// Credentials for a request whose bearer is an access token, using the same user's ID
    /// token from elsewhere (a header or cookie), verified by the caller.
    ///
    /// The two tokens must name the same `sub` and come from the same user pool, compared by
    /// the pool's `Logins` provider rather than by `iss`: a pool that accepts both issuer forms
    /// ([`UserPool::accept_updated_issuer`](crate::UserPool::accept_updated_issuer)) may see a
    /// user's access token in one form and their ID token in the other.
    ///
    /// # Errors
    /// [`ErrorKind::IdTokenRequired`] when `id` is not an ID token of the same user pool and
    /// subject as `access`; otherwise as [`credentials`](CredentialExchange::credentials).
    pub async fn credentials_with_id_token(
        &self,
        access: &Claims,
        id: &Claims,
    ) -> Result<AwsCredentials, Error> {
        let same_user = id.token_use() == Some(TokenUse::Id)
            && id.login_provider() == access.login_provider()
            && id.sub() == access.sub();
        if !same_user {
            return Err(ErrorKind::IdTokenRequired.into());
        }
        self.credentials(id).await
    }

    /// Credentials of the pool's shared guest identity.
    ///
    /// # Errors
    /// [`ErrorKind::MissingToken`] when guest access is off; otherwise as
    /// [`credentials`](CredentialExchange::credentials).
    pub async fn guest_credentials(&self) -> Result<AwsCredentials, Error> {
        if !self.inner.guest {
            return Err(Error::missing_token());
        }
        let key: IdentityKey = (Arc::from(""), Arc::from(""));
        self.fetch(key, None, None).await
    }

    async fn fetch(
        &self,
        identity_key: IdentityKey,
        logins: Option<(Arc<str>, Arc<str>)>,
        role: Option<Arc<str>>,
    ) -> Result<AwsCredentials, Error> {
        let inner = &self.inner;
        let identity_id = inner
            .identities
            .try_get_with(identity_key.clone(), self.get_id(logins.clone()))
            .await
            .map_err(|e| Error::from(*e))?;
        let token = logins.as_ref().map(|(_, token)| Arc::clone(token));
        let key = (Arc::clone(&identity_id), role.clone(), token);
        let result = inner
            .credentials
            .try_get_with(key, self.get_credentials(identity_id, logins, role))
            .await
            .map_err(|e| *e);
        if let Err(CallError::Refused) = result {
            // The identity may have been deleted or unlinked: ask for it again next time.
            inner.identities.invalidate(&identity_key).await;
        }
        result.map_err(Error::from)
    }

    async fn get_id(&self, logins: Option<(Arc<str>, Arc<str>)>) -> Result<Arc<str>, CallError> {
        let mut call = self
            .inner
            .client
            .get_id()
            .identity_pool_id(&self.inner.pool_id);
        if let Some((provider, token)) = logins {
            call = call.logins(&*provider, &*token);
        }
        let output = call.send().await.map_err(|e| classify(GET_ID, e))?;
        tracing::info!(pool = %self.inner.pool_id, "identity-pool GetId");
        output
            .identity_id()
            .map(Arc::from)
            .ok_or_else(|| incomplete(GET_ID, "the answer has no identity id"))
    }

    async fn get_credentials(
        &self,
        identity_id: Arc<str>,
        logins: Option<(Arc<str>, Arc<str>)>,
        role: Option<Arc<str>>,
    ) -> Result<AwsCredentials, CallError> {
        let mut call = self
            .inner
            .client
            .get_credentials_for_identity()
            .identity_id(&*identity_id);
        if let Some((provider, token)) = logins {
            call = call.logins(&*provider, &*token);
        }
        if let Some(role) = &role {
            call = call.custom_role_arn(&**role);
        }
        let output = call
            .send()
            .await
            .map_err(|e| classify(GET_CREDENTIALS, e))?;
        tracing::info!(pool = %self.inner.pool_id, "identity-pool GetCredentialsForIdentity");
        let credentials = output
            .credentials()
            .ok_or_else(|| incomplete(GET_CREDENTIALS, "the answer has no credentials"))?;
        let expiration = credentials
            .expiration()
            .and_then(|at| SystemTime::try_from(*at).ok())
            .ok_or_else(|| incomplete(GET_CREDENTIALS, "the credentials have no usable expiry"))?;
        match (
            credentials.access_key_id(),
            credentials.secret_key(),
            credentials.session_token(),
        ) {
            (Some(key), Some(secret), Some(session)) => Ok(AwsCredentials::new(
                key.to_owned(),
                secret.to_owned(),
                session.to_owned(),
                expiration,
                identity_id,
            )),
            _ => Err(incomplete(
                GET_CREDENTIALS,
                "the credentials lack a key id, secret key or session token",
            )),
        }
    }

    /// Drops every cached identity and credential set.
    pub fn clear(&self) {
        self.inner.identities.invalidate_all();
        self.inner.credentials.invalidate_all();
    }

    /// The time source in use.
    #[must_use]
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }
}

/// The caller's AWS credentials, fetched on first use and then kept for the request.
///
/// Adapters build one per request (the Tower `IdentityPoolLayer`, the actix middleware) and
/// store it in the request extensions; their extractors call [`get`](CredentialsHandle::get).
#[derive(Clone)]
pub struct CredentialsHandle {
    exchange: CredentialExchange,
    authentication: Option<Authentication>,
    /// The second-source ID token (absent or malformed: `None`) and its verifier.
    id_token: Option<(Option<String>, Verifier)>,
    resolved: Arc<OnceCell<Result<AwsCredentials, Error>>>,
}

impl CredentialsHandle {
    /// A handle for one request: what the auth middleware concluded (`None` when it is
    /// missing), and, when the bearer may be an access token, the request's second-source ID
    /// token (`None` when absent or malformed) with the verifier that checks it.
    #[must_use]
    pub fn new(
        exchange: CredentialExchange,
        authentication: Option<Authentication>,
        id_token: Option<(Option<String>, Verifier)>,
    ) -> Self {
        CredentialsHandle {
            exchange,
            authentication,
            id_token,
            resolved: Arc::new(OnceCell::new()),
        }
    }

    /// The credentials: the user's, the shared guest identity's for an anonymous request (when
    /// the pool allows guests), or why there are none.
    ///
    /// # Errors
    /// 401 (`MissingToken`) for an anonymous request without guest access; 403
    /// (`IdTokenRequired`) when the bearer is an access token and no ID token of the same user
    /// came with it; 403 / 503 / 500 when the identity pool refuses, fails or is misconfigured.
    pub async fn get(&self) -> Result<AwsCredentials, Error> {
        let resolved = self.resolved.get_or_init(|| self.fetch()).await;
        match resolved {
            Ok(credentials) => Ok(credentials.clone()),
            Err(error) => Err(Error::from(error.kind().clone())),
        }
    }

    /// Whether this request is anonymous and the pool gives no guest credentials: the
    /// credentials are then absent rather than an error.
    #[must_use]
    pub fn is_absent(&self) -> bool {
        matches!(self.authentication, Some(Authentication::Anonymous))
            && !self.exchange.guest_access()
    }

    async fn fetch(&self) -> Result<AwsCredentials, Error> {
        match &self.authentication {
            None => Err(Error::misconfigured(
                "the identity-pool layer must be placed inside the CognitoAuth layer",
            )),
            Some(Authentication::Anonymous) => self.exchange.guest_credentials().await,
            Some(Authentication::Verified(claims)) => match claims.token_use() {
                Some(TokenUse::Access) => self.with_id_token(claims).await,
                _ => self.exchange.credentials(claims).await,
            },
        }
    }

    async fn with_id_token(&self, access: &Claims) -> Result<AwsCredentials, Error> {
        let Some((Some(token), verifier)) = &self.id_token else {
            return Err(ErrorKind::IdTokenRequired.into());
        };
        // A second token that does not verify is not the user's ID token.
        let id = verifier
            .verify(token)
            .await
            .map_err(|_| Error::from(ErrorKind::IdTokenRequired))?;
        self.exchange.credentials_with_id_token(access, &id).await
    }
}

impl fmt::Debug for CredentialsHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsHandle")
            .field("exchange", &self.exchange)
            .field("resolved", &self.resolved.initialized())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for CredentialExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialExchange")
            .field("pool_id", &self.inner.pool_id)
            .field("guest", &self.inner.guest)
            .finish_non_exhaustive()
    }
}

/// Cognito's refusals are 403s, its configuration errors 500s, everything else (throttling,
/// faults, timeouts, unreadable answers) 503s.
///
/// The WARN line says which call failed, Cognito's error code and the answer's HTTP status
/// when there are some, and a description fixed here by the kind of failure. It never carries
/// the SDK's error text or its sources: they quote the answer's body, which holds the secret key
/// and session token of a `GetCredentialsForIdentity` answer the SDK could not parse, and a
/// service message may quote the ID token of the request.
fn classify<E>(operation: &'static str, error: SdkError<E, HttpResponse>) -> CallError
where
    E: ProvideErrorMetadata,
{
    let code = match &error {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    };
    let class = match code {
        Some("NotAuthorizedException" | "ResourceConflictException") => CallError::Refused,
        Some("InvalidIdentityPoolConfigurationException") => CallError::Misconfigured(
            "the identity pool has no usable role for this identity (InvalidIdentityPoolConfiguration)",
        ),
        Some("ResourceNotFoundException") => {
            CallError::Misconfigured("the identity pool does not exist (ResourceNotFound)")
        }
        Some("InvalidParameterException") => {
            CallError::Misconfigured("the identity pool refused a parameter (InvalidParameter)")
        }
        _ => CallError::Unavailable,
    };
    let reason = match &error {
        SdkError::ConstructionFailure(_) => "the request could not be built",
        SdkError::TimeoutError(_) => "no answer within the call timeout",
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            "connecting to the identity pool timed out"
        }
        SdkError::DispatchFailure(_) => "the request could not be sent",
        SdkError::ResponseError(_) => "the answer is not a well-formed Cognito answer",
        SdkError::ServiceError(_) => "the identity pool answered an error",
        _ => "the call failed",
    };
    // The code is read from the answer's body too: only a plausible exception name is logged.
    let code = code.map(|code| {
        let plausible = code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric());
        if plausible { code } else { "unrecognized" }
    });
    let status = error.raw_response().map(|answer| answer.status().as_u16());
    tracing::warn!(
        operation,
        code,
        status,
        error = reason,
        "identity-pool call failed"
    );
    class
}

/// An answer that parsed but lacks what the exchange needs: 503, with a WARN line as fixed as
/// [`classify`]'s.
fn incomplete(operation: &'static str, reason: &'static str) -> CallError {
    tracing::warn!(operation, error = reason, "identity-pool call failed");
    CallError::Unavailable
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_pool_ids_are_validated() {
        assert!(IdentityPool::new("us-east-1:0a1b2c3d-1234-5678-9abc-def012345678").is_ok());
        for bad in [
            "",
            "us-east-1",
            "us-east-1:",
            "us-east-1:not-a-uuid",
            ":0a1b2c3d-1234-5678-9abc-def012345678",
            "us east:0a1b2c3d-1234-5678-9abc-def012345678",
            "us-east-1:0a1b2c3d-1234-5678-9abc-def01234567g",
        ] {
            assert_eq!(
                IdentityPool::new(bad).unwrap_err().field(),
                "identity_pool_id",
                "{bad}"
            );
        }
    }

    #[test]
    fn endpoint_must_be_https_or_loopback() {
        let pool = IdentityPool::new("us-east-1:0a1b2c3d-1234-5678-9abc-def012345678").unwrap();
        assert!(pool.clone().endpoint("http://127.0.0.1:5000").is_ok());
        assert_eq!(
            pool.endpoint("http://identity.example.com")
                .unwrap_err()
                .field(),
            "endpoint"
        );
    }

    #[test]
    fn credentials_leave_the_cache_before_they_expire() {
        let clock = crate::ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1000));
        let expiry = BeforeExpiry {
            margin: Duration::from_secs(300),
            clock: clock.clone().into(),
        };
        let make = |lifetime: u64| {
            AwsCredentials::new(
                "AKIA".into(),
                "secret".into(),
                "session".into(),
                clock.now() + Duration::from_secs(lifetime),
                Arc::from("id"),
            )
        };
        let key = (Arc::from("id"), None, None);
        let hour = expiry.expire_after_create(&key, &make(3600), Instant::now());
        assert_eq!(hour, Some(Duration::from_secs(3300)));
        // moto's 90-second credentials: the margin shrinks to a quarter of their life.
        let short = expiry.expire_after_create(&key, &make(90), Instant::now());
        assert_eq!(short, Some(Duration::from_millis(67_500)));
        let gone = expiry.expire_after_create(&key, &make(0), Instant::now());
        assert_eq!(gone, Some(Duration::ZERO));
    }

    #[test]
    fn debug_output_redacts_the_secrets() {
        let credentials = AwsCredentials::new(
            "ASIAEXAMPLE".into(),
            "very-secret".into(),
            "session-token".into(),
            SystemTime::UNIX_EPOCH,
            Arc::from("us-east-1:abc"),
        );
        let debug = format!("{credentials:?}");
        assert!(debug.contains("ASIAEXAMPLE"));
        assert!(!debug.contains("very-secret"));
        assert!(!debug.contains("session-token"));
    }
}
