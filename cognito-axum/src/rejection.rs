//! The rejection of the extractors, rendered like the auth layer's refusals.

use std::fmt;

use axum_core::response::{IntoResponse, Response};
use cognito_core::Error;
use cognito_core::rejection::GrpcProtocol;
use cognito_tower::Rejections;
use http::StatusCode;
use http::request::Parts;

/// Why an extractor refused the request:
///
/// - 401 without verified claims;
/// - 401 `invalid_token` for a token of the wrong use at [`IdToken`](crate::IdToken) or
///   [`AccessToken`](crate::AccessToken): the answer the layers give to a wrong token use
///   everywhere (the pool's setting, a failing `Require::token_use` part of a rule);
/// - 403 `insufficient_scope` when the route's group or scope is not met;
/// - from the `AwsCredentials` extractor (feature `identity-pool`): 403 when the identity pool
///   refuses the user or no ID token of the user came with the request, and 503 with
///   `Retry-After` when the identity pool is unavailable;
/// - 500 when the [`CognitoAuth`](crate::CognitoAuth) layer (or the identity-pool layer) is
///   missing, or the claims do not fit the handler's type.
pub struct AuthRejection {
    error: Error,
    rejections: Option<Rejections>,
    grpc: Option<GrpcProtocol>,
}

impl AuthRejection {
    pub(crate) fn new(error: Error, parts: &Parts) -> Self {
        let grpc = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| GrpcProtocol::from_content_type(v.as_bytes()));
        AuthRejection {
            error,
            rejections: parts.extensions.get::<Rejections>().cloned(),
            grpc,
        }
    }

    /// The status it answers with.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The text of the answer.
    #[must_use]
    pub fn body_text(&self) -> String {
        self.error.to_string()
    }

    /// The underlying error.
    #[must_use]
    pub fn error(&self) -> &Error {
        &self.error
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let rejections = self.rejections.unwrap_or_default();
        cognito_tower::render(&rejections, &self.error, self.grpc).into_response()
    }
}

impl fmt::Debug for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthRejection")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for AuthRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}
