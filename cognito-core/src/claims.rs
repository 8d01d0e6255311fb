//! The claims of a verified token.
//!
//! [`Claims`] exists only for tokens that passed every check: nothing outside this crate can
//! build one. The standard Cognito claims are parsed once, during verification; the full JSON
//! object (for `custom:*` attributes and anything else) is parsed on first use and kept.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};
use crate::issuer::TokenUse;
use crate::jwks::Jwk;
use crate::payload::{Audience, RawClaims};

/// Where a string claim's text is: a range of the payload (a string without escapes), or of
/// the claims' own buffer for the few strings that had escapes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Span {
    start: usize,
    len: usize,
    unescaped: bool,
}

/// The standard claims of a verified token, kept as spans of its payload: one allocation for
/// the whole set instead of one per claim.
#[derive(Default)]
pub(crate) struct StandardClaims {
    iss: Span,
    sub: Span,
    client_id: Option<Span>,
    jti: Option<Span>,
    origin_jti: Option<Span>,
    username: Option<Span>,
    cognito_username: Option<Span>,
    scope: Option<Span>,
    email: Option<Span>,
    aud: Option<Audience>,
    groups: Option<Vec<String>>,
    pub(crate) nbf: Option<u64>,
    iat: Option<u64>,
    auth_time: Option<u64>,
    email_verified: Option<bool>,
    /// The text of strings that had escapes.
    unescaped: String,
}

impl StandardClaims {
    /// Keeps what the accessors need from `raw`, read out of `payload`.
    pub(crate) fn keep(raw: RawClaims<'_>, payload: &str) -> Self {
        let mut unescaped = String::new();
        let mut span = |text: Option<Cow<'_, str>>| -> Option<Span> {
            Some(match text? {
                Cow::Borrowed(text) => Span {
                    // The text is borrowed from `payload`: its offset is where it starts.
                    start: (text.as_ptr() as usize).wrapping_sub(payload.as_ptr() as usize),
                    len: text.len(),
                    unescaped: false,
                },
                Cow::Owned(text) => {
                    let start = unescaped.len();
                    unescaped.push_str(&text);
                    Span {
                        start,
                        len: text.len(),
                        unescaped: true,
                    }
                }
            })
        };
        StandardClaims {
            iss: span(raw.iss).unwrap_or_default(),
            sub: span(raw.sub).unwrap_or_default(),
            client_id: span(raw.client_id),
            jti: span(raw.jti),
            origin_jti: span(raw.origin_jti),
            username: span(raw.username),
            cognito_username: span(raw.cognito_username),
            scope: span(raw.scope),
            email: span(raw.email),
            aud: raw.aud,
            groups: raw.groups,
            nbf: raw.nbf,
            iat: raw.iat,
            auth_time: raw.auth_time,
            email_verified: raw.email_verified,
            unescaped,
        }
    }
}

/// A verified token: its checked standard claims and its payload.
pub(crate) struct VerifiedToken {
    pub(crate) std: StandardClaims,
    pub(crate) exp: u64,
    pub(crate) token_use: Option<TokenUse>,
    pub(crate) payload: String,
    raw: OnceLock<Map<String, Value>>,
    /// The token itself: the cache key, and what an identity-pool exchange sends. Kept only
    /// when one of them needs it.
    pub(crate) token: Option<Arc<str>>,
    /// The issuer's provider name in an identity pool's `Logins` map.
    pub(crate) login_provider: Arc<str>,
    /// The configured issuer (index into the verifier's issuers) and the key that verified it,
    /// so a cached entry dies with its key.
    pub(crate) issuer_index: usize,
    pub(crate) key: Arc<Jwk>,
}

impl VerifiedToken {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        std: StandardClaims,
        exp: u64,
        token_use: Option<TokenUse>,
        payload: String,
        token: Option<Arc<str>>,
        login_provider: Arc<str>,
        issuer_index: usize,
        key: Arc<Jwk>,
    ) -> Self {
        VerifiedToken {
            std,
            exp,
            token_use,
            payload,
            raw: OnceLock::new(),
            token,
            login_provider,
            issuer_index,
            key,
        }
    }

    /// The text of a string claim.
    fn text(&self, span: Span) -> &str {
        let source = if span.unescaped {
            &self.std.unescaped
        } else {
            &self.payload
        };
        source
            .get(span.start..span.start + span.len)
            .unwrap_or_default()
    }

    fn optional(&self, span: Option<Span>) -> Option<&str> {
        span.map(|span| self.text(span))
    }

    fn raw(&self) -> &Map<String, Value> {
        // Verification read every member of the payload with this parser and refused what it
        // would refuse (`payload` module), so this parse cannot fail: should it ever, it is said
        // loudly rather than shown as a token without claims.
        self.raw.get_or_init(|| {
            serde_json::from_str(&self.payload).unwrap_or_else(|_| {
                tracing::error!(
                    "a verified payload failed its second parse; its claims read as empty"
                );
                Map::new()
            })
        })
    }
}

/// The claims of a verified token, with the application's own typed part `T`.
///
/// Standard Cognito claims have accessors; `custom:*` attributes are read with
/// [`custom`](Claims::custom); anything else with [`get`](Claims::get) or [`raw`](Claims::raw).
/// `T` is deserialized from the same payload (see [`Claims::with`]) and reachable through
/// `Deref` or [`extra`](Claims::extra). Cloning is cheap: the verified data is shared.
///
/// `Serialize` writes the token's full payload as a JSON object.
pub struct Claims<T = ()> {
    token: Arc<VerifiedToken>,
    extra: T,
}

impl Claims<()> {
    pub(crate) fn from_verified(token: Arc<VerifiedToken>) -> Self {
        Claims { token, extra: () }
    }
}

impl<T> Claims<T> {
    pub(crate) fn verified(&self) -> &Arc<VerifiedToken> {
        &self.token
    }

    /// The verified token's text; never exposed, only sent to an identity pool.
    #[cfg_attr(not(feature = "identity-pool"), allow(dead_code))]
    pub(crate) fn token_text(&self) -> &str {
        self.token.token.as_deref().unwrap_or_default()
    }

    /// The issuer's provider name in an identity pool's `Logins` map.
    #[cfg_attr(not(feature = "identity-pool"), allow(dead_code))]
    pub(crate) fn login_provider(&self) -> &str {
        &self.token.login_provider
    }

    /// Deserializes the application's claim type `U` from the verified payload.
    ///
    /// # Errors
    /// [`ErrorKind::ClaimsType`] when the payload does not fit `U`. That is a server-side bug
    /// (the type does not match what the pool issues), so adapters answer it with a 500. The
    /// error's [`source`](std::error::Error::source) names the claim and the type expected,
    /// never the claim's value (an e-mail address, say): it is safe to log.
    pub fn with<U: DeserializeOwned + 'static>(self) -> Result<Claims<U>, Error> {
        // `()` (the default "no typed part") does not deserialize from a JSON object.
        if let Ok(unit) = (Box::new(()) as Box<dyn Any>).downcast::<U>() {
            return Ok(Claims {
                token: self.token,
                extra: *unit,
            });
        }
        let mut payload = serde_json::Deserializer::from_str(&self.token.payload);
        let extra = serde_path_to_error::deserialize(&mut payload).map_err(|e| {
            Error::with_source(ErrorKind::ClaimsType, ClaimsTypeMismatch::new::<U>(&e))
        })?;
        Ok(Claims {
            token: self.token,
            extra,
        })
    }

    /// The application's typed claims.
    pub fn extra(&self) -> &T {
        &self.extra
    }

    /// Takes the application's typed claims out.
    pub fn into_extra(self) -> T {
        self.extra
    }

    /// `sub`: the user's stable, unique id (for machine tokens, the app client).
    #[must_use]
    pub fn sub(&self) -> &str {
        self.token.text(self.token.std.sub)
    }

    /// `iss`.
    #[must_use]
    pub fn issuer(&self) -> &str {
        self.token.text(self.token.std.iss)
    }

    /// `token_use`: always present on Cognito tokens, `None` for other OIDC issuers.
    #[must_use]
    pub fn token_use(&self) -> Option<TokenUse> {
        self.token.token_use
    }

    /// The user name: `cognito:username` in ID tokens, `username` in access tokens. `None` for
    /// machine-to-machine access tokens.
    #[must_use]
    pub fn username(&self) -> Option<&str> {
        let (token, std) = (&self.token, &self.token.std);
        match token.token_use {
            Some(TokenUse::Access) => token.optional(std.username),
            _ => token.optional(std.cognito_username.or(std.username)),
        }
    }

    /// Whether this is a machine-to-machine access token (client credentials: no user).
    #[must_use]
    pub fn is_machine(&self) -> bool {
        self.token.token_use == Some(TokenUse::Access) && self.username().is_none()
    }

    /// The app client the token was issued to: `client_id` of an access token, `aud` of an ID
    /// token.
    #[must_use]
    pub fn client_id(&self) -> Option<&str> {
        let std = &self.token.std;
        match (self.token.token_use, &std.aud) {
            (Some(TokenUse::Id), Some(Audience::One(aud))) => Some(aud.as_str()),
            (Some(TokenUse::Id), _) => None,
            _ => self.token.optional(std.client_id),
        }
    }

    /// `aud`, as a list (empty when absent).
    #[must_use]
    pub fn audience(&self) -> &[String] {
        self.token.std.aud.as_ref().map_or(&[], Audience::as_slice)
    }

    /// `cognito:groups` (empty when absent).
    #[must_use]
    pub fn groups(&self) -> &[String] {
        self.token.std.groups.as_deref().unwrap_or_default()
    }

    /// Whether `cognito:groups` contains `group`.
    #[must_use]
    pub fn in_group(&self, group: &str) -> bool {
        self.groups().iter().any(|g| g == group)
    }

    /// The scopes of `scope` (none when absent), separated by spaces and by nothing else (RFC
    /// 6749 §3.3): `"a\tb"` is one scope, not two.
    pub fn scopes(&self) -> Scopes<'_> {
        Scopes::new(
            self.token
                .optional(self.token.std.scope)
                .unwrap_or_default(),
        )
    }

    /// Whether `scope` contains `scope`.
    #[must_use]
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|s| s == scope)
    }

    /// `exp`.
    #[must_use]
    pub fn expires_at(&self) -> SystemTime {
        at(self.token.exp)
    }

    /// `iat`.
    #[must_use]
    pub fn issued_at(&self) -> Option<SystemTime> {
        self.token.std.iat.map(at)
    }

    /// `nbf`.
    #[must_use]
    pub fn not_before(&self) -> Option<SystemTime> {
        self.token.std.nbf.map(at)
    }

    /// `auth_time`: when the user signed in (kept across refreshes).
    #[must_use]
    pub fn auth_time(&self) -> Option<SystemTime> {
        self.token.std.auth_time.map(at)
    }

    /// `jti`.
    #[must_use]
    pub fn jti(&self) -> Option<&str> {
        self.token.optional(self.token.std.jti)
    }

    /// `origin_jti`: shared by all tokens of one refresh token; revocation works on it.
    #[must_use]
    pub fn origin_jti(&self) -> Option<&str> {
        self.token.optional(self.token.std.origin_jti)
    }

    /// `email`, when it is a string.
    #[must_use]
    pub fn email(&self) -> Option<&str> {
        self.token.optional(self.token.std.email)
    }

    /// `email_verified`, from a boolean or the strings `"true"`/`"false"`.
    #[must_use]
    pub fn email_verified(&self) -> Option<bool> {
        self.token.std.email_verified
    }

    /// `identities`: the external providers linked to a federated user. Entries that are not
    /// well-formed are left out.
    #[must_use]
    pub fn identities(&self) -> Vec<Identity> {
        let value = match self.get("identities") {
            Some(Value::String(text)) => serde_json::from_str(text).unwrap_or(Value::Null),
            Some(value) => value.clone(),
            None => return Vec::new(),
        };
        match value {
            Value::Array(items) => items
                .into_iter()
                .filter_map(|item| serde_json::from_value(item).ok())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A `custom:` attribute by its name without the prefix, when it is a string (Cognito
    /// writes custom attributes as strings).
    #[must_use]
    pub fn custom(&self, name: &str) -> Option<&str> {
        self.custom_value(name).and_then(Value::as_str)
    }

    /// A `custom:` attribute by its name without the prefix, whatever its JSON type.
    #[must_use]
    pub fn custom_value(&self, name: &str) -> Option<&Value> {
        self.token
            .raw()
            .iter()
            .find(|(key, _)| key.strip_prefix("custom:") == Some(name))
            .map(|(_, value)| value)
    }

    /// Any claim by its full name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.token.raw().get(name)
    }

    /// The whole payload.
    #[must_use]
    pub fn raw(&self) -> &Map<String, Value> {
        self.token.raw()
    }
}

/// The scopes of a token, from [`Claims::scopes`]: the words of `scope` between spaces
/// (`%x20`), runs of spaces counting as one.
#[derive(Clone, Debug)]
pub struct Scopes<'a>(std::str::Split<'a, char>);

impl<'a> Scopes<'a> {
    pub(crate) fn new(list: &'a str) -> Self {
        Scopes(list.split(' '))
    }
}

impl<'a> Iterator for Scopes<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.0.by_ref().find(|scope| !scope.is_empty())
    }
}

/// `seconds` after the epoch; a time the platform cannot represent (far beyond year 2262 on
/// some) is the latest it can: the claims are signed, so this is never an attacker's lever.
fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH
        .checked_add(Duration::from_secs(seconds))
        .unwrap_or_else(latest_time)
}

fn latest_time() -> SystemTime {
    // Halve the step until it fits: about 64 tries at most, only on absurd dates.
    let mut time = UNIX_EPOCH;
    let mut step = Duration::from_secs(u64::MAX);
    while step > Duration::ZERO {
        match time.checked_add(step) {
            Some(later) => time = later,
            None => step /= 2,
        }
    }
    time
}

impl<T> Deref for Claims<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.extra
    }
}

impl<T: Clone> Clone for Claims<T> {
    fn clone(&self) -> Self {
        Claims {
            token: Arc::clone(&self.token),
            extra: self.extra.clone(),
        }
    }
}

impl<T> fmt::Debug for Claims<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claims")
            .field("sub", &self.sub())
            .field("iss", &self.issuer())
            .field("token_use", &self.token_use())
            .field("username", &self.username())
            .field("client_id", &self.client_id())
            .field("groups", &self.groups())
            .field("exp", &self.token.exp)
            .finish_non_exhaustive()
    }
}

impl<T> Serialize for Claims<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw().serialize(serializer)
    }
}

/// Why a payload does not fit an application's claim type: the claim (its path in the
/// payload), the type, and what the type expected there. Never the claim's value: serde's own
/// message quotes it ("invalid type: string \"alice@example.com\", expected u32").
#[derive(Debug)]
struct ClaimsTypeMismatch {
    claim: String,
    type_name: &'static str,
    expected: String,
}

impl ClaimsTypeMismatch {
    fn new<U>(error: &serde_path_to_error::Error<serde_json::Error>) -> Self {
        let message = error.inner().to_string();
        let message = message.split(" at line ").next().unwrap_or_default();
        let expected = if let Some((_, expected)) = message.split_once(", expected ") {
            format!("expected {expected}")
        } else if message.starts_with("missing field `") {
            // Names a field of the type, not anything from the token.
            message.to_owned()
        } else {
            "a value of another type or shape".to_owned()
        };
        ClaimsTypeMismatch {
            claim: error.path().to_string(),
            type_name: std::any::type_name::<U>(),
            expected,
        }
    }
}

impl fmt::Display for ClaimsTypeMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "claim `{}` does not fit `{}`: {}",
            self.claim, self.type_name, self.expected
        )
    }
}

impl std::error::Error for ClaimsTypeMismatch {}

/// One entry of `identities`: an external provider linked to the user.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Identity {
    /// The user's id at the provider.
    #[serde(rename = "userId")]
    pub user_id: String,
    /// The provider's name in the pool (e.g. `Google`, or a SAML provider's name).
    #[serde(rename = "providerName")]
    pub provider_name: String,
    /// The provider's type (`Google`, `Facebook`, `SAML`, `OIDC`, …).
    #[serde(rename = "providerType")]
    pub provider_type: String,
    /// The provider's issuer, when it has one.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Whether this is the primary identity (sent as the string `"true"`/`"false"`).
    #[serde(default, deserialize_with = "lenient_bool_field")]
    pub primary: bool,
    /// When the link was made (`dateCreated`, sent as a string of Unix milliseconds).
    #[serde(default, rename = "dateCreated", deserialize_with = "millis")]
    pub date_created: Option<SystemTime>,
}

fn lenient_bool_field<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    crate::payload::lenient_bool(d).map(|b| b.unwrap_or(false))
}

fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
    let ms = match Value::deserialize(d)? {
        Value::String(s) => s.parse::<u64>().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    };
    Ok(ms.map(|ms| {
        UNIX_EPOCH
            .checked_add(Duration::from_millis(ms))
            .unwrap_or_else(latest_time)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_beyond_what_the_platform_holds_are_the_latest_time_not_a_panic() {
        let far = at(u64::MAX);
        assert!(far >= at(1_000_000_000_000), "monotonic at the edge");
        assert_eq!(
            at(1_700_000_000),
            UNIX_EPOCH + Duration::from_secs(1_700_000_000)
        );
        assert_eq!(latest_time().checked_add(Duration::from_secs(1)), None);
    }
}
