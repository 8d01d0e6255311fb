//! How refused requests are answered: the realm of the challenge and the body format, or a
//! renderer of your own. gRPC and gRPC-web calls are always answered the gRPC way, in the
//! request's own protocol.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use cognito_core::Error;
use cognito_core::rejection::{BodyFormat, GrpcProtocol, GrpcRejection, Rejection};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderMap, Response, StatusCode};
use http_body_util::Full;

/// The body of a rejection.
pub type RejectionBody = Full<Bytes>;

type Custom = Arc<dyn Fn(&Error, &str) -> Response<RejectionBody> + Send + Sync>;

/// Renders refusals. Shared by [`CognitoAuth`](crate::CognitoAuth) and the layers and
/// extractors after it: the auth layer stores its `Rejections` in the request extensions, so a
/// [`require`](crate::require()) layer or an extractor answers in the same style.
#[derive(Clone)]
pub struct Rejections {
    realm: Arc<str>,
    format: BodyFormat,
    custom: Option<Custom>,
}

impl Default for Rejections {
    fn default() -> Self {
        Rejections {
            realm: Arc::from("api"),
            format: BodyFormat::PlainText,
            custom: None,
        }
    }
}

impl Rejections {
    /// The realm named in `WWW-Authenticate` challenges. Default: `api`.
    #[must_use]
    pub fn realm(mut self, realm: impl Into<Arc<str>>) -> Self {
        self.realm = realm.into();
        self
    }

    /// Answers with RFC 9457 problem details (`application/problem+json`) instead of text.
    #[must_use]
    pub fn problem_json(mut self) -> Self {
        self.format = BodyFormat::ProblemJson;
        self
    }

    /// Renders every non-gRPC refusal with `render(error, realm)`. [`default_response`] builds
    /// the standard answer (with `Cache-Control: no-store`), to adjust rather than rewrite.
    #[must_use]
    pub fn custom(
        mut self,
        render: impl Fn(&Error, &str) -> Response<RejectionBody> + Send + Sync + 'static,
    ) -> Self {
        self.custom = Some(Arc::new(render));
        self
    }

    /// The answer to `error`, the gRPC way when the request speaks a `grpc` protocol (see
    /// [`GrpcProtocol::from_content_type`]).
    #[must_use]
    pub fn render(&self, error: &Error, grpc: Option<GrpcProtocol>) -> Response<RejectionBody> {
        tracing::debug!(kind = ?error.kind(), status = error.status(), "request refused");
        if let Some(protocol) = grpc {
            return grpc_response(error, protocol);
        }
        match &self.custom {
            Some(render) => render(error, &self.realm),
            None => default_response(error, &self.realm, self.format),
        }
    }
}

impl fmt::Debug for Rejections {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejections")
            .field("realm", &self.realm)
            .field("format", &self.format)
            .field("custom", &self.custom.is_some())
            .finish()
    }
}

/// The standard answer to `error`: status, `WWW-Authenticate`, `Retry-After`,
/// `Cache-Control: no-store` and a body in `format`.
#[must_use]
pub fn default_response(error: &Error, realm: &str, format: BodyFormat) -> Response<RejectionBody> {
    let rejection = Rejection::new(error, realm, format);
    let mut response = Response::new(Full::new(Bytes::from(rejection.body)));
    *response.status_mut() =
        StatusCode::from_u16(rejection.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(rejection.content_type),
    );
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static(rejection.cache_control),
    );
    insert(headers, WWW_AUTHENTICATE, rejection.www_authenticate);
    insert(
        headers,
        RETRY_AFTER,
        rejection.retry_after.map(|s| s.to_string()),
    );
    response
}

/// HTTP 200 with `grpc-status` and `grpc-message`, and no message body.
fn grpc_response(error: &Error, protocol: GrpcProtocol) -> Response<RejectionBody> {
    let grpc = GrpcRejection::new(error, protocol);
    let mut response = Response::new(Full::new(Bytes::new()));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(grpc.content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(grpc.cache_control));
    insert(headers, "grpc-status", Some(grpc.status.to_string()));
    insert(headers, "grpc-message", Some(grpc.message));
    response
}

/// The answer of a response future polled again after it completed: a 500, never a success.
pub(crate) fn polled_after_completion() -> Response<RejectionBody> {
    default_response(
        &Error::misconfigured("response future polled after completion"),
        "api",
        BodyFormat::PlainText,
    )
}

fn insert<K: http::header::IntoHeaderName>(
    headers: &mut HeaderMap,
    name: K,
    value: Option<String>,
) {
    // Every value comes from cognito-core, which keeps them to printable ASCII.
    if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
        headers.insert(name, value);
    }
}
