//! Where a request's token comes from. Adapters hand over raw header bytes; the rules for reading
//! them live here so every framework reads tokens the same way.
//!
//! "No token" and "malformed credentials" are different answers: no credentials of ours is a
//! bare 401 challenge (or an anonymous request when auth is optional), while a broken `Bearer`
//! credential (two `Authorization` headers, a tab or two spaces after `Bearer`, characters no
//! token has) is a 400 `invalid_request` (RFC 6750 §3.1), even where auth is optional.
//!
//! ```
//! use cognito_core::token::{self, Found};
//!
//! assert_eq!(token::bearer([b"Bearer abc.def.ghi".as_slice()]), Found::Token("abc.def.ghi"));
//! assert_eq!(token::bearer([b"bearer abc".as_slice()]), Found::Token("abc"));
//! assert_eq!(token::bearer([b"Basic dXNlcg==".as_slice()]), Found::Missing);
//! assert_eq!(token::bearer([b"Bearer  two-spaces".as_slice()]), Found::Malformed);
//! assert_eq!(token::cookie([b"theme=dark; id_token=abc".as_slice()], "id_token"), Found::Token("abc"));
//! ```

use std::fmt;
use std::sync::Arc;

use crate::error::{Error, ErrorKind};

/// What a token source found in a request. Its `Debug` output leaves the token out.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Found<'a> {
    /// A token, not yet verified.
    Token(&'a str),
    /// No credentials for this source.
    Missing,
    /// Credentials for this source that cannot be a token.
    Malformed,
}

impl std::fmt::Debug for Found<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Found::Token(_) => "Token(<token>)",
            Found::Missing => "Missing",
            Found::Malformed => "Malformed",
        })
    }
}

impl<'a> Found<'a> {
    /// The token, `None` when missing, or the error for a malformed credential.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidRequest`] for [`Found::Malformed`].
    pub fn into_result(self) -> Result<Option<&'a str>, Error> {
        match self {
            Found::Token(token) => Ok(Some(token)),
            Found::Missing => Ok(None),
            Found::Malformed => Err(Error::new(ErrorKind::InvalidRequest)),
        }
    }
}

/// A token is visible ASCII without spaces; anything else cannot verify, so it is refused
/// before it reaches the verifier.
fn as_token(bytes: &[u8]) -> Found<'_> {
    if bytes.is_empty() || !bytes.iter().all(|b| b.is_ascii_graphic()) {
        return Found::Malformed;
    }
    match std::str::from_utf8(bytes) {
        Ok(token) => Found::Token(token),
        Err(_) => Found::Malformed,
    }
}

/// Reads `Authorization: Bearer <token>` (RFC 6750 §2.1) from the request's `Authorization`
/// header values: the scheme is case-insensitive and followed by exactly one space. Another
/// scheme (`Basic`, `Bearerish`…) is [`Found::Missing`]; `Bearer` without a credential, with
/// other whitespace after it, or several `Authorization` headers are [`Found::Malformed`], so
/// they are refused even where authentication is optional.
pub fn bearer<'a, I>(authorization: I) -> Found<'a>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    let mut values = authorization.into_iter();
    let Some(value) = values.next() else {
        return Found::Missing;
    };
    if values.next().is_some() {
        return Found::Malformed;
    }
    let Some(scheme) = value.get(..6) else {
        return if value.eq_ignore_ascii_case(b"bearer") {
            Found::Malformed
        } else {
            Found::Missing
        };
    };
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return Found::Missing;
    }
    match value.get(6) {
        Some(b' ') => as_token(&value[7..]),
        // `Bearer` alone, or followed by a tab: our scheme, but no credential.
        None | Some(b'\t') => Found::Malformed,
        // `Bearerxyz`: another scheme's name.
        Some(_) => Found::Missing,
    }
}

/// Reads the cookie `name` from the request's `Cookie` header values. A cookie present with an
/// empty value is [`Found::Missing`]; one that cannot be a token is [`Found::Malformed`]; so
/// are two cookies of that name (a sibling subdomain can set a second one: which one the
/// client meant cannot be told).
pub fn cookie<'a, I>(cookie_headers: I, name: &str) -> Found<'a>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    let mut found = None;
    for header in cookie_headers {
        for pair in header.split(|&b| b == b';') {
            let pair = pair.trim_ascii();
            let Some(eq) = pair.iter().position(|&b| b == b'=') else {
                continue;
            };
            if &pair[..eq] != name.as_bytes() {
                continue;
            }
            if found.is_some() {
                return Found::Malformed;
            }
            let value = &pair[eq + 1..];
            found = Some(
                value
                    .strip_prefix(b"\"")
                    .and_then(|v| v.strip_suffix(b"\""))
                    .unwrap_or(value),
            );
        }
    }
    match found {
        None | Some([]) => Found::Missing,
        Some(value) => as_token(value),
    }
}

/// Reads a token carried bare in a header of its own (e.g. `X-Id-Token: <token>`). Several
/// values are [`Found::Malformed`].
pub fn header_value<'a, I>(values: I) -> Found<'a>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    let mut values = values.into_iter();
    match (values.next(), values.next()) {
        (None, _) => Found::Missing,
        (Some(_), Some(_)) => Found::Malformed,
        (Some([]), None) => Found::Missing,
        (Some(value), None) => as_token(value),
    }
}

/// Where an adapter reads a request's token: the choice behind each framework's `TokenSource`.
///
/// `C` is the framework's own custom lookup (a function of its request type); everything else
/// reads header bytes through [`lookup`](Self::lookup), by the rules of this module, so every
/// framework reads tokens the same way. Its `Debug` output names the source, never a token.
///
/// ```
/// use cognito_core::token::{Found, Lookup, Source};
///
/// let source: Source<()> = Source::cookie("id_token");
/// let headers = |name: &str| {
///     let cookie = (name == "cookie").then_some(b"theme=dark; id_token=a.b.c".as_slice());
///     cookie.into_iter()
/// };
/// let Lookup::Found(found) = source.lookup(headers, |_| None) else { unreachable!() };
/// assert_eq!(found, Found::Token("a.b.c"));
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Source<C> {
    /// `Authorization: Bearer <token>` ([`bearer`]).
    #[default]
    Bearer,
    /// The cookie of this name ([`cookie`]).
    Cookie(Arc<str>),
    /// The bare value of the header of this (lowercase) name ([`header_value`]).
    Header(Arc<str>),
    /// The framework's own lookup; `None` is no token.
    Custom(C),
}

/// A token found by a [`Source`]: borrowed from the headers, or made by a custom lookup.
#[derive(PartialEq, Eq)]
pub enum Lookup<'a> {
    /// What a header source found.
    Found(Found<'a>),
    /// A token a custom lookup returned.
    Owned(String),
    /// What an Application Load Balancer forwards.
    Alb(AlbFound<'a>),
}

/// The three headers an Application Load Balancer forwards, each read as a bare header value
/// ([`header_value`]): a missing `x-amzn-oidc-data` is no token, and any of them sent twice or
/// with characters no token has is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlbFound<'a> {
    /// `x-amzn-oidc-data`: the load balancer's token.
    pub data: Found<'a>,
    /// `x-amzn-oidc-accesstoken`: the identity provider's access token.
    pub access_token: Found<'a>,
    /// `x-amzn-oidc-identity`: the subject.
    pub identity: Found<'a>,
}

/// Reads the headers an Application Load Balancer forwards; `headers(name)` gives the values
/// of the header `name`.
pub fn alb_headers<'a, I>(headers: impl Fn(&str) -> I) -> AlbFound<'a>
where
    I: Iterator<Item = &'a [u8]>,
{
    AlbFound {
        data: header_value(headers("x-amzn-oidc-data")),
        access_token: header_value(headers("x-amzn-oidc-accesstoken")),
        identity: header_value(headers("x-amzn-oidc-identity")),
    }
}

impl fmt::Debug for Lookup<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lookup::Found(found) => f.debug_tuple("Found").field(found).finish(),
            Lookup::Owned(_) => f.write_str("Owned(<token>)"),
            Lookup::Alb(found) => f.debug_tuple("Alb").field(found).finish(),
        }
    }
}

impl Lookup<'_> {
    /// The token found, owned; `None` when missing or malformed.
    #[must_use]
    pub fn into_token(self) -> Option<String> {
        match self {
            Lookup::Found(Found::Token(token)) => Some(token.to_owned()),
            Lookup::Owned(token) => Some(token),
            Lookup::Found(Found::Missing | Found::Malformed) | Lookup::Alb(_) => None,
        }
    }
}

impl<C> Source<C> {
    /// The cookie `name`.
    #[must_use]
    pub fn cookie(name: impl Into<Arc<str>>) -> Self {
        Source::Cookie(name.into())
    }

    /// The bare value of the header `name` (a valid header name, compared lowercase).
    #[must_use]
    pub fn header(name: &str) -> Self {
        Source::Header(name.to_ascii_lowercase().into())
    }

    /// Reads the token: `headers(name)` gives the values of the header `name` (lowercase:
    /// `authorization`, `cookie`, or a [`Header`](Source::Header) source's name), `custom`
    /// runs a [`Custom`](Source::Custom) lookup.
    pub fn lookup<'a, I>(
        &self,
        headers: impl Fn(&str) -> I,
        custom: impl FnOnce(&C) -> Option<String>,
    ) -> Lookup<'a>
    where
        I: Iterator<Item = &'a [u8]>,
    {
        match self {
            Source::Bearer => Lookup::Found(bearer(headers("authorization"))),
            Source::Cookie(name) => Lookup::Found(cookie(headers("cookie"), name)),
            Source::Header(name) => Lookup::Found(header_value(headers(name))),
            Source::Custom(find) => match custom(find) {
                Some(token) => Lookup::Owned(token),
                None => Lookup::Found(Found::Missing),
            },
        }
    }
}

impl<C> fmt::Debug for Source<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Bearer => f.write_str("TokenSource::Bearer"),
            Source::Cookie(name) => write!(f, "TokenSource::Cookie({name:?})"),
            Source::Header(name) => write!(f, "TokenSource::Header({name:?})"),
            Source::Custom(_) => f.write_str("TokenSource::Custom"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(v: &[u8]) -> [&[u8]; 1] {
        [v]
    }

    #[test]
    fn bearer_scheme_is_case_insensitive_with_exactly_one_space() {
        assert_eq!(bearer(one(b"Bearer a.b.c")), Found::Token("a.b.c"));
        assert_eq!(bearer(one(b"BEARER a.b.c")), Found::Token("a.b.c"));
        assert_eq!(bearer(one(b"Bearer  a.b.c")), Found::Malformed);
        assert_eq!(bearer(one(b"Bearer\ta.b.c")), Found::Malformed);
        assert_eq!(bearer(one(b"Bearer a.b.c ")), Found::Malformed);
        assert_eq!(bearer(one(b"Bearer ")), Found::Malformed);
        assert_eq!(bearer(one(b"Bearer")), Found::Malformed);
    }

    #[test]
    fn other_schemes_and_absence_are_missing() {
        assert_eq!(bearer(std::iter::empty()), Found::Missing);
        assert_eq!(bearer(one(b"Basic dXNlcjpwdw==")), Found::Missing);
        assert_eq!(bearer(one(b"Bear")), Found::Missing);
        assert_eq!(bearer(one(b"")), Found::Missing);
        assert_eq!(bearer(one(b"Bearerish x")), Found::Missing);
    }

    #[test]
    fn two_authorization_headers_are_malformed() {
        assert_eq!(
            bearer([b"Bearer a".as_slice(), b"Bearer b"]),
            Found::Malformed
        );
    }

    #[test]
    fn non_ascii_token_is_malformed() {
        assert_eq!(bearer(one("Bearer tök".as_bytes())), Found::Malformed);
    }

    #[test]
    fn cookie_is_found_among_others_and_across_headers() {
        let headers = [b"a=1; b=2".as_slice(), b"session=x.y.z; c=3"];
        assert_eq!(cookie(headers, "session"), Found::Token("x.y.z"));
        assert_eq!(
            cookie(one(b"session=\"q.r.s\""), "session"),
            Found::Token("q.r.s")
        );
        assert_eq!(cookie(one(b"xsession=1"), "session"), Found::Missing);
        assert_eq!(cookie(one(b"session="), "session"), Found::Missing);
        assert_eq!(cookie(one(b"session=a b"), "session"), Found::Malformed);
    }

    #[test]
    fn two_cookies_of_the_name_are_malformed_even_if_one_is_empty() {
        assert_eq!(
            cookie(one(b"session=a.b.c; session=d.e.f"), "session"),
            Found::Malformed
        );
        assert_eq!(
            cookie([b"session=".as_slice(), b"session=d.e.f"], "session"),
            Found::Malformed
        );
        assert_eq!(
            cookie(one(b"session=a.b.c; other=1"), "session"),
            Found::Token("a.b.c")
        );
    }

    #[test]
    fn debug_output_leaves_the_token_out() {
        let shown = format!("{:?}", Found::Token("secret.token.value"));
        assert!(!shown.contains("secret"), "{shown}");
        assert_eq!(format!("{:?}", Found::Malformed), "Malformed");
    }

    #[test]
    fn sources_read_their_own_header_and_custom_lookups_run_only_for_custom() {
        let values = |name: &str| {
            let value: &[u8] = match name {
                "authorization" => b"Bearer from.the.header",
                "cookie" => b"id_token=from.the.cookie",
                "x-id-token" => b"from.a.named.header",
                _ => return None.into_iter(),
            };
            Some(value).into_iter()
        };
        let custom = |answer: &Option<&str>| answer.map(str::to_owned);
        let found = |token| Lookup::Found(Found::Token(token));
        let lookup = |source: Source<Option<&str>>| source.lookup(values, custom);
        assert_eq!(lookup(Source::Bearer), found("from.the.header"));
        assert_eq!(lookup(Source::cookie("id_token")), found("from.the.cookie"));
        assert_eq!(
            lookup(Source::header("X-Id-Token")),
            found("from.a.named.header")
        );
        assert_eq!(
            lookup(Source::header("x-other")),
            Lookup::Found(Found::Missing)
        );
        assert_eq!(
            lookup(Source::Custom(Some("made"))),
            Lookup::Owned("made".to_owned())
        );
        assert_eq!(lookup(Source::Custom(None)), Lookup::Found(Found::Missing));
        assert_eq!(
            format!("{:?}", Lookup::Owned("secret".into())),
            "Owned(<token>)"
        );
    }

    #[test]
    fn header_value_is_the_bare_token() {
        assert_eq!(header_value(one(b"a.b.c")), Found::Token("a.b.c"));
        assert_eq!(header_value(std::iter::empty()), Found::Missing);
        assert_eq!(header_value([b"a".as_slice(), b"b"]), Found::Malformed);
    }
}
