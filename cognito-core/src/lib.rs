//! Amazon Cognito token verification, claims and authorization rules, with no web framework.
//!
//! This crate answers one question for the adapters (`cognito-tower`, `cognito-axum`,
//! `cognito-actix`): *is this a valid token from this user pool, for this app, and what does it
//! say?* It is also usable on its own.
//!
//! ```
//! # #[cfg(feature = "test-util")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use cognito_core::test_util::LocalIssuer;
//! use cognito_core::{Require, Verifier};
//!
//! // A local issuer: RSA keys, a JWKS endpoint on 127.0.0.1, Cognito-shaped tokens.
//! let issuer = LocalIssuer::start()?;
//! let verifier = Verifier::from(issuer.user_pool());
//!
//! let token = issuer.id_token().username("alice").groups(["admin"]).sign();
//! let claims = verifier.verify(&token).await?;
//! assert_eq!(claims.username(), Some("alice"));
//! assert!(Require::group("admin").check(&claims).is_ok());
//!
//! let expired = issuer.id_token().expired().sign();
//! assert_eq!(verifier.verify(&expired).await.unwrap_err().status(), 401);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "test-util"))]
//! # fn main() {}
//! ```
//!
//! # What is guaranteed
//!
//! These hold for every configuration and cannot be turned off:
//!
//! - **Fail closed.** Every error, timeout and misconfiguration refuses the token.
//! - **Algorithms are pinned by the key.** `none`, `HS*` and any unknown algorithm are refused
//!   before a key is looked up, and so is any algorithm the token's issuer does not accept
//!   (Cognito user pools: `RS256` only). A token verifies only with a key bound to its
//!   algorithm (see below); RSA keys under 2048 bits are refused; a `crit` header is refused;
//!   `jku`, `x5u` and `jwk` headers are ignored.
//! - **`iss` only selects.** A token's issuer is compared exactly with the configured ones; it
//!   never names a URL to fetch, and an unknown issuer is refused without network I/O.
//! - **App client and token use.** Cognito ID tokens are checked on `aud`, access tokens on
//!   `client_id`; `token_use` must be `id` or `access`. Skipping the client check takes
//!   `any_client()`, by name.
//! - **Bounded.** Token length, JSON depth, JWKS body size and fetch time, and cache size all
//!   have limits.
//! - **No secrets in output.** Tokens appear in no log, `Debug` output or error message.
//!
//! # Algorithms
//!
//! A Cognito user pool signs with `RS256` alone, and a [`UserPool`] accepts nothing else. An
//! [`OidcIssuer`] accepts every [`Algorithm`]: `RS256`, `RS384`, `RS512`, `PS256`, `PS384`,
//! `PS512`, `ES256`, `ES384`, `ES512` and `EdDSA`. Each is bound to the key that verifies it:
//!
//! | token `alg` | key (JWK) |
//! |---|---|
//! | `RS256` `RS384` `RS512` `PS256` `PS384` `PS512` | `kty` `RSA`, 2048 to 8192 bits |
//! | `ES256` / `ES384` / `ES512` | `kty` `EC`, `crv` `P-256` / `P-384` / `P-521`; `x`, `y` of the curve's length, a point on it |
//! | `EdDSA` | `kty` `OKP`, `crv` `Ed25519`, a 32-byte `x` |
//!
//! A JWK's `alg`, when present, must name the token's algorithm too, so an RSA key published
//! for `RS256` never verifies a `PS256` token. A key whose type, curve or `alg` disagrees
//! with the token's `alg` refuses it ([`ErrorKind::KeyAlgorithmMismatch`]) without a
//! signature check. ECDSA signatures are R‖S, each half the curve's length (64 bytes for
//! `ES256`); DER-encoded ones are refused. Keys are parsed once, when their set is loaded;
//! keys that cannot be used are skipped and logged (see [`Jwks`]).
//!
//! [`OidcIssuer::algorithms`] limits an issuer to the algorithms its provider uses:
//!
//! ```
//! use cognito_core::{Algorithm, OidcIssuer};
//!
//! let issuer = OidcIssuer::new("https://idp.example.com")?
//!     .audience("my-api")?
//!     .algorithms([Algorithm::Es256])?;
//! # let _ = issuer;
//! # Ok::<(), cognito_core::ConfigError>(())
//! ```
//!
//! # How the crate reads
//!
//! Modules depend one way, so the crate reads bottom-up: `clock`, `crypto` and `partition`
//! (time; the algorithms with the keys of each type that verify them; the DNS suffix of each
//! AWS partition); `error` (every refusal and how it is answered, knowing rules only
//! through a small trait they implement); `jws` (compact JWS parsing) and `jwks` (key sets and
//! the per-issuer key store); `issuer` (user pools and OIDC issuers); `payload` (the one parse
//! of a token's payload) and `claims` (the claims of a verified token); `require` (rules on
//! claims); `authentication` (what a request concluded, and what extractors and route rules
//! decide from it); `cache`, `token` (where a request's token is) and `rejection` (the answer
//! to a refused request); `verifier` on top of them; then `alb` (what an Application Load
//! Balancer forwards, verified, its access token through a verifier), `adapter` (the settings
//! every framework adapter shares), `identity_pool` and `test_util`, which use the verifier. No module refers to one above it (a test reads the sources to keep
//! it so).
//!
//! # Features
//!
//! - `aws-lc` (default): signatures verified with aws-lc-rs.
//! - `rust-crypto`: signatures verified with the RustCrypto crates `rsa`, `p256`, `p384`, `p521`
//!   and `ed25519-dalek` instead. Exactly one of the two must be enabled; both or neither is a
//!   compile error. Both accept and refuse the same algorithms and keys.
//! - `identity-pool`: [`identity_pool`], temporary AWS credentials for verified users.
//! - `test-util`: [`test_util::LocalIssuer`], a local issuer for tests and examples.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod adapter;
pub mod alb;
mod authentication;
mod cache;
mod claims;
mod clock;
mod crypto;
mod error;
#[cfg(feature = "identity-pool")]
pub mod identity_pool;
mod issuer;
mod jwks;
mod jws;
mod partition;
mod payload;
pub mod rejection;
mod require;
pub mod token;
mod verifier;

#[cfg(feature = "test-util")]
pub mod test_util;

pub use authentication::Authentication;
pub use claims::{Claims, Identity, Scopes};
pub use clock::{Clock, ManualClock};
pub use crypto::{Algorithm, MAX_RSA_BITS, MIN_RSA_BITS};
pub use error::{ConfigError, Error, ErrorClass, ErrorKind, RETRY_AFTER_SECS, Unmet};
pub use issuer::{
    ClientChosen, NoClient, NoTokenUse, OidcIssuer, TokenUse, TokenUseChosen, UserPool,
};
pub use jwks::{Jwks, SkippedKey};
pub use require::Require;
pub use verifier::{
    DEFAULT_CACHE_CAPACITY, DEFAULT_JWKS_CONNECT_TIMEOUT, DEFAULT_JWKS_COOLDOWN,
    DEFAULT_JWKS_TIMEOUT, DEFAULT_MAX_JSON_DEPTH, DEFAULT_MAX_JWKS_SIZE, DEFAULT_MAX_TOKEN_LEN,
    Decision, MAX_LEEWAY, RefreshHandle, Verifier, VerifierBuilder,
};
