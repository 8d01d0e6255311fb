//! The claims of a verified token.
//!
//! [`Claims`] exists only for tokens that passed every check: nothing outside this crate can
//! build one. The standard Cognito claims are parsed once, during verification; the full JSON
//! object (for `custom:*` attributes and anything else) is parsed on first use and kept.

mod dates;
mod identity;
mod scopes;
mod type_mismatch;
mod verified;

#[cfg(test)]
mod tests;

use std::any::Any;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};
use crate::issuer::TokenUse;
use crate::payload::Audience;

use dates::at;
pub use identity::Identity;
pub use scopes::Scopes;
use type_mismatch::ClaimsTypeMismatch;
pub(crate) use verified::{StandardClaims, VerifiedToken};

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

    /// The `scope` claim as it is, if any.
    pub(crate) fn scopes_text(&self) -> Option<&str> {
        self.token.optional(self.token.std.scope)
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
