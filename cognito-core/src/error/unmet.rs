//! The authorization rule a token did not meet, known through a trait the rules implement.

use std::fmt;
use std::sync::Arc;

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
    /// [`ErrorClass::InvalidToken`](super::ErrorClass::InvalidToken): 401, not 403.
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
