//! How refused requests are answered: the realm of the challenge and the body format, or a
//! renderer of your own. gRPC and gRPC-web calls are always answered the gRPC way, in the
//! request's own protocol.

use bytes::Bytes;
use cognito_core::Error;
use cognito_core::rejection::{BodyFormat, GrpcProtocol, GrpcRejection, Rejection, Render};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderMap, Response, StatusCode};
use http_body_util::Full;

/// The body of a rejection.
pub type RejectionBody = Full<Bytes>;

/// The framework of [`Rejections`]: refusals written as `http` 1 responses.
#[derive(Debug, Clone, Copy)]
pub struct TowerRender;

impl Render for TowerRender {
    type Response = Response<RejectionBody>;

    fn standard(error: &Error, realm: &str, format: BodyFormat) -> Self::Response {
        default_response(error, realm, format)
    }
}

/// Renders refusals: the realm, the body format, or a renderer of your own
/// ([`Rejections::custom`](cognito_core::rejection::Rejections::custom), which answers every
/// non-gRPC refusal). Shared by [`CognitoAuth`](crate::CognitoAuth) and the layers and
/// extractors after it: the auth layer stores its `Rejections` in the request extensions, so a
/// [`require`](crate::require()) layer or an extractor answers in the same style.
///
/// ```
/// use cognito_core::rejection::BodyFormat;
/// use cognito_tower::{Rejections, default_response};
/// use http::header::{HeaderValue, VARY};
///
/// let plain = Rejections::default().realm("reports");
/// let json = Rejections::default().problem_json();
/// let own = Rejections::default().custom(|error, realm| {
///     let mut response = default_response(error, realm, BodyFormat::PlainText);
///     response.headers_mut().insert(VARY, HeaderValue::from_static("authorization"));
///     response
/// });
/// # let _ = (plain, json, own);
/// ```
pub type Rejections = cognito_core::rejection::Rejections<TowerRender>;

/// The answer to `error` in the style of `rejections`, or the gRPC way when the request speaks
/// a `grpc` protocol (see [`GrpcProtocol::from_content_type`]).
#[must_use]
pub fn render(
    rejections: &Rejections,
    error: &Error,
    grpc: Option<GrpcProtocol>,
) -> Response<RejectionBody> {
    match grpc {
        Some(protocol) => {
            tracing::debug!(kind = ?error.kind(), status = error.status(), "gRPC call refused");
            grpc_response(error, protocol)
        }
        None => rejections.render(error),
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
