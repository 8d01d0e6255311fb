//! axum extractors for Amazon Cognito claims, with the Tower layers of `cognito-tower`.
//!
//! ```
//! use axum::{Router, routing::get};
//! use cognito_axum::prelude::*;
//! use http::{Request, StatusCode};
//! use tower::ServiceExt;
//!
//! async fn me(claims: Claims) -> String {
//!     claims.username().unwrap_or_default().to_owned()
//! }
//!
//! async fn admin(claims: Claims) -> String {
//!     format!("welcome, {}", claims.sub())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let issuer = cognito_core::test_util::LocalIssuer::start()?;
//! let app = Router::new()
//!     .route("/me", get(me))
//!     .route("/admin", get(admin).route_layer(require(Require::group("admin"))))
//!     .layer(CognitoAuth::new(issuer.user_pool()));
//!
//! let token = issuer.id_token().username("alice").sign();
//! let request = Request::get("/me").header("authorization", format!("Bearer {token}"));
//! let response = app.clone().oneshot(request.body(axum::body::Body::empty())?).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let request = Request::get("/admin").header("authorization", format!("Bearer {token}"));
//! let response = app.oneshot(request.body(axum::body::Body::empty())?).await?;
//! assert_eq!(response.status(), StatusCode::FORBIDDEN);
//! # Ok(())
//! # }
//! ```
//!
//! [`CognitoAuth`] (from `cognito-tower`) verifies each request once and stores the claims in
//! the request extensions; the extractors here read them without verifying or parsing again:
//!
//! - [`Claims<T>`]: any verified token; `T` is your own type, deserialized from the payload.
//!   `Option<Claims<T>>` for routes under [`CognitoAuth::optional`].
//! - [`IdToken<T>`], [`AccessToken<T>`]: the same, for one token use only.
//! - [`InGroup<G, T>`], [`HasScope<S, T>`]: the same, requiring a group or a scope named by a
//!   type, so the rule is visible in the handler's signature.
//!
//! Rejections ([`AuthRejection`]) are rendered like the layer's: the same statuses,
//! challenges and body format.

#[cfg(feature = "identity-pool")]
mod credentials;
mod extract;
mod rejection;

pub use cognito_core;
pub use cognito_tower;
pub use cognito_tower::{CognitoAuth, Rejections, TokenSource, require};
pub use extract::{AccessToken, Claims, Group, HasScope, IdToken, InGroup, Scope};
pub use rejection::AuthRejection;

#[cfg(feature = "identity-pool")]
pub use cognito_tower::IdentityPoolLayer;
#[cfg(feature = "identity-pool")]
pub use credentials::AwsCredentials;

/// What an axum application needs, in one import.
pub mod prelude {
    pub use crate::{
        AccessToken, AuthRejection, Claims, CognitoAuth, Group, HasScope, IdToken, InGroup,
        Rejections, Scope, TokenSource, require,
    };
    pub use cognito_core::{OidcIssuer, Require, TokenUse, UserPool, Verifier};

    #[cfg(feature = "identity-pool")]
    pub use crate::{AwsCredentials, IdentityPoolLayer};
    #[cfg(feature = "identity-pool")]
    pub use cognito_core::identity_pool::IdentityPool;
}
