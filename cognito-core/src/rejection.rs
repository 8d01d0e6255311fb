//! The answer to a refused request, decided once for every adapter: status, `WWW-Authenticate`,
//! `Retry-After`, `Cache-Control`, body, and the gRPC status and content type for gRPC and
//! gRPC-web requests.
//!
//! ```
//! use cognito_core::rejection::{BodyFormat, Rejection};
//! use cognito_core::Error;
//!
//! let rejection = Rejection::new(&Error::missing_token(), "api", BodyFormat::PlainText);
//! assert_eq!(rejection.status, 401);
//! assert_eq!(rejection.www_authenticate.as_deref(), Some("Bearer realm=\"api\""));
//! assert_eq!(rejection.body, "no bearer token");
//! assert_eq!(rejection.cache_control, "no-store");
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use serde_json::json;

use crate::error::Error;

/// The body format of a rejection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyFormat {
    /// `text/plain`: the short description.
    #[default]
    PlainText,
    /// `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`, and `error`
    /// (the RFC 6750 error code) when there is one.
    ProblemJson,
}

/// The `Cache-Control` of every refusal. A gRPC refusal is an HTTP 200, and any client can ask
/// for one by its `Content-Type`, so no cache on the way may keep it as the page of a
/// protected URL; HTTP refusals depend on the caller's credentials and are not kept either.
pub const CACHE_CONTROL: &str = "no-store";

/// An HTTP answer to a refused request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rejection {
    /// The status code.
    pub status: u16,
    /// The `WWW-Authenticate` value, for 401 and 403.
    pub www_authenticate: Option<String>,
    /// `Retry-After` in seconds, for 503.
    pub retry_after: Option<u64>,
    /// The `Cache-Control` value: always [`CACHE_CONTROL`].
    pub cache_control: &'static str,
    /// The `Content-Type` of `body`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

impl Rejection {
    /// The answer to `error`, with the challenge naming `realm`.
    #[must_use]
    pub fn new(error: &Error, realm: &str, format: BodyFormat) -> Self {
        let class = error.class();
        let description = error.kind().description();
        let (content_type, body) = match format {
            BodyFormat::PlainText => ("text/plain; charset=utf-8", description.into_owned()),
            BodyFormat::ProblemJson => {
                let mut problem = json!({
                    "type": "about:blank",
                    "title": class.title(),
                    "status": class.status(),
                    "detail": description,
                });
                if let Some(code) = class.error_code() {
                    problem["error"] = json!(code);
                }
                ("application/problem+json", problem.to_string())
            }
        };
        Rejection {
            status: class.status(),
            www_authenticate: error.www_authenticate(realm),
            retry_after: error.retry_after().map(|d| d.as_secs()),
            cache_control: CACHE_CONTROL,
            content_type,
            body,
        }
    }
}

/// The gRPC protocol a request speaks, read from its `Content-Type`. A refusal answers in the
/// same protocol: a gRPC-web client does not accept a plain gRPC content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GrpcProtocol {
    /// `application/grpc`, `application/grpc+proto`, …
    Grpc,
    /// `application/grpc-web`, `application/grpc-web+proto`, …
    GrpcWeb,
    /// `application/grpc-web-text`, `application/grpc-web-text+proto`, … (base64 messages).
    GrpcWebText,
}

impl GrpcProtocol {
    /// The protocol of a request with this `Content-Type`, or `None` when it is not a gRPC
    /// call. The media type is matched without regard to case; a `+suffix` or parameters may
    /// follow it.
    ///
    /// ```
    /// use cognito_core::rejection::GrpcProtocol;
    ///
    /// assert_eq!(
    ///     GrpcProtocol::from_content_type(b"application/grpc-web+proto"),
    ///     Some(GrpcProtocol::GrpcWeb)
    /// );
    /// assert_eq!(GrpcProtocol::from_content_type(b"application/json"), None);
    /// ```
    #[must_use]
    pub fn from_content_type(content_type: &[u8]) -> Option<Self> {
        const GRPC: &[u8] = b"application/grpc";
        let (prefix, rest) = content_type.split_at_checked(GRPC.len())?;
        if !prefix.eq_ignore_ascii_case(GRPC) {
            return None;
        }
        let (protocol, rest) = match strip_prefix_ignore_case(rest, b"-web-text") {
            Some(rest) => (GrpcProtocol::GrpcWebText, rest),
            None => match strip_prefix_ignore_case(rest, b"-web") {
                Some(rest) => (GrpcProtocol::GrpcWeb, rest),
                None => (GrpcProtocol::Grpc, rest),
            },
        };
        // The media type ends here: a subtype suffix, parameters, or nothing.
        match rest.first() {
            None | Some(b'+' | b';' | b' ' | b'\t') => Some(protocol),
            Some(_) => None,
        }
    }

    /// The `Content-Type` of a refusal in this protocol.
    #[must_use]
    pub const fn content_type(self) -> &'static str {
        match self {
            GrpcProtocol::Grpc => "application/grpc",
            GrpcProtocol::GrpcWeb => "application/grpc-web",
            GrpcProtocol::GrpcWebText => "application/grpc-web-text",
        }
    }
}

fn strip_prefix_ignore_case<'a>(bytes: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let (head, rest) = bytes.split_at_checked(prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then_some(rest)
}

/// A gRPC answer to a refused request: HTTP 200 with no message, these as `grpc-status` and
/// `grpc-message` ("trailers-only"), the request's protocol as `Content-Type`, and
/// `Cache-Control: no-store`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GrpcRejection {
    /// The `grpc-status` code.
    pub status: u8,
    /// The `grpc-message`, already percent-encoded as gRPC requires.
    pub message: String,
    /// The `Content-Type`: the request's protocol.
    pub content_type: &'static str,
    /// The `Cache-Control` value: always [`CACHE_CONTROL`].
    pub cache_control: &'static str,
}

impl GrpcRejection {
    /// The answer to `error` for a request in `protocol`.
    #[must_use]
    pub fn new(error: &Error, protocol: GrpcProtocol) -> Self {
        GrpcRejection {
            status: error.class().grpc_status(),
            message: percent_encode(&error.kind().description()),
            content_type: protocol.content_type(),
            cache_control: CACHE_CONTROL,
        }
    }
}

/// Whether a request's `Content-Type` makes it a gRPC call (`application/grpc`,
/// `application/grpc+proto`, `application/grpc-web`…): see [`GrpcProtocol::from_content_type`].
#[must_use]
pub fn is_grpc(content_type: &[u8]) -> bool {
    GrpcProtocol::from_content_type(content_type).is_some()
}

/// gRPC's `grpc-message` encoding: printable ASCII except `%` as is, every other byte as `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if (0x20..=0x7e).contains(&byte) && byte != b'%' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// How a web framework writes a refusal as its own response type. Each adapter implements it
/// once, on a marker type, and names its [`Rejections`] after it.
pub trait Render: 'static {
    /// The framework's response.
    type Response: 'static;

    /// The standard answer to `error`: the [`Rejection`] of `error`, `realm` and `format` as
    /// the framework's response.
    fn standard(error: &Error, realm: &str, format: BodyFormat) -> Self::Response;
}

type Custom<R> = Arc<dyn Fn(&Error, &str) -> <R as Render>::Response + Send + Sync>;

/// How refused requests are answered: the realm of the challenge and the body format, or a
/// renderer of your own. Each adapter's `Rejections` is this type for its framework; the auth
/// layer stores its `Rejections` in the request extensions, so a `require` rule or an extractor
/// after it answers in the same style.
pub struct Rejections<R: Render> {
    realm: Arc<str>,
    format: BodyFormat,
    custom: Option<Custom<R>>,
    framework: PhantomData<fn() -> R>,
}

impl<R: Render> Default for Rejections<R> {
    fn default() -> Self {
        Rejections {
            realm: Arc::from("api"),
            format: BodyFormat::PlainText,
            custom: None,
            framework: PhantomData,
        }
    }
}

impl<R: Render> Clone for Rejections<R> {
    fn clone(&self) -> Self {
        Rejections {
            realm: Arc::clone(&self.realm),
            format: self.format,
            custom: self.custom.clone(),
            framework: PhantomData,
        }
    }
}

impl<R: Render> Rejections<R> {
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

    /// Renders every refusal with `render(error, realm)` (a gRPC call is still answered the
    /// gRPC way). The adapter's `default_response` builds the standard answer, to adjust rather
    /// than rewrite.
    #[must_use]
    pub fn custom(
        mut self,
        render: impl Fn(&Error, &str) -> R::Response + Send + Sync + 'static,
    ) -> Self {
        self.custom = Some(Arc::new(render));
        self
    }

    /// The answer to `error`: the custom renderer's, or the standard one.
    #[must_use]
    pub fn render(&self, error: &Error) -> R::Response {
        tracing::debug!(kind = ?error.kind(), status = error.status(), "request refused");
        match &self.custom {
            Some(render) => render(error, &self.realm),
            None => R::standard(error, &self.realm, self.format),
        }
    }
}

impl<R: Render> fmt::Debug for Rejections<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejections")
            .field("realm", &self.realm)
            .field("format", &self.format)
            .field("custom", &self.custom.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A framework whose response is the core rejection itself.
    struct Plain;

    impl Render for Plain {
        type Response = Rejection;

        fn standard(error: &Error, realm: &str, format: BodyFormat) -> Rejection {
            Rejection::new(error, realm, format)
        }
    }

    #[test]
    fn rejections_render_in_their_realm_and_format_or_with_the_custom_renderer() {
        let error = Error::missing_token();
        let plain = Rejections::<Plain>::default().render(&error);
        assert_eq!(plain, Rejection::new(&error, "api", BodyFormat::PlainText));
        let json = Rejections::<Plain>::default()
            .realm("reports")
            .problem_json()
            .render(&error);
        assert_eq!(
            json,
            Rejection::new(&error, "reports", BodyFormat::ProblemJson)
        );
        let custom = Rejections::<Plain>::default()
            .realm("own")
            .custom(|error, realm| {
                let mut answer = Rejection::new(error, realm, BodyFormat::PlainText);
                answer.body = format!("custom in {realm}");
                answer
            });
        assert_eq!(custom.clone().render(&error).body, "custom in own");
        assert_eq!(
            format!("{custom:?}"),
            "Rejections { realm: \"own\", format: PlainText, custom: true }"
        );
    }
    use crate::error::ErrorKind;

    #[test]
    fn problem_json_carries_status_title_detail_and_error_code() {
        let rejection = Rejection::new(
            &Error::new(ErrorKind::Expired),
            "api",
            BodyFormat::ProblemJson,
        );
        assert_eq!(rejection.content_type, "application/problem+json");
        let body: serde_json::Value = serde_json::from_str(&rejection.body).unwrap();
        assert_eq!(body["status"], 401);
        assert_eq!(body["title"], "Unauthorized");
        assert_eq!(body["detail"], "the token has expired");
        assert_eq!(body["error"], "invalid_token");
    }

    #[test]
    fn unavailable_keys_give_retry_after_and_grpc_unavailable() {
        let err = Error::new(ErrorKind::KeysUnavailable);
        let rejection = Rejection::new(&err, "api", BodyFormat::PlainText);
        assert_eq!(rejection.status, 503);
        assert_eq!(rejection.retry_after, Some(crate::RETRY_AFTER_SECS));
        assert_eq!(rejection.www_authenticate, None);
        assert_eq!(GrpcRejection::new(&err, GrpcProtocol::Grpc).status, 14);
    }

    #[test]
    fn grpc_message_is_percent_encoded() {
        let err = Error::new(ErrorKind::CheckFailed("100% é".into()));
        assert_eq!(
            GrpcRejection::new(&err, GrpcProtocol::Grpc).message,
            "100%25 %C3%A9"
        );
        let missing = GrpcRejection::new(&Error::missing_token(), GrpcProtocol::Grpc);
        assert_eq!(missing.status, 16);
    }

    #[test]
    fn grpc_content_types_are_recognised() {
        assert!(is_grpc(b"application/grpc"));
        assert!(is_grpc(b"application/grpc+proto"));
        assert!(is_grpc(b"Application/GRPC-web"));
        assert!(!is_grpc(b"application/json"));
        assert!(!is_grpc(b"application/grp"));
        assert!(!is_grpc(b"application/grpcx"));
        assert!(!is_grpc(b"application/grpc-webby"));
    }

    #[test]
    fn grpc_web_requests_are_answered_in_their_own_protocol() {
        let cases: [(&[u8], GrpcProtocol, &str); 8] = [
            (b"application/grpc", GrpcProtocol::Grpc, "application/grpc"),
            (
                b"application/grpc+proto",
                GrpcProtocol::Grpc,
                "application/grpc",
            ),
            (
                b"application/grpc-web",
                GrpcProtocol::GrpcWeb,
                "application/grpc-web",
            ),
            (
                b"application/grpc-web+proto",
                GrpcProtocol::GrpcWeb,
                "application/grpc-web",
            ),
            (
                b"Application/GRPC-Web; charset=utf-8",
                GrpcProtocol::GrpcWeb,
                "application/grpc-web",
            ),
            (
                b"application/grpc-web-text",
                GrpcProtocol::GrpcWebText,
                "application/grpc-web-text",
            ),
            (
                b"application/grpc-web-text+proto",
                GrpcProtocol::GrpcWebText,
                "application/grpc-web-text",
            ),
            (
                b"APPLICATION/GRPC-WEB-TEXT",
                GrpcProtocol::GrpcWebText,
                "application/grpc-web-text",
            ),
        ];
        for (request, protocol, answer) in cases {
            let found = GrpcProtocol::from_content_type(request);
            assert_eq!(
                found,
                Some(protocol),
                "{}",
                String::from_utf8_lossy(request)
            );
            let rejection = GrpcRejection::new(&Error::missing_token(), protocol);
            assert_eq!(rejection.content_type, answer);
        }
    }

    #[test]
    fn every_refusal_is_no_store() {
        let errors = [
            Error::missing_token(),
            Error::new(ErrorKind::Expired),
            Error::new(ErrorKind::KeysUnavailable),
            Error::misconfigured("no layer"),
        ];
        for error in &errors {
            for format in [BodyFormat::PlainText, BodyFormat::ProblemJson] {
                assert_eq!(
                    Rejection::new(error, "api", format).cache_control,
                    "no-store"
                );
            }
            assert_eq!(
                GrpcRejection::new(error, GrpcProtocol::GrpcWeb).cache_control,
                "no-store"
            );
        }
    }
}
