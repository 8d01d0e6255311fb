//! Route rules: which routes a verified user may call, decided by the first rule whose pattern
//! matches, and the IAM policy that says the same thing for every route at once.

use std::fmt;

use cognito_core::{Claims, Require};

use crate::error::RulesError;
use crate::route::RoutePattern;

/// What a rule asks of the user.
#[derive(Clone)]
enum Access {
    /// Every verified user.
    Allow,
    /// Nobody.
    Deny,
    /// Users whose claims meet the requirement.
    When(Require),
}

impl Access {
    fn grants<T>(&self, claims: &Claims<T>) -> bool {
        match self {
            Access::Allow => true,
            Access::Deny => false,
            Access::When(rule) => rule.holds(claims),
        }
    }

    fn may_refuse(&self) -> bool {
        !matches!(self, Access::Allow)
    }
}

impl fmt::Debug for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Access::Allow => f.write_str("allow"),
            Access::Deny => f.write_str("deny"),
            Access::When(rule) => write!(f, "{rule}"),
        }
    }
}

/// Route rules for an authorizer, in order: the first rule whose pattern matches a request
/// decides it; a request no rule matches gets the default, which denies unless changed.
///
/// A route is `"METHOD /path"`: an upper-case method, or `*` / `ANY` for all; a path starting
/// with `/` in which `*` matches any run of characters, `/` included, exactly as in the
/// resources of an IAM policy, and `{id}` / `{proxy+}` segments stand for `*`. Matching is the
/// same for deciding one request and for the policy API Gateway caches, so a cached policy
/// grants a route only when these rules grant it.
///
/// ```
/// use cognito_core::Require;
/// use cognito_lambda::Rules;
///
/// let rules = Rules::new()
///     .route("DELETE /orders/*", Require::group("admin"))
///     .route("* /orders/*", Require::any_group(["admin", "staff"]))
///     .allow("GET /me")
///     .build()?;
/// assert_eq!(rules.len(), 3);
/// # Ok::<(), cognito_lambda::RulesError>(())
/// ```
///
/// # Where IAM cannot follow the rules
///
/// API Gateway's explicit `Deny` wins over any `Allow`. A rule the user fails is written as a
/// `Deny` statement when a later rule (or the default) grants part of what it covers. If an
/// earlier rule the user meets overlaps it too, no IAM policy can say "the earlier rule wins":
/// the policy is then narrower than the rules (API Gateway refuses the overlap, fail closed)
/// and a warning names both routes. Where that happens for every user (an [`allow`] before a
/// rule that an [`allow`] or [`otherwise_allow`] after it makes a `Deny`), [`build`] refuses
/// the rule set: reorder or narrow the patterns. A policy never grants what the rules deny.
///
/// [`allow`]: Rules::allow
/// [`otherwise_allow`]: Rules::otherwise_allow
/// [`build`]: Rules::build
#[derive(Clone, Default)]
pub struct Rules {
    rules: Vec<(String, Access)>,
    default: Option<Access>,
}

impl Rules {
    /// No rules: every route is denied until rules are added.
    #[must_use]
    pub fn new() -> Self {
        Rules::default()
    }

    /// Routes matching `route` are allowed to users meeting `rule`, and denied to others.
    #[must_use]
    pub fn route(mut self, route: &str, rule: Require) -> Self {
        self.rules.push((route.to_owned(), Access::When(rule)));
        self
    }

    /// Routes matching `route` are allowed to every verified user.
    #[must_use]
    pub fn allow(mut self, route: &str) -> Self {
        self.rules.push((route.to_owned(), Access::Allow));
        self
    }

    /// Routes matching `route` are denied to everyone.
    #[must_use]
    pub fn deny(mut self, route: &str) -> Self {
        self.rules.push((route.to_owned(), Access::Deny));
        self
    }

    /// Routes that no rule matches are allowed to users meeting `rule` (by default they are
    /// denied to everyone).
    #[must_use]
    pub fn otherwise(mut self, rule: Require) -> Self {
        self.default = Some(Access::When(rule));
        self
    }

    /// Routes that no rule matches are allowed to every verified user (by default they are
    /// denied to everyone). Any new route of the API is then open to every signed-in user.
    #[must_use]
    pub fn otherwise_allow(mut self) -> Self {
        self.default = Some(Access::Allow);
        self
    }

    /// Checks every route pattern and that every user's policy can say what the rules say.
    ///
    /// # Errors
    /// The first route pattern that is malformed, or whose `Deny` statement would refuse,
    /// for every user, requests an earlier rule grants every user.
    pub fn build(self) -> Result<RuleSet, RulesError> {
        let mut rules = Vec::with_capacity(self.rules.len());
        for (written, access) in self.rules {
            rules.push(Rule {
                pattern: RoutePattern::parse(&written)?,
                access,
            });
        }
        let default = self.default.unwrap_or(Access::Deny);
        let n = rules.len();
        let mut overlaps = vec![false; n * n];
        for i in 0..n {
            for j in 0..n {
                overlaps[i * n + j] = i == j || rules[i].pattern.overlaps(&rules[j].pattern);
            }
        }
        let set = RuleSet {
            rules,
            default,
            overlaps,
        };
        for j in 0..n {
            // A rule every user fails or may fail, written as a Deny for every user because
            // something after it grants every user...
            let always_denied = set.rules[j].access.may_refuse()
                && (matches!(set.default, Access::Allow)
                    || (j + 1..n).any(|k| {
                        matches!(set.rules[k].access, Access::Allow) && set.overlap(j, k)
                    }));
            if !always_denied {
                continue;
            }
            // ...and an earlier rule that grants every user overlaps it: no user's policy can
            // say what the rules say.
            if let Some(i) =
                (0..j).find(|&i| matches!(set.rules[i].access, Access::Allow) && set.overlap(i, j))
            {
                return Err(RulesError::new(
                    &set.rules[j].pattern.to_string(),
                    format!(
                        "it overlaps the earlier route `{}`, and its Deny statement (needed \
                         because a later rule or the default grants what it covers) would \
                         also refuse requests that route grants",
                        set.rules[i].pattern
                    ),
                ));
            }
        }
        Ok(set)
    }
}

impl fmt::Debug for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rules")
            .field("rules", &self.rules)
            .field("default", &self.default)
            .finish()
    }
}

struct Rule {
    pattern: RoutePattern,
    access: Access,
}

/// Checked route rules, ready for an [`Authorizer`](crate::Authorizer). Made by
/// [`Rules::build`].
pub struct RuleSet {
    rules: Vec<Rule>,
    default: Access,
    /// `overlaps[i * n + j]`: some request matches rules `i` and `j`.
    overlaps: Vec<bool>,
}

/// The routes one user may call, as resource ARN tails for an IAM policy.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Grants<'a> {
    pub(crate) allow: Vec<&'a str>,
    pub(crate) deny: Vec<&'a str>,
}

impl RuleSet {
    /// The number of rules.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules (every route then gets the default).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    fn overlap(&self, i: usize, j: usize) -> bool {
        self.overlaps[i * self.rules.len() + j]
    }

    /// Whether the user may call the route `tail` (`GET/orders/17`): the first matching rule
    /// decides, else the default.
    pub(crate) fn grants<T>(&self, claims: &Claims<T>, tail: Option<&str>) -> bool {
        let rule = tail.and_then(|tail| self.rules.iter().find(|r| r.pattern.matches(tail)));
        match rule {
            Some(rule) => rule.access.grants(claims),
            None => self.default.grants(claims),
        }
    }

    /// Every route the user may call and the ones that must be denied explicitly, so that a
    /// policy made of them grants a request exactly when [`grants`](Self::grants) does.
    ///
    /// A rule the user meets is an `Allow`; one the user fails is a `Deny` when a later
    /// granting rule or the default would otherwise allow part of it (`build` made sure no
    /// earlier granting rule overlaps such a rule); the default, when it grants, is an
    /// `Allow` of `*`.
    pub(crate) fn policy_for<T>(&self, claims: &Claims<T>) -> Grants<'_> {
        let granted: Vec<bool> = self.rules.iter().map(|r| r.access.grants(claims)).collect();
        let default = self.default.grants(claims);
        let mut grants = Grants::default();
        for (i, rule) in self.rules.iter().enumerate() {
            if granted[i] {
                grants.allow.push(rule.pattern.arn_tail());
            } else if default || (i + 1..self.rules.len()).any(|k| granted[k] && self.overlap(i, k))
            {
                grants.deny.push(rule.pattern.arn_tail());
            }
        }
        if default {
            grants.allow.push("*");
        }
        for (i, rule) in self.rules.iter().enumerate() {
            let shadowing = (i + 1..self.rules.len()).find(|&j| {
                granted[i]
                    && !granted[j]
                    && self.overlap(i, j)
                    && grants.deny.contains(&self.rules[j].pattern.arn_tail())
            });
            if let Some(j) = shadowing {
                tracing::warn!(
                    granted = %rule.pattern,
                    denied = %self.rules[j].pattern,
                    "the Deny of a later route also covers part of a granted one: \
                     API Gateway refuses the overlap"
                );
            }
        }
        grants
    }
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for rule in &self.rules {
            list.entry(&format_args!("{} => {:?}", rule.pattern, rule.access));
        }
        list.entry(&format_args!("otherwise => {:?}", self.default));
        list.finish()
    }
}
