//! JSON Web Key Sets: parsing, the per-issuer key store, and fetching.
//!
//! The store holds one immutable snapshot of parsed keys per issuer. Readers load it without a
//! lock. A refresh builds a whole new snapshot and swaps it in, so a key that left the document
//! leaves the store, and a reused `kid` never keeps its old key material.

mod fetch;
mod store;

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;

use crate::crypto::{RsaKey, strip_leading_zeros};
use crate::error::ConfigError;
use crate::jws::Algorithm;

pub(crate) use fetch::{FetchSettings, Fetcher};
pub(crate) use store::KeyStore;

/// Key material in a JWK is base64url; some publishers pad it, so padding is optional here.
const JWK_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// One usable verification key.
pub(crate) struct Jwk {
    kid: Box<str>,
    alg: Algorithm,
    rsa: RsaKey,
    /// The key material as published (`e`, then `n`, without leading zeros), to tell an
    /// unchanged key from a new one under the same `kid`.
    material: Box<[u8]>,
}

impl Jwk {
    pub(crate) fn allows(&self, alg: Algorithm) -> bool {
        self.alg == alg
    }

    pub(crate) fn verify(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        match self.alg {
            Algorithm::Rs256 => self.rsa.verify_rs256(signing_input, signature),
        }
    }
}

/// A key left out of a [`Jwks`], and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedKey {
    /// The key's `kid`, if it had one.
    pub kid: Option<String>,
    /// Why it was left out.
    pub reason: &'static str,
}

/// A parsed JSON Web Key Set: the usable RS256 keys, by `kid`.
///
/// Keys that cannot be used (not RSA, not for signatures, another algorithm, shorter than 2048
/// bits, malformed, a repeated `kid`) are skipped and listed in [`skipped`](Jwks::skipped);
/// they never make the whole set fail.
///
/// ```
/// use cognito_core::Jwks;
///
/// let jwks = Jwks::from_json(r#"{"keys":[{"kty":"EC","kid":"e1","crv":"P-256"}]}"#)?;
/// assert_eq!(jwks.len(), 0);
/// assert_eq!(jwks.skipped()[0].kid.as_deref(), Some("e1"));
/// # Ok::<(), cognito_core::ConfigError>(())
/// ```
#[derive(Clone, Default)]
pub struct Jwks {
    keys: Vec<Arc<Jwk>>,
    skipped: Vec<SkippedKey>,
}

#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawKey {
    kty: Option<String>,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

impl Jwks {
    /// Parses a JWKS document (`{"keys": [...]}`).
    ///
    /// # Errors
    /// `jwks` when the document is not a JSON object with a `keys` array.
    pub fn from_json(json: &str) -> Result<Self, ConfigError> {
        Self::from_slice(json.as_bytes())
    }

    pub(crate) fn from_slice(json: &[u8]) -> Result<Self, ConfigError> {
        let refused = || ConfigError::new("jwks", "not a JSON object with a `keys` array");
        // serde would also read the struct from an array (`[[...keys]]`): only an object is a
        // key set.
        if json.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(refused());
        }
        let raw: RawSet = serde_json::from_slice(json).map_err(|_| refused())?;
        let mut jwks = Jwks::default();
        for value in raw.keys {
            match parse_key(&value) {
                Ok(key) if jwks.find(&key.kid).is_some() => jwks.skipped.push(SkippedKey {
                    kid: Some(key.kid.to_string()),
                    reason: "repeated kid",
                }),
                Ok(key) => jwks.keys.push(Arc::new(key)),
                Err(reason) => {
                    let kid = value.get("kid").and_then(|k| k.as_str()).map(str::to_owned);
                    jwks.skipped.push(SkippedKey { kid, reason });
                }
            }
        }
        Ok(jwks)
    }

    /// The number of usable keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is usable.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The `kid`s of the usable keys.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| &*k.kid)
    }

    /// The keys that were left out, and why.
    #[must_use]
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    pub(crate) fn find(&self, kid: &str) -> Option<&Arc<Jwk>> {
        self.keys.iter().find(|k| &*k.kid == kid)
    }

    /// Logs each skipped key at WARN, with its `kid` and why: once per load, so an operator
    /// sees why a token naming it is refused.
    pub(crate) fn log_skipped(&self, source: &str) {
        for skipped in &self.skipped {
            tracing::warn!(
                source,
                kid = skipped.kid.as_deref().unwrap_or("(none)"),
                reason = skipped.reason,
                "JWKS key skipped: tokens naming it are refused"
            );
        }
    }

    /// Keeps `previous`'s key objects for keys published again unchanged (same `kid`, same
    /// material), so tokens verified with them stay cached across refreshes; a changed key
    /// under a reused `kid` stays new.
    fn keeping_unchanged(mut self, previous: &Jwks) -> Jwks {
        for key in &mut self.keys {
            if let Some(old) = previous.find(&key.kid)
                && old.material == key.material
                && old.alg == key.alg
            {
                *key = Arc::clone(old);
            }
        }
        self
    }
}

impl fmt::Debug for Jwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwks")
            .field("kids", &self.kids().collect::<Vec<_>>())
            .field("skipped", &self.skipped)
            .finish()
    }
}

fn parse_key(value: &serde_json::Value) -> Result<Jwk, &'static str> {
    let raw = RawKey::deserialize(value).map_err(|_| "not a JWK object")?;
    let kid = raw.kid.ok_or("no kid")?;
    if raw.kty.as_deref() != Some("RSA") {
        return Err("not an RSA key");
    }
    if raw.use_.as_deref().is_some_and(|u| u != "sig") {
        return Err("not a signature key");
    }
    if raw.alg.as_deref().is_some_and(|a| a != "RS256") {
        return Err("not an RS256 key");
    }
    let decode = |field: Option<String>| -> Result<Vec<u8>, &'static str> {
        let text = field.ok_or("missing n or e")?;
        JWK_B64.decode(text).map_err(|_| "n or e is not base64url")
    };
    let n = decode(raw.n)?;
    let e = decode(raw.e)?;
    let rsa = RsaKey::from_components(&n, &e)?;
    debug_assert!(rsa.bits() >= crate::crypto::MIN_RSA_BITS);
    let (n, e) = (strip_leading_zeros(&n), strip_leading_zeros(&e));
    // `e` is at most 4 bytes (checked above), so its length fits the one-byte prefix.
    let mut material = Vec::with_capacity(1 + e.len() + n.len());
    material.push(e.len() as u8);
    material.extend_from_slice(e);
    material.extend_from_slice(n);
    Ok(Jwk {
        kid: kid.into(),
        alg: Algorithm::Rs256,
        rsa,
        material: material.into(),
    })
}
