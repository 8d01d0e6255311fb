//! The caller's AWS credentials as an extractor (feature `identity-pool`).

use std::fmt;
use std::ops::Deref;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use cognito_core::Error;
use cognito_tower::CredentialsHandle;
use http::request::Parts;

use crate::AuthRejection;

const MISSING_LAYER: &str =
    "the AwsCredentials extractor needs the IdentityPoolLayer (inside CognitoAuth) on this route";

/// Temporary AWS credentials for the caller, from the identity pool of the
/// [`IdentityPoolLayer`](cognito_tower::IdentityPoolLayer) in front of the route. Derefs to
/// [`cognito_core::identity_pool::AwsCredentials`], which is an AWS SDK credentials provider.
///
/// The exchange happens when a handler asks for this extractor, once per request, from the
/// exchange's caches. 401 for an anonymous request when the pool gives no guest credentials
/// (`Option<AwsCredentials>` is then `None`); 403 when the identity pool refuses the user or
/// the request carries no ID token of the user; 503 with `Retry-After` when the identity pool
/// is unavailable; 500 when the layer is missing.
///
/// ```no_run
/// use cognito_axum::AwsCredentials;
///
/// async fn whoami(credentials: AwsCredentials) -> String {
///     format!("identity {}", credentials.identity_id())
/// }
/// ```
#[derive(Clone)]
pub struct AwsCredentials(pub cognito_core::identity_pool::AwsCredentials);

impl Deref for AwsCredentials {
    type Target = cognito_core::identity_pool::AwsCredentials;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl AwsCredentials {
    /// The credentials.
    pub fn into_inner(self) -> cognito_core::identity_pool::AwsCredentials {
        self.0
    }
}

fn handle(parts: &Parts) -> Result<CredentialsHandle, AuthRejection> {
    parts
        .extensions
        .get::<CredentialsHandle>()
        .cloned()
        .ok_or_else(|| {
            tracing::error!("{MISSING_LAYER}");
            AuthRejection::new(Error::misconfigured(MISSING_LAYER), parts)
        })
}

impl<S: Send + Sync> FromRequestParts<S> for AwsCredentials {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let handle = handle(parts)?;
        handle
            .get()
            .await
            .map(AwsCredentials)
            .map_err(|error| AuthRejection::new(error, parts))
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for AwsCredentials {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let handle = handle(parts)?;
        if handle.is_absent() {
            return Ok(None);
        }
        handle
            .get()
            .await
            .map(|c| Some(AwsCredentials(c)))
            .map_err(|error| AuthRejection::new(error, parts))
    }
}
