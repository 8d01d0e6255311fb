//! Tower layers that verify Amazon Cognito tokens, for any Tower stack over `http` 1: axum,
//! hyper, tonic.
//!
//! ```
//! use std::convert::Infallible;
//! use cognito_core::test_util::LocalIssuer;
//! use cognito_core::{Authentication, Require};
//! use cognito_tower::{CognitoAuth, require};
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let issuer = LocalIssuer::start()?;
//! let service = ServiceBuilder::new()
//!     .layer(CognitoAuth::new(issuer.user_pool()))
//!     .layer(require(Require::group("admin")))
//!     .service(service_fn(|req: Request<String>| async move {
//!         let claims = req.extensions().get::<Authentication>().and_then(Authentication::claims);
//!         let name = claims.and_then(|c| c.username()).unwrap_or_default().to_owned();
//!         Ok::<_, Infallible>(Response::new(name))
//!     }));
//!
//! let admin = issuer.id_token().username("alice").groups(["admin"]).sign();
//! let request = Request::get("/").header("authorization", format!("Bearer {admin}"));
//! let response = service.clone().oneshot(request.body(String::new())?).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let user = issuer.id_token().username("bob").sign();
//! let request = Request::get("/").header("authorization", format!("Bearer {user}"));
//! let response = service.clone().oneshot(request.body(String::new())?).await?;
//! assert_eq!(response.status(), StatusCode::FORBIDDEN);
//!
//! let response = service.oneshot(Request::get("/").body(String::new())?).await?;
//! assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
//! assert_eq!(response.headers()["www-authenticate"], "Bearer realm=\"api\"");
//! # Ok(())
//! # }
//! ```
//!
//! [`CognitoAuth`] verifies the token (with [`cognito_core::Verifier`]: every rule of
//! cognito-core holds) and puts [`Authentication`](cognito_core::Authentication) into the
//! request extensions; [`require`] guards routes with a [`Require`](cognito_core::Require)
//! rule. Refusals are `Ok` responses whose body is
//! [`AuthBody`]`::Right`; the inner service's responses pass through as `AuthBody::Left`.
//!
//! | situation | status | `WWW-Authenticate` |
//! |---|---|---|
//! | malformed credentials (two `Authorization` headers, `Bearer` with a tab or two spaces), even when auth is optional | 400 | `Bearer realm="…", error="invalid_request", error_description="…"` |
//! | no token (and auth not optional) | 401 | `Bearer realm="…"` |
//! | malformed, bad signature, expired, wrong issuer / client / token use, unusable key | 401 | `Bearer realm="…", error="invalid_token", error_description="…"` |
//! | valid token, requirement not met | 403 | `Bearer realm="…", error="insufficient_scope", …` (+ `scope="…"`) |
//! | keys cannot be fetched and the `kid` is not cached, or the `kid` is unknown and the keys were fetched within the cooldown | 503 | none; `Retry-After` |
//!
//! Requests with `Content-Type: application/grpc` (`+proto`, …) are refused the gRPC way: HTTP
//! 200 with `grpc-status` 16 (UNAUTHENTICATED), 7 (PERMISSION_DENIED) or 14 (UNAVAILABLE) and a
//! `grpc-message`, so the same layers protect a tonic server. gRPC-web requests
//! (`application/grpc-web`, `application/grpc-web-text`, with or without `+proto`) get the same
//! answer with their own protocol's content type (`application/grpc-web`,
//! `application/grpc-web-text`).
//!
//! Every refusal carries `Cache-Control: no-store`: a gRPC refusal is a 200 that any client can
//! ask for, and no cache on the way may keep it as the page of a protected URL.

mod auth;
#[cfg(feature = "identity-pool")]
mod identity;
mod rejections;
mod require;
mod source;

pub use auth::{CognitoAuth, CognitoAuthService, ResponseFuture};
pub use cognito_core;
pub use rejections::{RejectionBody, Rejections, TowerRender, default_response, render};
pub use require::{RequireLayer, RequireService, require};
pub use source::TokenSource;

#[cfg(feature = "identity-pool")]
pub use cognito_core::identity_pool::CredentialsHandle;
#[cfg(feature = "identity-pool")]
pub use identity::{IdentityFuture, IdentityPoolLayer, IdentityPoolService};

/// The response future of [`RequireService`].
pub use require::ResponseFuture as RequireFuture;

/// The response body of the layers: the inner service's body, or a rejection's.
pub type AuthBody<B> = http_body_util::Either<B, RejectionBody>;
