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

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, de::Error as _};
use serde_json::Value;

use crate::error::ErrorKind;

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

/// A string, borrowed from the payload when it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }

        d.deserialize_str(TextVisitor)
    }
}

/// Any JSON value, read and dropped: strings decoded, numbers converted, containers walked, the
/// same work `serde_json::Value` does, without keeping anything. (`serde::de::IgnoredAny`
/// skips strings without decoding their escapes and numbers without converting them: the gap
/// this closes.)
struct AnyValue;

impl<'de> Deserialize<'de> for AnyValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnyValue)
    }
}

impl<'de> Visitor<'de> for AnyValue {
    type Value = AnyValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_unit<E: de::Error>(self) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<AnyValue, S::Error> {
        while seq.next_element::<AnyValue>()?.is_some() {}
        Ok(AnyValue)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<AnyValue, M::Error> {
        // Keys are decoded like any string: an unpaired surrogate in a name is refused too.
        while map.next_key::<AnyValue>()?.is_some() {
            map.next_value::<AnyValue>()?;
        }
        Ok(AnyValue)
    }
}

/// `aud`: a string, or (outside Cognito ID tokens) an array of strings.
#[derive(Deserialize, Debug)]
#[serde(untagged)]
pub(crate) enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub(crate) fn as_slice(&self) -> &[String] {
        match self {
            Audience::One(one) => std::slice::from_ref(one),
            Audience::Many(many) => many,
        }
    }
}

/// A NumericDate: a non-negative number of seconds, possibly fractional (rounded down).
struct NumericDate(u64);

impl<'de> Deserialize<'de> for NumericDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Seconds;

        impl Visitor<'_> for Seconds {
            type Value = NumericDate;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative number of seconds")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumericDate, E> {
                if v > 1_000_000_000_000_000 {
                    return Err(E::custom("NumericDate out of range"));
                }
                Ok(NumericDate(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumericDate, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom("negative NumericDate"))
                    .and_then(|v| self.visit_u64(v))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumericDate, E> {
                if !(0.0..=1e15).contains(&v) {
                    return Err(E::custom("NumericDate out of range"));
                }
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Ok(NumericDate(v.floor() as u64))
            }
        }

        d.deserialize_any(Seconds)
    }
}

/// A string claim that a pre-token trigger may have turned into another type: anything but a
/// string reads as absent (and is still validated as JSON).
struct LenientText<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for LenientText<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextOrAnything;

        impl<'de> Visitor<'de> for TextOrAnything {
            type Value = LenientText<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(LenientText(Some(Cow::Borrowed(v))))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(LenientText(Some(Cow::Owned(v.to_owned()))))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(LenientText(None))
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(LenientText(None))
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(LenientText(None))
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(LenientText(None))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(LenientText(None))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                AnyValue.visit_seq(seq).map(|_| LenientText(None))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                AnyValue.visit_map(map).map(|_| LenientText(None))
            }
        }

        d.deserialize_any(TextOrAnything)
    }
}

/// `true`/`false`, or the strings `"true"`/`"false"` (moto and older pools send strings);
/// anything else reads as absent.
struct LenientBool(Option<bool>);

impl<'de> Deserialize<'de> for LenientBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient_bool(d).map(LenientBool)
    }
}

/// `true`/`false`, or the strings `"true"`/`"false"`, case-insensitively.
pub(crate) fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(payload: &str) -> Result<RawClaims<'_>, ErrorKind> {
        RawClaims::parse(payload)
    }

    #[test]
    fn standard_claims_are_read_and_borrowed_when_unescaped() {
        let raw = parse(
            r#"{"iss":"https://i","sub":"a\u00e9","exp":10.9,"cognito:groups":["x"],
                "email_verified":"TRUE","custom:x":{"deep":[1,2.5e3,null,true]}}"#,
        )
        .unwrap();
        assert!(matches!(raw.iss, Some(Cow::Borrowed("https://i"))));
        assert_eq!(raw.sub.as_deref(), Some("aé"));
        assert_eq!(raw.exp, Some(10));
        assert_eq!(raw.groups, Some(vec!["x".to_owned()]));
        assert_eq!(raw.email_verified, Some(true));
    }

    #[test]
    fn unpaired_surrogates_anywhere_are_malformed() {
        for payload in [
            r#"{"sub":"a","x":"\ud800"}"#,
            r#"{"sub":"a","x":"\udc00"}"#,
            r#"{"sub":"a","x":"x\ud800\u0041"}"#,
            r#"{"sub":"a","x":["\ud800"]}"#,
            r#"{"sub":"a","x":{"\ud800":1}}"#,
            r#"{"sub":"a","\ud800":1}"#,
            r#"{"sub":"a","email":"\ud800"}"#,
            r#"{"sub":"\ud800"}"#,
        ] {
            assert_eq!(
                parse(payload).err(),
                Some(ErrorKind::Malformed),
                "{payload}"
            );
        }
        // A surrogate pair is one character, not a defect.
        assert!(parse(r#"{"x":"\ud83d\ude00"}"#).is_ok());
    }

    #[test]
    fn numbers_outside_f64_are_malformed() {
        for payload in [
            r#"{"x":1e400}"#,
            r#"{"x":-1e400}"#,
            r#"{"x":[1e400]}"#,
            r#"{"email":1e400}"#,
        ] {
            assert_eq!(
                parse(payload).err(),
                Some(ErrorKind::Malformed),
                "{payload}"
            );
        }
        // Underflow is a representable zero, as for every JSON reader of f64.
        assert!(parse(r#"{"x":1e-400}"#).is_ok());
    }

    #[test]
    fn every_name_counts_once() {
        for payload in [
            r#"{"sub":"a","sub":"b"}"#,
            r#"{"custom:status":"disabled","custom:status":"active"}"#,
            r#"{"x":1,"\u0078":2}"#,
            r#"{"sub":null,"sub":"b"}"#,
        ] {
            assert_eq!(
                parse(payload).err(),
                Some(ErrorKind::Malformed),
                "{payload}"
            );
        }
    }

    #[test]
    fn standard_claims_of_the_wrong_shape_are_named() {
        for (payload, claim) in [
            (r#"{"cognito:groups":"admin"}"#, "cognito:groups"),
            (r#"{"cognito:groups":[1]}"#, "cognito:groups"),
            (r#"{"exp":"tomorrow"}"#, "exp"),
            (r#"{"exp":null}"#, "exp"),
            (r#"{"nbf":-1}"#, "nbf"),
            (r#"{"sub":7}"#, "sub"),
            (r#"{"token_use":["id"]}"#, "token_use"),
            (r#"{"aud":{"a":1}}"#, "aud"),
            (r#"{"scope":["a"]}"#, "scope"),
        ] {
            assert_eq!(
                parse(payload).err(),
                Some(ErrorKind::InvalidClaim(claim)),
                "{payload}"
            );
        }
    }

    #[test]
    fn lenient_claims_read_other_types_as_absent() {
        let raw = parse(r#"{"email":["a"],"email_verified":1,"jti":null}"#).unwrap();
        assert_eq!(raw.email, None);
        assert_eq!(raw.email_verified, None);
        assert_eq!(raw.jti, None);
    }

    #[test]
    fn not_one_object_is_malformed() {
        for payload in ["[]", "{} x", "{", r#"{"a":1,}"#, "\"a\""] {
            assert_eq!(
                parse(payload).err(),
                Some(ErrorKind::Malformed),
                "{payload}"
            );
        }
    }

    /// What the verifier accepts, the full parse reads whole: the two agree on every payload.
    mod agrees_with_the_full_parse {
        use super::*;
        use proptest::prelude::*;

        fn member() -> impl Strategy<Value = String> {
            let name = prop::sample::select(vec![
                "\"sub\"",
                "\"x\"",
                "\"exp\"",
                "\"email\"",
                "\"cognito:groups\"",
                "\"\\u0078\"",
            ]);
            let value = prop::sample::select(vec![
                "\"a\"",
                "\"\\ud800\"",
                "\"\\ud83d\\ude00\"",
                "1e400",
                "-1e400",
                "1e-400",
                "12",
                "-3",
                "2.5",
                "[\"g\"]",
                "[1e400]",
                "{\"k\":\"\\udc00\"}",
                "{\"k\":1,\"k\":2}",
                "null",
                "true",
                "\"\\u0041\"",
            ]);
            (name, value).prop_map(|(n, v)| format!("{n}:{v}"))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            #[test]
            fn on_payloads_of_awkward_members(members in prop::collection::vec(member(), 0..5)) {
                let payload = format!("{{{}}}", members.join(","));
                let full = serde_json::from_str::<serde_json::Map<String, Value>>(&payload);
                match parse(&payload) {
                    Ok(_) => prop_assert!(full.is_ok(), "accepted what the full parse refuses: {}", payload),
                    Err(ErrorKind::Malformed | ErrorKind::InvalidClaim(_)) => {}
                    Err(other) => prop_assert!(false, "{:?}", other),
                }
            }
        }
    }
}
