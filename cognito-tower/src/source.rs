//! Where [`CognitoAuth`](crate::CognitoAuth) finds the token of a request.

use std::fmt;
use std::sync::Arc;

use cognito_core::token::{Lookup, Source};

use crate::auth::Settings;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Uri};

/// A custom token lookup: a function of the request's headers and URI.
pub(crate) type Custom = Arc<dyn Fn(&HeaderMap, &Uri) -> Option<String> + Send + Sync>;

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
pub struct TokenSource(pub(crate) Source<Custom>);

impl TokenSource {
    cognito_core::token_source_constructors!(HeaderName);

    /// A function of the request's headers and URI (a websocket subprotocol, a query
    /// parameter…). `None` means no token.
    #[must_use]
    pub fn custom(
        find: impl Fn(&HeaderMap, &Uri) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        TokenSource(Source::Custom(Arc::new(find)))
    }
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The token `source` finds in a request's headers and URI.
pub(crate) fn lookup<'a>(source: &Source<Custom>, headers: &'a HeaderMap, uri: &Uri) -> Lookup<'a> {
    let values = |name: &str| headers.get_all(name).into_iter().map(HeaderValue::as_bytes);
    source.lookup(values, |find| find(headers, uri))
}

/// What a layer with `settings` reads from a request's headers and URI.
pub(crate) fn read<'a>(settings: &Settings, headers: &'a HeaderMap, uri: &Uri) -> Lookup<'a> {
    let values = |name: &str| headers.get_all(name).into_iter().map(HeaderValue::as_bytes);
    settings.read(values, |find| find(headers, uri))
}
