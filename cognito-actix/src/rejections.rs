//! How refused requests are answered: the realm of the challenge and the body format, or a
//! renderer of your own.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE,
};
use cognito_core::Error;
use cognito_core::rejection::{BodyFormat, Rejection, Render};

/// The framework of [`Rejections`]: refusals written as actix-web responses.
#[derive(Debug, Clone, Copy)]
pub struct ActixRender;

impl Render for ActixRender {
    type Response = HttpResponse;

    fn standard(error: &Error, realm: &str, format: BodyFormat) -> HttpResponse {
        default_response(error, realm, format)
    }
}

/// Renders refusals: the realm, the body format, or a renderer of your own
/// ([`Rejections::custom`](cognito_core::rejection::Rejections::custom)). Shared by
/// [`CognitoAuth`](crate::CognitoAuth) and what runs after it: the middleware stores its
/// `Rejections` in the request extensions, so a [`require`](crate::require()) middleware or an
/// extractor answers in the same style.
///
/// ```
/// use actix_web::http::header::{HeaderValue, VARY};
/// use cognito_actix::{Rejections, default_response};
/// use cognito_core::rejection::BodyFormat;
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
pub type Rejections = cognito_core::rejection::Rejections<ActixRender>;

/// The standard answer to `error`: status, `WWW-Authenticate`, `Retry-After`,
/// `Cache-Control: no-store` and a body in `format`, as decided by
/// [`cognito_core::rejection::Rejection`].
#[must_use]
pub fn default_response(error: &Error, realm: &str, format: BodyFormat) -> HttpResponse {
    let rejection = Rejection::new(error, realm, format);
    let status =
        StatusCode::from_u16(rejection.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    response.insert_header((
        CONTENT_TYPE,
        HeaderValue::from_static(rejection.content_type),
    ));
    response.insert_header((
        CACHE_CONTROL,
        HeaderValue::from_static(rejection.cache_control),
    ));
    // cognito-core keeps challenge values to printable ASCII, so this conversion holds; a value
    // that did not convert would be left out rather than break the response.
    if let Some(challenge) = rejection
        .www_authenticate
        .and_then(|value| HeaderValue::from_str(&value).ok())
    {
        response.insert_header((WWW_AUTHENTICATE, challenge));
    }
    if let Some(seconds) = rejection.retry_after {
        response.insert_header((RETRY_AFTER, HeaderValue::from(seconds)));
    }
    response.body(rejection.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_response_carries_status_challenge_and_text_body() {
        let response = default_response(&Error::missing_token(), "api", BodyFormat::PlainText);
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let header = |name| response.headers().get(name).unwrap().to_str().unwrap();
        assert_eq!(header(WWW_AUTHENTICATE), "Bearer realm=\"api\"");
        assert_eq!(header(CONTENT_TYPE), "text/plain; charset=utf-8");
        assert_eq!(header(CACHE_CONTROL), "no-store");
        assert!(!response.headers().contains_key(RETRY_AFTER));
    }

    #[test]
    fn misconfiguration_is_500_without_challenge() {
        let error = Error::misconfigured("no middleware");
        let response = Rejections::default().render(&error);
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!response.headers().contains_key(WWW_AUTHENTICATE));
    }
}
