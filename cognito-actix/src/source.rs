//! Where [`CognitoAuth`](crate::CognitoAuth) finds the token of a request.

use std::fmt;
use std::sync::Arc;

use actix_web::HttpRequest;
use actix_web::http::header::{HeaderName, HeaderValue};
use cognito_core::token::{Lookup, Source};

use crate::auth::Settings;

/// A custom token lookup: a function of the request.
pub(crate) type Custom = Arc<dyn Fn(&HttpRequest) -> Option<String> + Send + Sync>;

/// Where the token is read from. Default: `Authorization: Bearer <token>`.
///
/// The rules for reading each source are cognito-core's ([`cognito_core::token`]), so they are
/// the same as for the Tower layer: a missing token and a malformed one are different answers.
/// Cookies are read from the `Cookie` headers: actix-web's `cookies` feature is not needed.
///
/// ```
/// use actix_web::http::header::HeaderName;
/// use cognito_actix::TokenSource;
///
/// let from_cookie = TokenSource::cookie("id_token");
/// let from_header = TokenSource::header(HeaderName::from_static("x-id-token"));
/// let from_query = TokenSource::custom(|req| {
///     req.query_string()
///         .split('&')
///         .find_map(|pair| pair.strip_prefix("access_token="))
///         .map(str::to_owned)
/// });
/// # let _ = (from_cookie, from_header, from_query);
/// ```
#[derive(Clone, Default)]
pub struct TokenSource(pub(crate) Source<Custom>);

impl TokenSource {
    cognito_core::token_source_constructors!(HeaderName);

    /// A function of the request (a websocket subprotocol, a query parameter…). `None` means
    /// no token.
    #[must_use]
    pub fn custom(find: impl Fn(&HttpRequest) -> Option<String> + Send + Sync + 'static) -> Self {
        TokenSource(Source::Custom(Arc::new(find)))
    }
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The token `source` finds in a request.
pub(crate) fn lookup<'a>(source: &Source<Custom>, req: &'a HttpRequest) -> Lookup<'a> {
    let headers = req.headers();
    let values = |name: &str| headers.get_all(name).map(HeaderValue::as_bytes);
    source.lookup(values, |find| find(req))
}

/// What a middleware with `settings` reads from a request.
pub(crate) fn read<'a>(settings: &Settings, req: &'a HttpRequest) -> Lookup<'a> {
    let headers = req.headers();
    let values = |name: &str| headers.get_all(name).map(HeaderValue::as_bytes);
    settings.read(values, |find| find(req))
}
