//! Extractors for the claims [`CognitoAuth`](crate::CognitoAuth) verified.
//!
//! Each reads the [`Authentication`] the middleware stored in the request extensions: nothing
//! is verified or parsed again, except the application's own type `T`, which is deserialized
//! from the verified payload. Refusals are [`ClaimsError`]s, rendered in the middleware's style
//! (realm, body format, custom renderer).
//!
//! | extractor | no `CognitoAuth` | anonymous request | verified | `T` does not fit |
//! |---|---|---|---|---|
//! | [`Claims<T>`] | 500 | 401 | the claims | 500 |
//! | [`MaybeClaims<T>`] | 500 | `None` | `Some(claims)` | 500 |
//! | [`IdToken<T>`] / [`AccessToken<T>`] | 500 | 401 | the claims, or 401 for the other token use | 500 |
//! | `Option<Claims<T>>` | **`None`** | `None` | `Some(claims)` | **`None`** |
//!
//! A request whose token is present but invalid never reaches an extractor: `CognitoAuth`
//! refuses it first, optional or not.
//!
//! actix-web's own `impl FromRequest for Option<T>` turns *every* error into `None`, so
//! `Option<Claims<T>>` also hides a forgotten middleware and a claim type that does not fit.
//! Prefer [`MaybeClaims<T>`], which answers those with a 500.

use std::fmt;
use std::future::{Ready, ready};
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use cognito_core::{Authentication, Error, TokenUse};
use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};

use crate::Rejections;

/// Why an extractor refused a request:
///
/// - 401: an anonymous request, or 401 `invalid_token` for a token of the wrong use at
///   [`IdToken`] or [`AccessToken`];
/// - from the `AwsCredentials` extractor (feature `identity-pool`): 403 when the identity pool
///   refuses the user or no ID token of the user came with the request, and 503 with
///   `Retry-After` when the identity pool is unavailable;
/// - 500: no [`CognitoAuth`](crate::CognitoAuth) in front (or no identity-pool app data for
///   `AwsCredentials`), or claims that do not fit `T`.
///
/// Its response is rendered like the middleware's own refusals.
pub struct ClaimsError {
    error: Error,
    rejections: Rejections,
}

impl ClaimsError {
    pub(crate) fn new(req: &HttpRequest, error: Error) -> Self {
        let rejections = req
            .extensions()
            .get::<Rejections>()
            .cloned()
            .unwrap_or_default();
        ClaimsError { error, rejections }
    }

    /// The reason, with its status and challenge.
    #[must_use]
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// Takes the reason out.
    #[must_use]
    pub fn into_error(self) -> Error {
        self.error
    }
}

impl fmt::Display for ClaimsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl fmt::Debug for ClaimsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClaimsError")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl std::error::Error for ClaimsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl ResponseError for ClaimsError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        self.rejections.render(&self.error)
    }
}

/// The verified claims, checked for `token_use` and typed as `T`; `None` when anonymous. The
/// decisions are cognito-core's.
fn typed_claims<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    token_use: Option<TokenUse>,
) -> Result<Option<cognito_core::Claims<T>>, ClaimsError> {
    let authentication = req.extensions().get::<Authentication>().cloned();
    Authentication::claims_for(authentication.as_ref(), token_use)
        .map_err(|error| ClaimsError::new(req, error))
}

fn anonymous(req: &HttpRequest) -> ClaimsError {
    ClaimsError::new(req, Error::missing_token())
}

macro_rules! claims_wrapper {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<T = ()>(pub cognito_core::Claims<T>);

        impl<T> $name<T> {
            /// The claims, as cognito-core types them.
            #[must_use]
            pub fn into_inner(self) -> cognito_core::Claims<T> {
                self.0
            }
        }

        impl<T> Deref for $name<T> {
            type Target = cognito_core::Claims<T>;

            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }

        impl<T: Clone> Clone for $name<T> {
            fn clone(&self) -> Self {
                $name(self.0.clone())
            }
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }

        /// Writes the token's full payload as a JSON object.
        impl<T> Serialize for $name<T> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(serializer)
            }
        }

        impl<T> From<$name<T>> for cognito_core::Claims<T> {
            fn from(claims: $name<T>) -> Self {
                claims.0
            }
        }
    };
}

claims_wrapper! {
    /// The verified claims of the request, with the application's own claims `T`
    /// deserialized from the payload (`()` for none).
    ///
    /// Dereferences to [`cognito_core::Claims<T>`] (standard claims: `sub()`, `username()`,
    /// `groups()`, `custom(..)`…), which dereferences to `T`. Answers 401 for an anonymous
    /// request (under [`CognitoAuth::optional`](crate::CognitoAuth::optional)), and 500 when
    /// [`CognitoAuth`](crate::CognitoAuth) is missing or the claims do not fit `T`.
    ///
    /// ```
    /// use actix_web::{HttpResponse, Responder};
    /// use cognito_actix::Claims;
    /// use serde::Deserialize;
    ///
    /// #[derive(Deserialize)]
    /// struct Tenant {
    ///     #[serde(rename = "custom:tenant")]
    ///     tenant: String,
    /// }
    ///
    /// async fn me(claims: Claims<Tenant>) -> impl Responder {
    ///     let user = claims.username().unwrap_or_default();
    ///     HttpResponse::Ok().body(format!("{user} of {}", claims.tenant))
    /// }
    /// # let _ = actix_web::web::get().to(me);
    /// ```
    Claims
}

claims_wrapper! {
    /// The claims of a verified **ID token** (`token_use: id`): as [`Claims<T>`], and 401
    /// `invalid_token` for an access token.
    IdToken
}

claims_wrapper! {
    /// The claims of a verified **access token** (`token_use: access`): as [`Claims<T>`], and
    /// 401 `invalid_token` for an ID token.
    AccessToken
}

impl<T: DeserializeOwned + 'static> FromRequest for Claims<T> {
    type Error = ClaimsError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(typed_claims(req, None).and_then(|c| c.map(Claims).ok_or_else(|| anonymous(req))))
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for IdToken<T> {
    type Error = ClaimsError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            typed_claims(req, Some(TokenUse::Id))
                .and_then(|c| c.map(IdToken).ok_or_else(|| anonymous(req))),
        )
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for AccessToken<T> {
    type Error = ClaimsError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            typed_claims(req, Some(TokenUse::Access))
                .and_then(|c| c.map(AccessToken).ok_or_else(|| anonymous(req))),
        )
    }
}

/// The claims of a request under [`CognitoAuth::optional`](crate::CognitoAuth::optional):
/// `Some` when it carried a valid token, `None` when it carried none.
///
/// Unlike `Option<Claims<T>>` (whose `None` also stands for a missing middleware or claims
/// that do not fit `T`, because actix-web turns every extractor error into `None`), this
/// answers those with a 500. A present but invalid token never gets here: `CognitoAuth` has
/// refused it with a 401.
///
/// ```
/// use actix_web::{HttpResponse, Responder};
/// use cognito_actix::MaybeClaims;
///
/// async fn greet(claims: MaybeClaims) -> impl Responder {
///     match claims.as_ref().and_then(|c| c.username()) {
///         Some(user) => HttpResponse::Ok().body(format!("hello {user}")),
///         None => HttpResponse::Ok().body("hello stranger"),
///     }
/// }
/// # let _ = actix_web::web::get().to(greet);
/// ```
pub struct MaybeClaims<T = ()>(pub Option<cognito_core::Claims<T>>);

impl<T> MaybeClaims<T> {
    /// The claims, or `None` for an anonymous request.
    #[must_use]
    pub fn into_inner(self) -> Option<cognito_core::Claims<T>> {
        self.0
    }
}

impl<T> Deref for MaybeClaims<T> {
    type Target = Option<cognito_core::Claims<T>>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<T: Clone> Clone for MaybeClaims<T> {
    fn clone(&self) -> Self {
        MaybeClaims(self.0.clone())
    }
}

impl<T> fmt::Debug for MaybeClaims<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MaybeClaims").field(&self.0).finish()
    }
}

impl<T> From<MaybeClaims<T>> for Option<cognito_core::Claims<T>> {
    fn from(claims: MaybeClaims<T>) -> Self {
        claims.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for MaybeClaims<T> {
    type Error = ClaimsError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(typed_claims(req, None).map(MaybeClaims))
    }
}
