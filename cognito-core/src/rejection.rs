//! The answer to a refused request, decided once for every adapter: status, `WWW-Authenticate`,
//! `Retry-After`, body, and the gRPC status for `application/grpc` requests.
//!
//! ```
//! use cognito_core::rejection::{BodyFormat, Rejection};
//! use cognito_core::Error;
//!
//! let rejection = Rejection::new(&Error::missing_token(), "api", BodyFormat::PlainText);
//! assert_eq!(rejection.status, 401);
//! assert_eq!(rejection.www_authenticate.as_deref(), Some("Bearer realm=\"api\""));
//! assert_eq!(rejection.body, "no bearer token");
//! ```

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
            content_type,
            body,
        }
    }
}

/// A gRPC answer to a refused request: HTTP 200 with these as `grpc-status` and `grpc-message`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GrpcRejection {
    /// The `grpc-status` code.
    pub status: u8,
    /// The `grpc-message`, already percent-encoded as gRPC requires.
    pub message: String,
}

impl GrpcRejection {
    /// The gRPC answer to `error`.
    #[must_use]
    pub fn new(error: &Error) -> Self {
        GrpcRejection {
            status: error.class().grpc_status(),
            message: percent_encode(&error.kind().description()),
        }
    }
}

/// Whether a request's `Content-Type` makes it a gRPC call (`application/grpc`,
/// `application/grpc+proto`, `application/grpc-web`…).
#[must_use]
pub fn is_grpc(content_type: &[u8]) -> bool {
    content_type
        .get(..16)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"application/grpc"))
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

#[cfg(test)]
mod tests {
    use super::*;
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
        assert_eq!(GrpcRejection::new(&err).status, 14);
    }

    #[test]
    fn grpc_message_is_percent_encoded() {
        let err = Error::new(ErrorKind::CheckFailed("100% é".into()));
        assert_eq!(GrpcRejection::new(&err).message, "100%25 %C3%A9");
        assert_eq!(GrpcRejection::new(&Error::missing_token()).status, 16);
    }

    #[test]
    fn grpc_content_types_are_recognised() {
        assert!(is_grpc(b"application/grpc"));
        assert!(is_grpc(b"application/grpc+proto"));
        assert!(is_grpc(b"Application/GRPC-web"));
        assert!(!is_grpc(b"application/json"));
        assert!(!is_grpc(b"application/grp"));
    }
}
