//! Errors: why a token was refused, and how an adapter should answer.
//!
//! Every refusal is one [`Error`] with an [`ErrorKind`] per failed check. The kind maps to an
//! [`ErrorClass`], and the class decides the HTTP answer (status, `WWW-Authenticate` challenge,
//! `Retry-After`) so that every adapter answers the same way. Messages are fixed strings: they
//! never contain the token or any value taken from it.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Why a token was not accepted, or why a request cannot be authorized.
///
/// Opaque on purpose: match on [`Error::kind`] or [`Error::class`]. `Display` gives a short,
/// fixed description that is safe to show to a client.
pub struct Error {
    kind: ErrorKind,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    /// A `Retry-After` of its own, when the wait is known (the rest of a key-fetch cooldown).
    retry_after: Option<Duration>,
}

/// The check that failed.
///
/// New checks add new kinds, so matches need a wildcard arm; [`ErrorKind::class`] is the stable
/// grouping.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request carried no token.
    MissingToken,
    /// The request's credentials cannot be read: two `Authorization` headers (or two cookies
    /// of the token's name), `Bearer` followed by a tab, two spaces or nothing, a credential
    /// with characters no token has (RFC 6750 §3.1 `invalid_request`: 400). Refused even where
    /// authentication is optional.
    InvalidRequest,
    /// The token is longer than the configured maximum.
    TokenTooLong,
    /// The token is not a compact JWS of three base64url segments of JSON objects.
    Malformed,
    /// A segment is base64url but not in its canonical form (padding, stray bits, other alphabet).
    NonCanonicalEncoding,
    /// The header or payload nests JSON deeper than the configured limit.
    JsonTooDeep,
    /// The header names an algorithm that is not accepted (`none`, `HS256`, anything but the
    /// algorithm the issuer signs with).
    UnsupportedAlgorithm,
    /// The header has no `kid`.
    MissingKeyId,
    /// The header has a `crit` parameter; no critical extension is understood.
    UnsupportedCriticalHeader,
    /// The token's `iss` is not one of the configured issuers.
    UnknownIssuer,
    /// The issuer's key set has no key with the token's `kid`.
    UnknownKeyId,
    /// The key with the token's `kid` does not allow the token's algorithm.
    KeyAlgorithmMismatch,
    /// The signature does not verify.
    InvalidSignature,
    /// The token has expired (`exp`).
    Expired,
    /// The token is not valid yet (`nbf`).
    NotYetValid,
    /// A required claim is absent.
    MissingClaim(&'static str),
    /// A claim has the wrong JSON type or an impossible value.
    InvalidClaim(&'static str),
    /// `token_use` is neither `id` nor `access`.
    InvalidTokenUse,
    /// `token_use` is valid but not the one this verifier or route accepts.
    WrongTokenUse,
    /// The ID token's `aud`, or the access token's `client_id`, is not a configured app client
    /// (or, for other OIDC issuers, `aud` names none of the configured audiences).
    WrongClient,
    /// An access token is not bound to this API: its `aud` names none of the pool's
    /// resource audiences.
    WrongAudience,
    /// The user-supplied check refused the token.
    CheckFailed(Cow<'static, str>),
    /// The token is valid but does not meet a requirement (group, scope, claim, token use).
    /// Its class is [`ErrorClass::RequirementNotMet`] (403), except when the rule that failed is
    /// a token-use rule ([`Unmet::is_token_use`]): the wrong kind of token is
    /// [`ErrorClass::InvalidToken`] (401), whether the pool or a route refuses it.
    RequirementNotMet(Unmet),
    /// The issuer's keys could not be fetched and the token's key is not cached.
    KeysUnavailable,
    /// The token names a key its issuer has not published as far as the verifier knows, and
    /// the key set was fetched too recently to fetch it again: the key may be new (a rotation
    /// a moment ago), so the client is told to retry after the remaining cooldown (503) rather
    /// than that its token is invalid.
    KeyNotYetFetched,
    /// The token names a key its issuer published but the verifier cannot use (an encryption
    /// key, another key type or algorithm, too short, malformed): it is refused at once.
    UnusableKey,
    /// The verified claims do not deserialize into the application's claim type.
    ClaimsType,
    /// AWS credentials need an ID token of the signed-in user, and the request has none (an
    /// access token alone, or an ID token of someone else).
    IdTokenRequired,
    /// The identity pool refused to issue credentials for this user.
    CredentialsRefused,
    /// The identity pool is throttling, failing or unreachable.
    CredentialsUnavailable,
    /// The verifier or the adapter is not configured for this request.
    Misconfigured(Cow<'static, str>),
}

/// How an adapter must answer an [`Error`]: the grouping of DESIGN's status table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// No token: 401 with a bare `Bearer` challenge.
    MissingToken,
    /// The request's credentials are malformed: 400 `invalid_request`.
    InvalidRequest,
    /// The token is malformed, forged, expired, not for this API, or not the token use this
    /// API or route takes: 401 `invalid_token`.
    InvalidToken,
    /// The token is valid but a requirement (group, scope, claim) failed: 403
    /// `insufficient_scope`.
    RequirementNotMet,
    /// The keys needed to decide are unavailable: 503 with `Retry-After`.
    KeysUnavailable,
    /// Server-side misconfiguration: 500.
    Misconfigured,
    /// The identity pool refused the exchange (or it cannot be made for this token): 403,
    /// without a challenge.
    CredentialsRefused,
    /// The identity pool is unavailable: 503 with `Retry-After`.
    CredentialsUnavailable,
}

impl ErrorClass {
    /// The HTTP status code for this class.
    #[must_use]
    pub const fn status(self) -> u16 {
        match self {
            ErrorClass::InvalidRequest => 400,
            ErrorClass::MissingToken | ErrorClass::InvalidToken => 401,
            ErrorClass::RequirementNotMet | ErrorClass::CredentialsRefused => 403,
            ErrorClass::KeysUnavailable | ErrorClass::CredentialsUnavailable => 503,
            ErrorClass::Misconfigured => 500,
        }
    }

    /// The RFC 6750 `error` code of the challenge, if the class has one.
    #[must_use]
    pub const fn error_code(self) -> Option<&'static str> {
        match self {
            ErrorClass::InvalidRequest => Some("invalid_request"),
            ErrorClass::InvalidToken => Some("invalid_token"),
            ErrorClass::RequirementNotMet => Some("insufficient_scope"),
            _ => None,
        }
    }
}

impl ErrorClass {
    /// The gRPC status code for this class, for services answering `application/grpc` requests:
    /// 16 `UNAUTHENTICATED`, 7 `PERMISSION_DENIED`, 14 `UNAVAILABLE`, 13 `INTERNAL`.
    ///
    /// Malformed credentials ([`ErrorClass::InvalidRequest`]) are 16 `UNAUTHENTICATED` too, not
    /// 3 `INVALID_ARGUMENT`: what is wrong is the call's authentication metadata, not an
    /// argument of the method, and gRPC clients and interceptors act on `UNAUTHENTICATED` by
    /// obtaining credentials anew, which is what fixes it.
    #[must_use]
    pub const fn grpc_status(self) -> u8 {
        match self {
            ErrorClass::MissingToken | ErrorClass::InvalidRequest | ErrorClass::InvalidToken => 16,
            ErrorClass::RequirementNotMet | ErrorClass::CredentialsRefused => 7,
            ErrorClass::KeysUnavailable | ErrorClass::CredentialsUnavailable => 14,
            ErrorClass::Misconfigured => 13,
        }
    }

    /// The reason phrase of [`status`](ErrorClass::status), the title of a problem document.
    #[must_use]
    pub const fn title(self) -> &'static str {
        match self {
            ErrorClass::InvalidRequest => "Bad Request",
            ErrorClass::MissingToken | ErrorClass::InvalidToken => "Unauthorized",
            ErrorClass::RequirementNotMet | ErrorClass::CredentialsRefused => "Forbidden",
            ErrorClass::KeysUnavailable | ErrorClass::CredentialsUnavailable => {
                "Service Unavailable"
            }
            ErrorClass::Misconfigured => "Internal Server Error",
        }
    }
}

/// How long a client is told to wait after a 503 (`Retry-After`, in seconds).
pub const RETRY_AFTER_SECS: u64 = 10;

impl ErrorKind {
    /// The class that decides the HTTP answer.
    #[must_use]
    pub fn class(&self) -> ErrorClass {
        match self {
            ErrorKind::MissingToken => ErrorClass::MissingToken,
            ErrorKind::InvalidRequest => ErrorClass::InvalidRequest,
            ErrorKind::RequirementNotMet(unmet) if unmet.is_token_use() => ErrorClass::InvalidToken,
            ErrorKind::RequirementNotMet(_) => ErrorClass::RequirementNotMet,
            ErrorKind::KeysUnavailable | ErrorKind::KeyNotYetFetched => ErrorClass::KeysUnavailable,
            ErrorKind::IdTokenRequired | ErrorKind::CredentialsRefused => {
                ErrorClass::CredentialsRefused
            }
            ErrorKind::CredentialsUnavailable => ErrorClass::CredentialsUnavailable,
            ErrorKind::ClaimsType | ErrorKind::Misconfigured(_) => ErrorClass::Misconfigured,
            _ => ErrorClass::InvalidToken,
        }
    }

    /// A short fixed description, safe to show to a client.
    #[must_use]
    pub fn description(&self) -> Cow<'static, str> {
        let text: &'static str = match self {
            ErrorKind::MissingToken => "no bearer token",
            ErrorKind::InvalidRequest => "the request's credentials are malformed",
            ErrorKind::TokenTooLong => "the token is too long",
            ErrorKind::Malformed => "the token is malformed",
            ErrorKind::NonCanonicalEncoding => "the token is not canonically encoded",
            ErrorKind::JsonTooDeep => "the token nests JSON too deeply",
            ErrorKind::UnsupportedAlgorithm => "the token algorithm is not accepted",
            ErrorKind::MissingKeyId => "the token has no key id",
            ErrorKind::UnsupportedCriticalHeader => "the token has an unsupported critical header",
            ErrorKind::UnknownIssuer => "the token issuer is not accepted",
            ErrorKind::UnknownKeyId => "the token key is unknown",
            ErrorKind::KeyAlgorithmMismatch => "the token algorithm does not match its key",
            ErrorKind::InvalidSignature => "the token signature is invalid",
            ErrorKind::Expired => "the token has expired",
            ErrorKind::NotYetValid => "the token is not valid yet",
            ErrorKind::MissingClaim(name) => {
                return format!("the token has no {name} claim").into();
            }
            ErrorKind::InvalidClaim(name) => {
                return format!("the token {name} claim is invalid").into();
            }
            ErrorKind::InvalidTokenUse => "the token use is invalid",
            ErrorKind::WrongTokenUse => "the token use is not accepted here",
            ErrorKind::WrongClient => "the token was issued to another client",
            ErrorKind::WrongAudience => "the token is for another API",
            ErrorKind::CheckFailed(reason) => return reason.clone(),
            ErrorKind::RequirementNotMet(unmet) => return unmet.to_string().into(),
            ErrorKind::KeysUnavailable => "the signing keys are unavailable",
            ErrorKind::KeyNotYetFetched => "the token key is not loaded yet; retry later",
            ErrorKind::UnusableKey => "the token key was published but is not usable",
            ErrorKind::ClaimsType => "the token claims do not fit the application's claim type",
            ErrorKind::IdTokenRequired => "AWS credentials need an ID token of the signed-in user",
            ErrorKind::CredentialsRefused => "the identity pool refused to issue credentials",
            ErrorKind::CredentialsUnavailable => "the identity pool is unavailable",
            ErrorKind::Misconfigured(what) => return what.clone(),
        };
        Cow::Borrowed(text)
    }
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Error {
            kind,
            source: None,
            retry_after: None,
        }
    }

    /// This error, telling the client to retry after `wait` (rounded up to whole seconds, at
    /// least one).
    pub(crate) fn retry_in(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    pub(crate) fn with_source(
        kind: ErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Error {
            kind,
            source: Some(source.into()),
            retry_after: None,
        }
    }

    /// The error for a request that carried no token; adapters use it.
    #[must_use]
    pub fn missing_token() -> Self {
        Error::new(ErrorKind::MissingToken)
    }

    /// An error for an adapter that cannot serve the request (for example, the auth layer is
    /// missing in front of an extractor). `what` is shown to the developer, so keep it fixed.
    #[must_use]
    pub fn misconfigured(what: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::Misconfigured(what.into()))
    }

    /// The failed check.
    #[must_use]
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The class that decides the HTTP answer.
    #[must_use]
    pub fn class(&self) -> ErrorClass {
        self.kind.class()
    }

    /// The HTTP status an adapter answers with.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.class().status()
    }

    /// The `WWW-Authenticate` header value for this error (RFC 6750), or `None` when the answer
    /// carries no challenge (503, 500).
    ///
    /// Characters a quoted header value cannot hold (in `realm` or a description) are
    /// replaced, so the value is always well-formed.
    #[must_use]
    pub fn www_authenticate(&self, realm: &str) -> Option<String> {
        let class = self.class();
        let mut value = String::from("Bearer realm=\"");
        push_quotable(&mut value, realm);
        value.push('"');
        match class {
            ErrorClass::MissingToken => {}
            ErrorClass::InvalidRequest
            | ErrorClass::InvalidToken
            | ErrorClass::RequirementNotMet => {
                value.push_str(", error=\"");
                value.push_str(class.error_code().unwrap_or_default());
                value.push_str("\", error_description=\"");
                push_quotable(&mut value, &self.kind.description());
                value.push('"');
                if let ErrorKind::RequirementNotMet(unmet) = &self.kind
                    && let Some(scopes) = unmet.scope_hint()
                {
                    value.push_str(", scope=\"");
                    push_quotable(&mut value, &scopes);
                    value.push('"');
                }
            }
            _ => return None,
        }
        Some(value)
    }

    /// How long the client should wait before retrying (`Retry-After`), for 503 answers.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self.class() {
            ErrorClass::KeysUnavailable | ErrorClass::CredentialsUnavailable => Some(
                self.retry_after
                    .map_or(Duration::from_secs(RETRY_AFTER_SECS), |wait| {
                        Duration::from_secs(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
                            .max(Duration::from_secs(1))
                    }),
            ),
            _ => None,
        }
    }
}

/// Appends `text` as the inside of an RFC 6750 quoted value: printable ASCII without `"` and `\`
/// (RFC 6750 §3). Other characters are replaced, so configured names and user-written reasons
/// can never break the header.
fn push_quotable(out: &mut String, text: &str) {
    out.extend(text.chars().map(|c| match c {
        '"' => '\'',
        '\\' => '/',
        ' '..='~' => c,
        _ => '?',
    }));
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind.description())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind);
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind)
    }
}

impl From<Unmet> for Error {
    fn from(unmet: Unmet) -> Self {
        Error::new(ErrorKind::RequirementNotMet(unmet))
    }
}

/// What the error module needs to know of an authorization rule that failed. Rules
/// ([`Require`](crate::Require)) implement it; errors hold them through it, so that this module
/// depends on no module above it.
pub(crate) trait FailedRule: fmt::Display + Send + Sync {
    /// Whether the rule is a token-use rule on its own.
    fn is_token_use(&self) -> bool;
    /// The space-separated scopes that would satisfy the rule, if it is about scopes.
    fn scope_hint(&self) -> Option<String>;
}

/// The rule a token did not meet. `Display` reads "requires …" and names only configured
/// groups, scopes and claim names.
#[derive(Clone)]
pub struct Unmet(Arc<dyn FailedRule>);

impl Unmet {
    pub(crate) fn new(rule: Arc<dyn FailedRule>) -> Self {
        Unmet(rule)
    }

    /// The rule that failed, as [`Require`](crate::Require) writes it (`group admin`).
    #[must_use]
    pub fn rule(&self) -> &(dyn fmt::Display + Send + Sync) {
        &*self.0
    }

    /// Whether the failed rule is a [`Require::token_use`](crate::Require::token_use) rule on
    /// its own (possibly the failing part of an `and`). Such a refusal is classed
    /// [`ErrorClass::InvalidToken`]: 401, not 403.
    #[must_use]
    pub fn is_token_use(&self) -> bool {
        self.0.is_token_use()
    }

    /// The space-separated scopes that would satisfy the failed rule, if it is about scopes
    /// (the `scope` attribute of a 403 `insufficient_scope` challenge).
    #[must_use]
    pub fn scope_hint(&self) -> Option<String> {
        self.0.scope_hint()
    }
}

impl fmt::Display for Unmet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "requires {}", self.0)
    }
}

impl fmt::Debug for Unmet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Unmet({})", self.0)
    }
}

impl std::error::Error for Unmet {}

impl PartialEq for Unmet {
    /// The same rule (not an equal one): the very part of a [`Require`](crate::Require) that
    /// failed.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(&self.0), Arc::as_ptr(&other.0))
    }
}

impl Eq for Unmet {}

/// A configuration value that cannot work, found while the configuration is built.
///
/// Names the setting (`field`) and says what is wrong with it. Never raised per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    field: &'static str,
    reason: Cow<'static, str>,
}

impl ConfigError {
    pub(crate) fn new(field: &'static str, reason: impl Into<Cow<'static, str>>) -> Self {
        ConfigError {
            field,
            reason: reason.into(),
        }
    }

    /// The setting that is wrong, e.g. `"pool_id"` or `"jwks_url"`.
    #[must_use]
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// What is wrong with it.
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid `{}`: {}", self.field, self.reason)
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_map_to_the_design_status_table() {
        assert_eq!(Error::missing_token().status(), 401);
        assert_eq!(Error::new(ErrorKind::Expired).status(), 401);
        assert_eq!(Error::new(ErrorKind::WrongTokenUse).status(), 401);
        assert_eq!(Error::new(ErrorKind::KeysUnavailable).status(), 503);
        assert_eq!(Error::misconfigured("x").status(), 500);
        assert_eq!(Error::new(ErrorKind::ClaimsType).status(), 500);
    }

    #[test]
    fn missing_token_challenge_has_no_error_code() {
        let challenge = Error::missing_token().www_authenticate("api").unwrap();
        assert_eq!(challenge, "Bearer realm=\"api\"");
    }

    #[test]
    fn invalid_token_challenge_names_error_and_fixed_description() {
        let challenge = Error::new(ErrorKind::Expired)
            .www_authenticate("api")
            .unwrap();
        assert_eq!(
            challenge,
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"the token has expired\""
        );
    }

    #[test]
    fn challenge_values_stay_well_formed_whatever_the_text() {
        let err = Error::new(ErrorKind::CheckFailed(
            "tenant \"acme\" \\ blocked é".into(),
        ));
        let challenge = err.www_authenticate("my \"realm\"").unwrap();
        assert_eq!(
            challenge,
            "Bearer realm=\"my 'realm'\", error=\"invalid_token\", \
             error_description=\"tenant 'acme' / blocked ?\""
        );
    }

    #[test]
    fn identity_pool_refusals_are_403_and_outages_503_without_challenges() {
        for kind in [ErrorKind::IdTokenRequired, ErrorKind::CredentialsRefused] {
            let err = Error::new(kind);
            assert_eq!(err.status(), 403);
            assert_eq!(err.www_authenticate("api"), None);
            assert_eq!(err.retry_after(), None);
        }
        let err = Error::new(ErrorKind::CredentialsUnavailable);
        assert_eq!(err.status(), 503);
        assert_eq!(err.www_authenticate("api"), None);
        assert!(err.retry_after().is_some());
    }

    #[test]
    fn keys_unavailable_has_retry_after_and_no_challenge() {
        let err = Error::new(ErrorKind::KeysUnavailable);
        assert_eq!(err.www_authenticate("api"), None);
        assert_eq!(
            err.retry_after(),
            Some(Duration::from_secs(RETRY_AFTER_SECS))
        );
        assert_eq!(Error::new(ErrorKind::Expired).retry_after(), None);
    }
}
