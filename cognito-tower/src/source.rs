//! Where [`CognitoAuth`](crate::CognitoAuth) finds the token of a request.

use std::fmt;
use std::sync::Arc;

use cognito_core::token::{self, Found};
use http::header::{AUTHORIZATION, COOKIE, HeaderName};
use http::{HeaderMap, Uri};

type Custom = Arc<dyn Fn(&HeaderMap, &Uri) -> Option<String> + Send + Sync>;

/// Where the token is read from. Default: `Authorization: Bearer <token>`.
///
/// ```
/// use cognito_tower::TokenSource;
///
/// let from_cookie = TokenSource::cookie("id_token");
/// let from_header = TokenSource::header(http::HeaderName::from_static("x-id-token"));
/// let from_query = TokenSource::custom(|_headers, uri| {
///     uri.query()?
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

    /// The cookie `name`.
    #[must_use]
    pub fn cookie(name: impl Into<Arc<str>>) -> Self {
        TokenSource(Source::Cookie(name.into()))
    }

    /// The bare value of the header `name`.
    #[must_use]
    pub fn header(name: HeaderName) -> Self {
        TokenSource(Source::Header(name))
    }

    /// A function of the request's headers and URI (a websocket subprotocol, a query
    /// parameter…). `None` means no token.
    #[must_use]
    pub fn custom(
        find: impl Fn(&HeaderMap, &Uri) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        TokenSource(Source::Custom(Arc::new(find)))
    }

    pub(crate) fn lookup<'a>(&self, headers: &'a HeaderMap, uri: &Uri) -> Lookup<'a> {
        let values = |name| headers.get_all(name).into_iter().map(|v| v.as_bytes());
        match &self.0 {
            Source::Bearer => Lookup::Found(token::bearer(values(&AUTHORIZATION))),
            Source::Cookie(name) => Lookup::Found(token::cookie(values(&COOKIE), name)),
            Source::Header(name) => Lookup::Found(token::header_value(values(name))),
            Source::Custom(find) => match find(headers, uri) {
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
