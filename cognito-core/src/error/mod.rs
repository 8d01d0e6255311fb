//! Errors: why a token was refused, and how an adapter should answer.
//!
//! Every refusal is one [`Error`] with an [`ErrorKind`] per failed check. The kind maps to an
//! [`ErrorClass`], and the class decides the HTTP answer (status, `WWW-Authenticate` challenge,
//! `Retry-After`) so that every adapter answers the same way. Messages are fixed strings: they
//! never contain the token or any value taken from it.

mod class;
mod config;
mod kind;
mod unmet;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

pub use class::ErrorClass;
pub use config::ConfigError;
pub use kind::ErrorKind;
pub(crate) use unmet::FailedRule;
pub use unmet::Unmet;

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

/// How long a client is told to wait after a 503 (`Retry-After`, in seconds).
pub const RETRY_AFTER_SECS: u64 = 10;

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
