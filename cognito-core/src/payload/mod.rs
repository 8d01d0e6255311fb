//! The one parse of a token's payload that decides whether its claims can be read.
//!
//! The verifier reads the standard claims from the payload text, borrowing it where it can, and
//! *validates* every other member with the same JSON parser the claim accessors use later
//! (strings decoded, so an unpaired surrogate escape is refused; numbers read, so one outside
//! `f64` is refused; objects and arrays walked). A payload that passes can therefore always be
//! read whole by [`Claims::raw`](crate::Claims::raw) and every accessor built on it: no claim
//! can be hidden from a rule by JSON the full parse would reject.
//!
//! Claim names must be unique: a payload naming a member twice is refused, whichever member it
//! is (RFC 7519 §4 allows refusing or taking the last; refusing leaves no reader a choice).
//! Inside a claim's value (a nested object) the last of two equal names counts for `raw`,
//! `get`, `custom` and the rules, as in `serde_json`; an application type whose derived struct
//! reads that object refuses the repeated name instead (a 500: the claims do not fit it).

mod any_value;
mod claim_values;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, de::Error as _};

use crate::error::ErrorKind;

use any_value::AnyValue;
pub(crate) use claim_values::{Audience, lenient_bool};
use claim_values::{LenientBool, LenientText, NumericDate, Text};

/// The standard claims as read from the payload, borrowing its text where it can (a string
/// without escapes): the checks need no copies.
#[derive(Default)]
pub(crate) struct RawClaims<'a> {
    pub(crate) iss: Option<Cow<'a, str>>,
    pub(crate) sub: Option<Cow<'a, str>>,
    pub(crate) aud: Option<Audience>,
    pub(crate) client_id: Option<Cow<'a, str>>,
    pub(crate) token_use: Option<Cow<'a, str>>,
    pub(crate) exp: Option<u64>,
    pub(crate) nbf: Option<u64>,
    pub(crate) iat: Option<u64>,
    pub(crate) auth_time: Option<u64>,
    pub(crate) jti: Option<Cow<'a, str>>,
    pub(crate) origin_jti: Option<Cow<'a, str>>,
    pub(crate) username: Option<Cow<'a, str>>,
    pub(crate) cognito_username: Option<Cow<'a, str>>,
    pub(crate) groups: Option<Vec<String>>,
    pub(crate) scope: Option<Cow<'a, str>>,
    pub(crate) email: Option<Cow<'a, str>>,
    pub(crate) email_verified: Option<bool>,
}

impl<'a> RawClaims<'a> {
    /// Reads the standard claims of `payload` and validates the rest.
    ///
    /// # Errors
    /// - [`ErrorKind::InvalidClaim`] naming the claim when a standard claim has the wrong
    ///   shape (`cognito:groups` as a string, `exp` as text, …): still a refusal, but one that
    ///   tells the operator which claim;
    /// - [`ErrorKind::Malformed`] for anything that is not one JSON object by RFC 8259
    ///   (unpaired surrogates, numbers outside `f64`, trailing bytes) or names a claim twice.
    pub(crate) fn parse(payload: &'a str) -> Result<Self, ErrorKind> {
        let reading = Cell::new(None);
        let mut de = serde_json::Deserializer::from_str(payload);
        let parsed = ClaimsSeed { reading: &reading }
            .deserialize(&mut de)
            .and_then(|raw| de.end().map(|()| raw));
        parsed.map_err(|error| match (error.classify(), reading.get()) {
            (serde_json::error::Category::Data, Some(claim)) => ErrorKind::InvalidClaim(claim),
            _ => ErrorKind::Malformed,
        })
    }
}

/// Reads the payload object, noting in `reading` which standard claim is being read, so a
/// type error can name it.
struct ClaimsSeed<'c> {
    reading: &'c Cell<Option<&'static str>>,
}

impl<'de> DeserializeSeed<'de> for ClaimsSeed<'_> {
    type Value = RawClaims<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ClaimsSeed<'_> {
    type Value = RawClaims<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of claims")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut raw = RawClaims::default();
        // Names seen so far; a payload has a few dozen at most, so a scan beats hashing.
        let mut seen: Vec<Cow<'de, str>> = Vec::with_capacity(24);
        while let Some(Text(name)) = map.next_key::<Text<'de>>()? {
            if seen.contains(&name) {
                return Err(A::Error::custom("a claim is named twice"));
            }
            let mut claim = Claim {
                map: &mut map,
                reading: self.reading,
            };
            match &*name {
                "iss" => raw.iss = claim.text("iss")?,
                "sub" => raw.sub = claim.text("sub")?,
                "aud" => raw.aud = claim.read("aud")?,
                "client_id" => raw.client_id = claim.text("client_id")?,
                "token_use" => raw.token_use = claim.text("token_use")?,
                "exp" => raw.exp = Some(claim.read::<NumericDate>("exp")?.0),
                "nbf" => raw.nbf = Some(claim.read::<NumericDate>("nbf")?.0),
                "iat" => raw.iat = Some(claim.read::<NumericDate>("iat")?.0),
                "auth_time" => raw.auth_time = Some(claim.read::<NumericDate>("auth_time")?.0),
                "jti" => raw.jti = claim.text("jti")?,
                "origin_jti" => raw.origin_jti = claim.text("origin_jti")?,
                "username" => raw.username = claim.text("username")?,
                "cognito:username" => raw.cognito_username = claim.text("cognito:username")?,
                "cognito:groups" => raw.groups = claim.read("cognito:groups")?,
                "scope" => raw.scope = claim.text("scope")?,
                "email" => raw.email = claim.read::<LenientText<'de>>("email")?.0,
                "email_verified" => {
                    raw.email_verified = claim.read::<LenientBool>("email_verified")?.0;
                }
                _ => {
                    map.next_value::<AnyValue>()?;
                }
            }
            seen.push(name);
        }
        Ok(raw)
    }
}

/// Reads one standard claim's value.
struct Claim<'m, 'c, A> {
    map: &'m mut A,
    reading: &'c Cell<Option<&'static str>>,
}

impl<'de, A: MapAccess<'de>> Claim<'_, '_, A> {
    fn read<T: Deserialize<'de>>(&mut self, name: &'static str) -> Result<T, A::Error> {
        self.reading.set(Some(name));
        let value = self.map.next_value::<T>()?;
        self.reading.set(None);
        Ok(value)
    }

    /// A string claim; `null` reads as absent.
    fn text(&mut self, name: &'static str) -> Result<Option<Cow<'de, str>>, A::Error> {
        Ok(self.read::<Option<Text<'de>>>(name)?.map(|t| t.0))
    }
}
