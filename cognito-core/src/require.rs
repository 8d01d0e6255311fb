//! Authorization rules on verified claims: groups, scopes, claim values, token use, predicates,
//! combined with and / or / not.
//!
//! ```
//! use cognito_core::Require;
//!
//! let rule = Require::group("admin").or(Require::all_scopes(["reports/read", "reports/export"]));
//! assert_eq!(
//!     rule.to_string(),
//!     "(group admin) or (scopes reports/read and reports/export)"
//! );
//! ```
//!
//! [`Require::check`] returns which rule failed as an [`Unmet`], whose text names the group or
//! scope (never anything from the token) and is safe to show. Checking allocates nothing when
//! the rule holds.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::claims::Claims;
use crate::error::{FailedRule, Unmet};
use crate::issuer::TokenUse;

/// A rule a verified token must meet. Cheap to clone.
#[derive(Clone)]
pub struct Require(Arc<Rule>);

enum Rule {
    Groups(Match, Box<[Box<str>]>),
    Scopes(Match, Box<[Box<str>]>),
    ClaimEquals(Box<str>, Value),
    ClaimContains(Box<str>, Value),
    TokenUse(TokenUse),
    Predicate(Box<str>, Predicate),
    And(Require, Require),
    Or(Require, Require),
    Not(Require),
}

type Predicate = Box<dyn Fn(&Claims<()>) -> bool + Send + Sync>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Match {
    Any,
    All,
}

fn names<I, S>(items: I) -> Box<[Box<str>]>
where
    I: IntoIterator<Item = S>,
    S: Into<Box<str>>,
{
    items.into_iter().map(Into::into).collect()
}

impl Require {
    fn new(rule: Rule) -> Self {
        Require(Arc::new(rule))
    }

    /// Membership of `group` (`cognito:groups`).
    #[must_use]
    pub fn group(group: impl Into<Box<str>>) -> Self {
        Self::new(Rule::Groups(Match::Any, names([group])))
    }

    /// Membership of at least one of `groups`. An empty list is never met.
    #[must_use]
    pub fn any_group<I: IntoIterator<Item = S>, S: Into<Box<str>>>(groups: I) -> Self {
        Self::new(Rule::Groups(Match::Any, names(groups)))
    }

    /// Membership of every one of `groups`.
    #[must_use]
    pub fn all_groups<I: IntoIterator<Item = S>, S: Into<Box<str>>>(groups: I) -> Self {
        Self::new(Rule::Groups(Match::All, names(groups)))
    }

    /// `scope` among the token's scopes.
    #[must_use]
    pub fn scope(scope: impl Into<Box<str>>) -> Self {
        Self::new(Rule::Scopes(Match::Any, names([scope])))
    }

    /// At least one of `scopes`. An empty list is never met.
    #[must_use]
    pub fn any_scope<I: IntoIterator<Item = S>, S: Into<Box<str>>>(scopes: I) -> Self {
        Self::new(Rule::Scopes(Match::Any, names(scopes)))
    }

    /// Every one of `scopes`. An empty list is never met.
    #[must_use]
    pub fn all_scopes<I: IntoIterator<Item = S>, S: Into<Box<str>>>(scopes: I) -> Self {
        Self::new(Rule::Scopes(Match::All, names(scopes)))
    }

    /// The claim `name` equals `value` (JSON equality: `"1"` is not `1`).
    #[must_use]
    pub fn claim_equals(name: impl Into<Box<str>>, value: impl Into<Value>) -> Self {
        Self::new(Rule::ClaimEquals(name.into(), value.into()))
    }

    /// The claim `name` contains `value`: an array claim with an element equal to it, or a
    /// string claim with it among its space-separated words (split on spaces only, as scopes
    /// are: a tab or newline does not separate words).
    #[must_use]
    pub fn claim_contains(name: impl Into<Box<str>>, value: impl Into<Value>) -> Self {
        Self::new(Rule::ClaimContains(name.into(), value.into()))
    }

    /// The token's `token_use` is `token_use`.
    ///
    /// When this rule is the part that fails, the client sent the wrong kind of token rather
    /// than a token without privileges, so the refusal is 401 `invalid_token` (as when the pool
    /// itself accepts one token use only), not 403: see [`Unmet::is_token_use`].
    #[must_use]
    pub fn token_use(token_use: TokenUse) -> Self {
        Self::new(Rule::TokenUse(token_use))
    }

    /// Any check on the claims. `name` is what a refusal shows, so keep it fixed and short.
    #[must_use]
    pub fn predicate(
        name: impl Into<Box<str>>,
        check: impl Fn(&Claims<()>) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self::new(Rule::Predicate(name.into(), Box::new(check)))
    }

    /// Both rules.
    #[must_use]
    pub fn and(self, other: Require) -> Self {
        Self::new(Rule::And(self, other))
    }

    /// Either rule.
    #[must_use]
    pub fn or(self, other: Require) -> Self {
        Self::new(Rule::Or(self, other))
    }

    /// The opposite of this rule.
    #[must_use]
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Self {
        Self::new(Rule::Not(self))
    }

    /// Checks the rule against verified claims.
    ///
    /// # Errors
    /// The [`Unmet`] rule: for `and`, the first part that failed; for `or` and `not`, the whole
    /// rule.
    pub fn check<T>(&self, claims: &Claims<T>) -> Result<(), Unmet> {
        let claims = claims_view(claims);
        match self.first_failure(&claims) {
            None => Ok(()),
            Some(failed) => Err(Unmet::new(Arc::clone(&failed.0) as Arc<dyn FailedRule>)),
        }
    }

    /// Whether the rule holds.
    #[must_use]
    pub fn holds<T>(&self, claims: &Claims<T>) -> bool {
        self.first_failure(&claims_view(claims)).is_none()
    }

    fn first_failure<'a>(&'a self, claims: &Claims<()>) -> Option<&'a Require> {
        let holds = match &*self.0 {
            Rule::Groups(m, groups) => matches(*m, groups, |g| claims.in_group(g)),
            Rule::Scopes(m, scopes) => matches(*m, scopes, |s| claims.has_scope(s)),
            Rule::ClaimEquals(name, value) => claims.get(name) == Some(value),
            Rule::ClaimContains(name, value) => match claims.get(name) {
                Some(Value::Array(items)) => items.contains(value),
                Some(Value::String(words)) => value
                    .as_str()
                    .is_some_and(|v| crate::claims::Scopes::new(words).any(|w| w == v)),
                _ => false,
            },
            Rule::TokenUse(token_use) => claims.token_use() == Some(*token_use),
            Rule::Predicate(_, check) => check(claims),
            Rule::And(a, b) => return a.first_failure(claims).or_else(|| b.first_failure(claims)),
            Rule::Or(a, b) => {
                a.first_failure(claims).is_none() || b.first_failure(claims).is_none()
            }
            Rule::Not(inner) => inner.first_failure(claims).is_some(),
        };
        (!holds).then_some(self)
    }
}

impl Rule {
    /// The scopes that would satisfy this rule, for the `scope` attribute of a 403 challenge.
    fn scopes_into(&self, out: &mut Vec<Box<str>>) {
        match self {
            Rule::Scopes(_, scopes) => {
                for scope in scopes {
                    if !out.contains(scope) {
                        out.push(scope.clone());
                    }
                }
            }
            Rule::And(a, b) | Rule::Or(a, b) => {
                a.0.scopes_into(out);
                b.0.scopes_into(out);
            }
            _ => {}
        }
    }
}

/// The same claims viewed without the application's typed part.
fn claims_view<T>(claims: &Claims<T>) -> Claims<()> {
    Claims::from_verified(std::sync::Arc::clone(claims.verified()))
}

fn matches(m: Match, names: &[Box<str>], has: impl Fn(&str) -> bool) -> bool {
    match m {
        Match::Any => names.iter().any(|n| has(n)),
        // An empty "all of" list is a configuration slip, not a rule that everyone meets.
        Match::All => !names.is_empty() && names.iter().all(|n| has(n)),
    }
}

impl fmt::Display for Require {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, items: &[Box<str>], join: &str| {
            if items.is_empty() {
                return f.write_str("(none)");
            }
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(join)?;
                }
                f.write_str(item)?;
            }
            Ok(())
        };
        match self {
            Rule::Groups(m, groups) => {
                f.write_str(if groups.len() == 1 {
                    "group "
                } else {
                    "groups "
                })?;
                list(f, groups, if *m == Match::Any { " or " } else { " and " })
            }
            Rule::Scopes(m, scopes) => {
                f.write_str(if scopes.len() == 1 {
                    "scope "
                } else {
                    "scopes "
                })?;
                list(f, scopes, if *m == Match::Any { " or " } else { " and " })
            }
            Rule::ClaimEquals(name, value) => write!(f, "claim {name} equal to {value}"),
            Rule::ClaimContains(name, value) => write!(f, "claim {name} containing {value}"),
            Rule::TokenUse(token_use) => write!(f, "{token_use} token"),
            Rule::Predicate(name, _) => f.write_str(name),
            Rule::And(a, b) => write!(f, "({a}) and ({b})"),
            Rule::Or(a, b) => write!(f, "({a}) or ({b})"),
            Rule::Not(inner) => write!(f, "not ({inner})"),
        }
    }
}

impl fmt::Debug for Require {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Require({self})")
    }
}

impl std::ops::Not for Require {
    type Output = Require;

    fn not(self) -> Require {
        Require::not(self)
    }
}

impl std::ops::BitAnd for Require {
    type Output = Require;

    fn bitand(self, other: Require) -> Require {
        self.and(other)
    }
}

impl std::ops::BitOr for Require {
    type Output = Require;

    fn bitor(self, other: Require) -> Require {
        self.or(other)
    }
}

/// What an [`Unmet`] needs of the rule that failed; the error module knows rules only through
/// it, so it depends on nothing above it.
impl FailedRule for Rule {
    fn is_token_use(&self) -> bool {
        matches!(self, Rule::TokenUse(_))
    }

    fn scope_hint(&self) -> Option<String> {
        if matches!(self, Rule::Not(_)) {
            return None;
        }
        let mut scopes = Vec::new();
        self.scopes_into(&mut scopes);
        (!scopes.is_empty()).then(|| scopes.join(" "))
    }
}
