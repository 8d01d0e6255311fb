//! actix-web middleware, extractors and guards that verify Amazon Cognito tokens.
//!
//! ```
//! use actix_web::http::StatusCode;
//! use actix_web::{App, HttpResponse, test, web};
//! use cognito_actix::{Claims, CognitoAuth, Require, require};
//! use cognito_core::test_util::LocalIssuer;
//!
//! async fn me(claims: Claims) -> HttpResponse {
//!     HttpResponse::Ok().body(claims.username().unwrap_or_default().to_owned())
//! }
//!
//! # #[actix_web::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let issuer = LocalIssuer::start()?;
//! let app = test::init_service(
//!     App::new()
//!         .wrap(CognitoAuth::new(issuer.user_pool()))
//!         .route("/me", web::get().to(me))
//!         .service(
//!             // The rule wraps the route, so other methods still get 405.
//!             web::resource("/admin")
//!                 .route(web::get().to(HttpResponse::Ok).wrap(require(Require::group("admin")))),
//!         ),
//! )
//! .await;
//! let get = |uri: &str, token: &str| {
//!     test::TestRequest::get()
//!         .uri(uri)
//!         .insert_header(("authorization", format!("Bearer {token}")))
//!         .to_request()
//! };
//!
//! let alice = issuer.id_token().username("alice").sign();
//! let body = test::call_and_read_body(&app, get("/me", &alice)).await;
//! assert_eq!(body, "alice");
//!
//! let response = test::call_service(&app, get("/admin", &alice)).await;
//! assert_eq!(response.status(), StatusCode::FORBIDDEN);
//!
//! let root = issuer.id_token().groups(["admin"]).sign();
//! let response = test::call_service(&app, get("/admin", &root)).await;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let anonymous = test::TestRequest::get().uri("/me").to_request();
//! let response = test::call_service(&app, anonymous).await;
//! assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
//! let challenge = response.headers().get("www-authenticate").unwrap();
//! assert_eq!(challenge, "Bearer realm=\"api\"");
//! # Ok(())
//! # }
//! ```
//!
//! # The pieces
//!
//! - [`CognitoAuth`] — middleware (an actix [`Transform`](actix_web::dev::Transform)) that
//!   verifies the token with a [`Verifier`] — every rule of cognito-core holds — and stores
//!   [`Authentication`] in the request extensions. Settings: [`optional`](CognitoAuth::optional),
//!   [`token_source`](CognitoAuth::token_source) (bearer, cookie, header, or a function),
//!   [`realm`](CognitoAuth::realm), a [`require`](CognitoAuth::require) rule for every request,
//!   [`problem_json`](CognitoAuth::problem_json) and [`rejections`](CognitoAuth::rejections) for
//!   a renderer of your own.
//! - Extractors — [`Claims<T>`], [`MaybeClaims<T>`], [`IdToken<T>`], [`AccessToken<T>`]: the
//!   verified claims, with your own claim type `T` deserialized from them. See [`extract`] for
//!   what each answers, and why `MaybeClaims` rather than `Option<Claims>`.
//! - [`require`] — middleware for a route or scope: 401 for an anonymous request, 403
//!   `insufficient_scope` when the [`Require`] rule fails, 500 with no `CognitoAuth` in front.
//! - [`guard`] — `guard::group("admin")`, `guard::scope(..)`, `guard::claim(..)` for `.guard(..)`:
//!   they choose between routes, and a non-matching guard falls through to the next route
//!   (typically a 404), never a 403. For "forbidden", use [`require`].
//!
//! # Answers
//!
//! Every status and `WWW-Authenticate` challenge is decided by cognito-core
//! ([`cognito_core::rejection`]), so they are the Tower layer's, byte for byte:
//!
//! | situation | status | `WWW-Authenticate` |
//! |---|---|---|
//! | malformed credentials (two `Authorization` headers, `Bearer` with a tab or two spaces), even when auth is optional | 400 | `Bearer realm="…", error="invalid_request", error_description="…"` |
//! | no token (and auth not optional) | 401 | `Bearer realm="…"` |
//! | malformed, bad signature, expired, wrong issuer / client / token use, unusable key | 401 | `Bearer realm="…", error="invalid_token", error_description="…"` |
//! | valid token, requirement not met | 403 | `Bearer realm="…", error="insufficient_scope", …` (+ `scope="…"`) |
//! | keys cannot be fetched and the `kid` is not cached, or the `kid` is unknown and the keys were fetched within the cooldown | 503 | none; `Retry-After` |
//! | extractor or `require` without `CognitoAuth`, or claims that do not fit `T` | 500 | none |
//!
//! Bodies are short fixed texts (or RFC 9457 problem details), never anything taken from the
//! token, and every refusal carries `Cache-Control: no-store`. Unlike the Tower layer there is
//! no gRPC mapping: actix-web does not serve gRPC, so a request with a gRPC or gRPC-web
//! content type gets the HTTP answer.
//!
//! # Testing your app
//!
//! The `test-util` feature enables `cognito_core::test_util::LocalIssuer` (reachable as
//! `cognito_actix::cognito_core::test_util::LocalIssuer`): local keys, a JWKS endpoint on
//! 127.0.0.1, and Cognito-shaped tokens, as in the example above.

mod auth;
#[cfg(feature = "identity-pool")]
mod credentials;
pub mod extract;
pub mod guard;
mod rejections;
mod require;
mod source;

pub use auth::{CognitoAuth, CognitoAuthMiddleware, ResponseFuture};
pub use cognito_core;
pub use cognito_core::{Authentication, Require, TokenUse, UserPool, Verifier};
#[cfg(feature = "identity-pool")]
pub use credentials::{AwsCredentials, IdentityPoolData};
pub use extract::{AccessToken, Claims, ClaimsError, IdToken, MaybeClaims};
pub use rejections::{ActixRender, Rejections, default_response};
pub use require::{Requirement, RequirementMiddleware, require};
pub use source::TokenSource;

/// The response future of [`RequirementMiddleware`].
pub use require::ResponseFuture as RequireFuture;
