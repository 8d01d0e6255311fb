//! What an auth middleware concluded about a request, and what extractors and route rules
//! decide from it, once for every adapter.

use serde::de::DeserializeOwned;

use crate::claims::Claims;
use crate::error::Error;
use crate::issuer::TokenUse;
use crate::require::Require;

/// What the auth middleware concluded about a request; adapters store it in the request's
/// extensions so that extractors read it without verifying again.
#[derive(Debug, Clone)]
pub enum Authentication {
    /// A verified token.
    Verified(Claims),
    /// No token, and authentication is optional on this route.
    Anonymous,
}

/// The 500 an extractor answers when no auth middleware ran in front of it.
const MISSING_MIDDLEWARE: &str = "a claims extractor is used on a route without the CognitoAuth \
     layer or middleware in front of it";

/// The 500 a route rule answers when no auth middleware ran in front of it.
const MISSING_MIDDLEWARE_FOR_RULE: &str = "a require rule is used on a route without the \
     CognitoAuth layer or middleware in front of it";

impl Authentication {
    /// What an extractor hands to a handler, decided once for every adapter:
    ///
    /// - no auth middleware ran (`authentication` is `None`): a 500 naming `CognitoAuth`;
    /// - an anonymous request: `Ok(None)` (the adapter answers 401, or gives `None` to an
    ///   optional extractor);
    /// - a verified token of another `token_use` than required: 401 `invalid_token` (a failed
    ///   [`Require::token_use`]), checked before `T` is read, so a
    ///   client sending the wrong kind of token is told so;
    /// - claims that do not deserialize into `T`: a 500 naming the type, the details logged.
    ///
    /// # Errors
    /// As listed.
    pub fn claims_for<T: DeserializeOwned + 'static>(
        authentication: Option<&Authentication>,
        token_use: Option<TokenUse>,
    ) -> Result<Option<Claims<T>>, Error> {
        let claims = match authentication {
            None => {
                tracing::error!("{MISSING_MIDDLEWARE}");
                return Err(Error::misconfigured(MISSING_MIDDLEWARE));
            }
            Some(Authentication::Anonymous) => return Ok(None),
            Some(Authentication::Verified(claims)) => claims,
        };
        if let Some(required) = token_use
            && claims.token_use() != Some(required)
        {
            let rule = Require::token_use(required);
            return Err(match rule.check(claims) {
                Err(unmet) => unmet.into(),
                Ok(()) => Error::misconfigured("a token-use rule was reported unmet but holds"),
            });
        }
        claims.clone().with::<T>().map(Some).map_err(|error| {
            const WHAT: &str = "the verified claims do not fit the application's claim type; \
                 the server log has the details";
            // The detail names the claim, the type and what it expected, never a value.
            let detail = std::error::Error::source(&error).map(ToString::to_string);
            tracing::error!(detail, "{WHAT}");
            Error::misconfigured(WHAT)
        })
    }

    /// What a route's `require` decides for a request, the same in every adapter:
    ///
    /// - no auth middleware ran (`authentication` is `None`): a 500 naming `CognitoAuth`, as
    ///   for the extractors (a token sent to such a route was never read, so "no token" would
    ///   be a lie);
    /// - an anonymous request: a missing token (401);
    /// - verified claims must meet `rule` (403, or 401 for a token-use rule).
    ///
    /// # Errors
    /// As listed.
    pub fn require(authentication: Option<&Authentication>, rule: &Require) -> Result<(), Error> {
        match authentication {
            Some(Authentication::Verified(claims)) => Ok(rule.check(claims)?),
            Some(Authentication::Anonymous) => Err(Error::missing_token()),
            None => {
                tracing::error!("{MISSING_MIDDLEWARE_FOR_RULE}");
                Err(Error::misconfigured(MISSING_MIDDLEWARE_FOR_RULE))
            }
        }
    }

    /// The claims, for a verified request.
    #[must_use]
    pub fn claims(&self) -> Option<&Claims> {
        match self {
            Authentication::Verified(claims) => Some(claims),
            Authentication::Anonymous => None,
        }
    }
}
