//! The extractors: claims, claims of one token use, claims with a group or scope.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use cognito_core::{Authentication, Error, Require, TokenUse};
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::AuthRejection;

/// The claims the auth layer verified (`None` for an anonymous request), checked for the
/// token use and typed as `T`; the decisions are cognito-core's.
fn verified<T>(
    parts: &Parts,
    token_use: Option<TokenUse>,
) -> Result<Option<cognito_core::Claims<T>>, AuthRejection>
where
    T: DeserializeOwned + 'static,
{
    Authentication::claims_for(parts.extensions.get::<Authentication>(), token_use)
        .map_err(|error| AuthRejection::new(error, parts))
}

fn required<T>(
    parts: &Parts,
    token_use: Option<TokenUse>,
) -> Result<cognito_core::Claims<T>, AuthRejection>
where
    T: DeserializeOwned + 'static,
{
    verified(parts, token_use)?.ok_or_else(|| AuthRejection::new(Error::missing_token(), parts))
}

/// A refusal for a rule that `claims` was found not to meet; built only on that path.
fn refuse<T>(rule: Require, claims: &cognito_core::Claims<T>, parts: &Parts) -> AuthRejection {
    let error = match rule.check(claims) {
        Err(unmet) => Error::from(unmet),
        Ok(()) => Error::misconfigured("a rule was reported unmet but holds"),
    };
    AuthRejection::new(error, parts)
}

macro_rules! claims_wrapper {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<T = ()>(pub cognito_core::Claims<T>);

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

        impl<T> $name<T> {
            /// The verified claims.
            pub fn into_inner(self) -> cognito_core::Claims<T> {
                self.0
            }
        }
    };
}

claims_wrapper! {
    /// The verified claims of the request, with your own `T` deserialized from the payload
    /// (`()` for none). Derefs to [`cognito_core::Claims`], which derefs to `T`.
    ///
    /// 401 when the request is anonymous; `Option<Claims<T>>` makes that `None` instead (a
    /// present but invalid token never gets that far: the layer refuses it). 500 when the
    /// [`CognitoAuth`](crate::CognitoAuth) layer is missing or the claims do not fit `T`.
    ///
    /// ```
    /// use cognito_axum::Claims;
    /// use serde::Deserialize;
    ///
    /// #[derive(Deserialize)]
    /// struct Profile {
    ///     #[serde(rename = "custom:department")]
    ///     department: Option<String>,
    /// }
    ///
    /// async fn me(claims: Claims<Profile>) -> String {
    ///     format!("{} in {:?}", claims.sub(), claims.department)
    /// }
    /// ```
    Claims
}

claims_wrapper! {
    /// [`Claims`] of an ID token only; an access token is refused with 401 `invalid_token`.
    IdToken
}

claims_wrapper! {
    /// [`Claims`] of an access token only; an ID token is refused with 401 `invalid_token`.
    AccessToken
}

impl<S, T> FromRequestParts<S> for Claims<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        required(parts, None).map(Claims)
    }
}

impl<S, T> OptionalFromRequestParts<S> for Claims<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        verified(parts, None).map(|claims| claims.map(Claims))
    }
}

impl<S, T> FromRequestParts<S> for IdToken<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        required(parts, Some(TokenUse::Id)).map(IdToken)
    }
}

impl<S, T> FromRequestParts<S> for AccessToken<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        required(parts, Some(TokenUse::Access)).map(AccessToken)
    }
}

/// Names a Cognito group for [`InGroup`].
///
/// ```
/// use cognito_axum::{Claims, Group, InGroup};
///
/// struct Admin;
/// impl Group for Admin {
///     const NAME: &'static str = "admin";
/// }
///
/// async fn purge(InGroup(claims, ..): InGroup<Admin>) -> String {
///     format!("purged by {}", claims.sub())
/// }
/// ```
pub trait Group {
    /// The group, as it appears in `cognito:groups`.
    const NAME: &'static str;
}

/// Names an OAuth scope for [`HasScope`].
pub trait Scope {
    /// The scope, as it appears in `scope` (e.g. `reports/read`).
    const NAME: &'static str;
}

/// [`Claims`] of a member of the group `G`; others are refused with 403 `insufficient_scope`.
pub struct InGroup<G, T = ()>(pub cognito_core::Claims<T>, pub PhantomData<G>);

/// [`Claims`] of a token with the scope `S`; others are refused with 403 `insufficient_scope`
/// and `scope="…"`.
pub struct HasScope<S, T = ()>(pub cognito_core::Claims<T>, pub PhantomData<S>);

impl<G, T> Deref for InGroup<G, T> {
    type Target = cognito_core::Claims<T>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<S, T> Deref for HasScope<S, T> {
    type Target = cognito_core::Claims<T>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<G, T> fmt::Debug for InGroup<G, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("InGroup").field(&self.0).finish()
    }
}

impl<S, T> fmt::Debug for HasScope<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("HasScope").field(&self.0).finish()
    }
}

impl<St, G, T> FromRequestParts<St> for InGroup<G, T>
where
    St: Send + Sync,
    G: Group,
    T: DeserializeOwned + Send + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        let claims = required::<T>(parts, None)?;
        if claims.in_group(G::NAME) {
            Ok(InGroup(claims, PhantomData))
        } else {
            Err(refuse(Require::group(G::NAME), &claims, parts))
        }
    }
}

impl<St, Sc, T> FromRequestParts<St> for HasScope<Sc, T>
where
    St: Send + Sync,
    Sc: Scope,
    T: DeserializeOwned + Send + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        let claims = required::<T>(parts, None)?;
        if claims.has_scope(Sc::NAME) {
            Ok(HasScope(claims, PhantomData))
        } else {
            Err(refuse(Require::scope(Sc::NAME), &claims, parts))
        }
    }
}
