//! Amazon Cognito Lambda authorizers for API Gateway, built from a [`Verifier`] and route
//! rules.
//!
//! API Gateway's built-in Cognito authorizer checks a token and its scopes, but cannot say
//! "only the group `admin` may call `DELETE /orders/*`". An [`Authorizer`] can: it verifies
//! the token exactly as the `cognito-tower`, `cognito-axum` and `cognito-actix` adapters do,
//! then answers with what its [`Rules`] grant this user. It needs no web framework and no
//! Lambda runtime: feed it the event, return its answer from your handler.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use cognito_core::test_util::LocalIssuer;
//! use cognito_core::{Require, Verifier};
//! use cognito_lambda::{Authorizer, Rules};
//! use serde_json::json;
//!
//! let issuer = LocalIssuer::start()?;
//! let rules = Rules::new()
//!     .route("DELETE /orders/*", Require::group("admin"))
//!     .allow("* /orders/*")
//!     .build()?;
//! let authorizer = Authorizer::new(Verifier::from(issuer.user_pool()), rules);
//!
//! let token = issuer.id_token().username("alice").groups(["admin", "ops"]).sign();
//! let answer = authorizer
//!     .handle(json!({
//!         "type": "REQUEST",
//!         "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders/7",
//!         "headers": { "Authorization": format!("Bearer {token}") },
//!         "requestContext": {},
//!     }))
//!     .await?;
//! // Every route Alice may call, not just the one asked: API Gateway caches this answer.
//! assert_eq!(
//!     answer["policyDocument"]["Statement"][0]["Resource"],
//!     json!([
//!         "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/DELETE/orders/*",
//!         "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*/orders/*",
//!     ])
//! );
//! assert_eq!(answer["principalId"], answer["context"]["sub"]);
//! assert_eq!(answer["context"]["groups"], "admin ops");
//! # Ok(())
//! # }
//! ```
//!
//! # What is guaranteed
//!
//! - **A cached answer grants no more than the rules.** Rules and policies match routes the
//!   same way (IAM's `*`, `/` included); an IAM policy lists every route of the rules the user
//!   may call and explicitly denies what a wider `Allow` would let through; rule sets no IAM
//!   policy can express are refused by [`Rules::build`]. Simple responses, which name no
//!   route, are given only when API Gateway caches them per route or not at all
//!   ([`SimpleResponseCache`]).
//! - **Fail closed.** A route no rule matches is denied unless a default says otherwise. A
//!   missing, malformed, forged or expired token is `Unauthorized` (401); keys that cannot be
//!   fetched and events that cannot be read are errors (500), never a policy.
//! - **No panics, no tokens in output.** Malformed events are errors; tokens appear in no log,
//!   `Debug` output or error message.
//!
//! # The context
//!
//! API Gateway's authorizer `context` holds strings, numbers and booleans only. An allowed
//! request carries:
//!
//! | key | value |
//! |---|---|
//! | `sub` | the user's `sub` (also the `principalId`) |
//! | `username` | `cognito:username` or `username`, when the token has one |
//! | `client_id` | the app client of an access token, when present |
//! | `token_use` | `id` or `access` |
//! | `groups` | `cognito:groups` joined by single spaces: `"admin ops"`; `""` when none |
//! | `scopes` | the scopes joined by single spaces, as in the `scope` claim; `""` when none |
//!
//! Cognito group names and OAuth scopes contain no whitespace, so splitting on spaces gives
//! the lists back. Integrations read them as `event.requestContext.authorizer.groups` (REST,
//! HTTP API payload 1.0) or `event.requestContext.authorizer.lambda.groups` (payload 2.0).
//!
//! # Cold start
//!
//! A new Lambda execution environment starts with an empty key store. Either hydrate it at
//! init, before the first event, so the first invocation does not wait on the JWKS fetch:
//!
//! ```no_run
//! # async fn init(authorizer: cognito_lambda::Authorizer) -> Result<(), cognito_core::Error> {
//! authorizer.verifier().hydrate().await?; // then lambda_runtime::run(..)
//! # Ok(())
//! # }
//! ```
//!
//! or embed the pool's key set in the binary, so no invocation makes a network call at all
//! (a key rotation then needs a new deployment):
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let jwks_json = r#"{"keys": []}"#;
//! use cognito_core::{Jwks, TokenUse, UserPool, Verifier};
//!
//! // In a real build: Jwks::from_json(include_str!("../jwks.json"))?
//! let pool = UserPool::new("eu-west-1_AbCdEf123")?
//!     .client_id("4h5j6k7l8m9n0p1q2r3s4t5u6v")?
//!     .token_use(TokenUse::Id)
//!     .jwks(Jwks::from_json(jwks_json)?);
//! let verifier = Verifier::from(pool);
//! # Ok(())
//! # }
//! ```
//!
//! The `first_verification` benchmark measures the first verification of an authorizer built
//! that way.

mod arn;
mod authorizer;
mod context;
mod error;
mod route;
mod rules;

pub use authorizer::{Authorizer, HttpApiResponse, SimpleResponseCache};
pub use aws_lambda_events;
pub use aws_lambda_events::http::HeaderName;
pub use cognito_core::{Require, Verifier};
pub use error::{AuthorizerError, AuthorizerErrorKind, RulesError};
pub use rules::{RuleSet, Rules};
