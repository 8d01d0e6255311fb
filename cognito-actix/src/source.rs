//! Where [`CognitoAuth`](crate::CognitoAuth) finds the token of a request.

use std::fmt;
use std::sync::Arc;

use actix_web::HttpRequest;
use actix_web::http::header::{AUTHORIZATION, COOKIE, HeaderName};
use cognito_core::token::{self, Found};

type Custom = Arc<dyn Fn(&HttpRequest) -> Option<String> + Send + Sync>;

/// Where the token is read from. Default: `Authorization: Bearer <token>`.
///
/// The rules for reading each source are cognito-core's ([`cognito_core::token`]), so they are
/// the same as for the Tower layer: a missing token and a malformed one are different answers.
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
pub struct TokenSource(Source);

#[derive(Clone, Default)]
enum Source {
    #[default]
    Bearer,
    Cookie(Arc<str>),
    Header(HeaderName),
    Custom(Custom),
}

/// A token found by a source: borrowed from the headers, or produced by a custom function.
pub(crate) enum Lookup<'a> {
    Found(Found<'a>),
    Owned(String),
}

impl TokenSource {
    /// `Authorization: Bearer <token>`: the scheme case-insensitive, one space.
    #[must_use]
    pub fn bearer() -> Self {
        TokenSource(Source::Bearer)
    }

    /// The cookie `name`, read from the `Cookie` headers (actix-web's `cookies` feature is not
    /// needed).
    #[must_use]
    pub fn cookie(name: impl Into<Arc<str>>) -> Self {
        TokenSource(Source::Cookie(name.into()))
    }

    /// The bare value of the header `name`.
    #[must_use]
    pub fn header(name: HeaderName) -> Self {
        TokenSource(Source::Header(name))
    }

    /// A function of the request (a websocket subprotocol, a query parameter…). `None` means
    /// no token.
    #[must_use]
    pub fn custom(find: impl Fn(&HttpRequest) -> Option<String> + Send + Sync + 'static) -> Self {
        TokenSource(Source::Custom(Arc::new(find)))
    }

    pub(crate) fn lookup<'a>(&self, req: &'a HttpRequest) -> Lookup<'a> {
        let headers = req.headers();
        let values = |name| headers.get_all(name).map(|v| v.as_bytes());
        match &self.0 {
            Source::Bearer => Lookup::Found(token::bearer(values(&AUTHORIZATION))),
            Source::Cookie(name) => Lookup::Found(token::cookie(values(&COOKIE), name)),
            Source::Header(name) => Lookup::Found(token::header_value(values(name))),
            Source::Custom(find) => match find(req) {
                Some(token) => Lookup::Owned(token),
                None => Lookup::Found(Found::Missing),
            },
        }
    }
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::Bearer => f.write_str("TokenSource::Bearer"),
            Source::Cookie(name) => write!(f, "TokenSource::Cookie({name:?})"),
            Source::Header(name) => write!(f, "TokenSource::Header({name:?})"),
            Source::Custom(_) => f.write_str("TokenSource::Custom"),
        }
    }
}
