//! What the authorizer answers instead of a policy, and what its configuration can get wrong.

use std::fmt;

/// Why the authorizer gave no policy. Return it from the Lambda handler: its `Display` is the
/// message API Gateway acts on.
///
/// - [`AuthorizerErrorKind::Unauthorized`] displays exactly `Unauthorized`, which API Gateway
///   answers with 401 (the gateway response `UNAUTHORIZED`): no token, a malformed, forged,
///   expired or foreign one.
/// - Every other kind is any other message, which API Gateway answers with 500
///   (`AUTHORIZER_FAILURE`): the keys could not be fetched, the event is not an authorizer
///   event, the authorizer is misconfigured. These are logged at `error` level.
///
/// A token without the group a route needs is not an error: it gets a policy that does not
/// allow the route, and API Gateway answers 403.
///
/// ```
/// use cognito_lambda::{AuthorizerError, AuthorizerErrorKind};
///
/// let error = AuthorizerError::unauthorized();
/// assert_eq!(error.to_string(), "Unauthorized");
/// assert_eq!(error.kind(), AuthorizerErrorKind::Unauthorized);
/// ```
pub struct AuthorizerError {
    kind: AuthorizerErrorKind,
    source: Option<cognito_core::Error>,
    detail: &'static str,
}

/// The kind of an [`AuthorizerError`], deciding API Gateway's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthorizerErrorKind {
    /// No usable token: API Gateway answers 401.
    Unauthorized,
    /// The keys to verify the token could not be fetched: API Gateway answers 500.
    KeysUnavailable,
    /// The event is not one of the API Gateway authorizer events this authorizer takes, or
    /// its `methodArn` / `routeArn` cannot be read: API Gateway answers 500.
    MalformedEvent,
    /// The authorizer cannot answer safely as configured (for example simple responses that
    /// API Gateway would cache across routes): API Gateway answers 500.
    Misconfigured,
}

impl AuthorizerError {
    /// The answer for a request without a usable token; displays as `Unauthorized`.
    #[must_use]
    pub fn unauthorized() -> Self {
        AuthorizerError {
            kind: AuthorizerErrorKind::Unauthorized,
            source: None,
            detail: "",
        }
    }

    pub(crate) fn rejected(source: cognito_core::Error) -> Self {
        AuthorizerError {
            kind: AuthorizerErrorKind::Unauthorized,
            source: Some(source),
            detail: "",
        }
    }

    pub(crate) fn keys_unavailable(source: cognito_core::Error) -> Self {
        AuthorizerError {
            kind: AuthorizerErrorKind::KeysUnavailable,
            source: Some(source),
            detail: "",
        }
    }

    pub(crate) fn malformed(detail: &'static str) -> Self {
        AuthorizerError {
            kind: AuthorizerErrorKind::MalformedEvent,
            source: None,
            detail,
        }
    }

    pub(crate) fn misconfigured(detail: &'static str, source: Option<cognito_core::Error>) -> Self {
        AuthorizerError {
            kind: AuthorizerErrorKind::Misconfigured,
            source,
            detail,
        }
    }

    /// What went wrong, as a kind.
    #[must_use]
    pub fn kind(&self) -> AuthorizerErrorKind {
        self.kind
    }

    /// The verification error behind it, when a token was refused or could not be checked.
    #[must_use]
    pub fn verification_error(&self) -> Option<&cognito_core::Error> {
        self.source.as_ref()
    }
}

impl fmt::Display for AuthorizerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            // API Gateway compares this message exactly.
            AuthorizerErrorKind::Unauthorized => f.write_str("Unauthorized"),
            AuthorizerErrorKind::KeysUnavailable => {
                f.write_str("authorizer error: the signing keys could not be fetched")
            }
            AuthorizerErrorKind::MalformedEvent => {
                write!(f, "authorizer error: malformed event: {}", self.detail)
            }
            AuthorizerErrorKind::Misconfigured => {
                write!(f, "authorizer error: misconfigured: {}", self.detail)
            }
        }
    }
}

impl fmt::Debug for AuthorizerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The source is cognito_core's error, whose Debug output never holds a token.
        f.debug_struct("AuthorizerError")
            .field("kind", &self.kind)
            .field("detail", &self.detail)
            .field("source", &self.source)
            .finish()
    }
}

impl std::error::Error for AuthorizerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A route rule set that cannot be turned into policies, naming the route pattern at fault.
///
/// ```
/// use cognito_lambda::Rules;
///
/// let error = Rules::new().allow("GET orders").build().unwrap_err();
/// assert_eq!(error.route(), "GET orders");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    route: Box<str>,
    reason: String,
}

impl RulesError {
    pub(crate) fn new(route: &str, reason: impl Into<String>) -> Self {
        RulesError {
            route: route.into(),
            reason: reason.into(),
        }
    }

    /// The route pattern at fault, as written.
    #[must_use]
    pub fn route(&self) -> &str {
        &self.route
    }

    /// Why it cannot be used.
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "route `{}`: {}", self.route, self.reason)
    }
}

impl std::error::Error for RulesError {}
