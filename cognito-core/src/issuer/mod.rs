//! Who may issue the tokens a [`Verifier`](crate::Verifier) accepts: Cognito user pools and
//! other OpenID Connect providers.
//!
//! A configuration is checked as it is written: every setter that takes a value validates it and
//! returns a [`ConfigError`](crate::ConfigError) naming the setting. Two choices are tracked in the type, so that
//! forgetting one is a compile error, not a silently open door: a [`UserPool`] only becomes
//! usable once its app client is chosen (`.client_id(..)`, or `.any_client()` by name) *and* its
//! token use (`.token_use(TokenUse::Access)` or `TokenUse::Id`, or `.any_token_use()` by name).
//!
//! ```
//! use cognito_core::{TokenUse, UserPool, Verifier};
//!
//! let pool = UserPool::new("eu-west-1_AbCdEf123")?
//!     .client_id("4h5j6k7l8m9n0p1q2r3s4t5u6v")?
//!     .token_use(TokenUse::Access);
//! assert_eq!(pool.issuer_url(), "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123");
//! let verifier = Verifier::from(pool);
//! # let _ = verifier;
//! # Ok::<(), cognito_core::ConfigError>(())
//! ```

mod oidc;
mod token_use;
mod user_pool;
mod validation;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::crypto::Algorithms;
use crate::jwks::Jwks;

pub use oidc::OidcIssuer;
pub(crate) use token_use::AllowedTokenUse;
pub use token_use::TokenUse;
pub use user_pool::UserPool;
pub(crate) use validation::validate_url;

/// Type-state marker: no app client (or audience) has been chosen yet, so the configuration
/// cannot be turned into a verifier.
#[derive(Debug, Clone, Copy)]
pub struct NoClient;

/// Type-state marker: the app clients (or audiences) are chosen, or any client is accepted by
/// an explicit `.any_client()` / `.any_audience()`.
#[derive(Debug, Clone, Copy)]
pub struct ClientChosen;

/// Type-state marker: the token use a [`UserPool`] accepts is not chosen yet, so it cannot be
/// turned into a verifier.
#[derive(Debug, Clone, Copy)]
pub struct NoTokenUse;

/// Type-state marker: the token use is chosen (`.token_use(..)`), or both ID and access tokens
/// are accepted by an explicit `.any_token_use()`.
#[derive(Debug, Clone, Copy)]
pub struct TokenUseChosen;

/// Where an issuer's keys come from.
#[derive(Debug, Clone)]
pub(crate) enum KeySource {
    /// Fetched (and refreshed) from this URL.
    Url(String),
    /// Fixed at configuration time; never fetched.
    Static(Jwks),
}

/// Claim rules that differ between Cognito and other OIDC issuers.
#[derive(Debug, Clone)]
pub(crate) enum ClaimRules {
    Cognito {
        /// `None`: any client (opted into by name).
        clients: Option<Box<[Box<str>]>>,
        token_use: AllowedTokenUse,
        /// `Some`: access tokens must carry one of these in `aud`.
        resource_audiences: Option<Box<[Box<str>]>>,
    },
    Oidc {
        /// `None`: any audience (opted into by name).
        audiences: Option<Box<[Box<str>]>>,
    },
}

/// An issuer ready for a verifier: the accepted `iss` values, its keys and its claim rules.
#[derive(Debug, Clone)]
pub(crate) struct IssuerSpec {
    pub(crate) accepted_iss: Vec<String>,
    /// The provider name of this issuer in an identity pool's `Logins` map.
    pub(crate) login_provider: Arc<str>,
    pub(crate) keys: KeySource,
    pub(crate) rules: ClaimRules,
    /// The algorithms this issuer's tokens may name; others are refused before key lookup.
    pub(crate) algorithms: Algorithms,
}
