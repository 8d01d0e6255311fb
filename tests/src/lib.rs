//! Helpers shared by the integration tests: small clients for the two Amazon Cognito emulators
//! that `./scripts/test.sh` installs and starts, [moto server](https://pypi.org/project/moto/)
//! and [cognito-local](https://www.npmjs.com/package/cognito-local).
//!
//! An emulator test first asks [`emulator_url`] where its emulator runs (it panics under
//! `CI=true` when the emulators are missing, and skips otherwise), then creates a fresh user pool
//! with [`EmulatorPool::create`], seeds users and groups, and signs in through the emulator's real
//! API to get tokens to verify:
//!
//! ```no_run
//! use cognito_integration_tests::{Emulator, EmulatorPool, PoolOptions, emulator_url};
//!
//! # async fn demo() {
//! let Some(url) = emulator_url(Emulator::Moto) else { return };
//! let pool = EmulatorPool::create(Emulator::Moto, &url, PoolOptions::default()).await;
//! pool.create_user("alice", "correct horse", &[("email", "alice@example.com")]).await;
//! pool.add_to_group("alice", "admins").await;
//! let tokens = pool.sign_in(&pool.client_id, "alice", "correct horse").await;
//! // Verify `tokens.id_token` against `pool.issuer`, `pool.client_id` and `pool.jwks_url`.
//! # }
//! ```
//!
//! Every call is a JSON 1.1 `POST` to the emulator's root with
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`; neither emulator checks signatures.
//! These are test helpers: any error from an emulator panics with the operation's name and the
//! response body.

pub mod behaviour;
mod emulator;
mod identity_endpoint;
mod identity_pool;
mod jwt;
mod loopback;
mod user_pool;
mod verifier_config;
mod wire;

pub use emulator::{COGNITO_LOCAL_URL_VAR, Emulator, MOTO_URL_VAR, emulator_url};
pub use identity_endpoint::{IdentityAnswer, IdentityCall, IdentityEndpoint};
pub use identity_pool::EmulatorIdentityPool;
pub use jwt::{decode_claims, edit_claims};
pub use loopback::{ActixServer, AxumServer, http_client};
pub use user_pool::{EmulatorPool, PoolOptions, Tokens};
pub use wire::IDENTITY_TARGET_PREFIX;

/// The README's code blocks, compiled and run as doctests so they stay true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
