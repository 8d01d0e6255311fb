//! JSON Web Key Sets: parsing, the per-issuer key store, and fetching.
//!
//! The store holds one immutable snapshot of parsed keys per issuer. Readers load it without a
//! lock. A refresh builds a whole new snapshot and swaps it in, so a key that left the document
//! leaves the store, and a reused `kid` never keeps its old key material.

mod fetch;
mod key;
mod store;

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;

use crate::error::ConfigError;

pub(crate) use fetch::{FetchSettings, Fetcher};
pub(crate) use key::Jwk;
use key::parse_key;
pub(crate) use store::{KeyStore, Source};

/// Key material in a JWK is base64url; some publishers pad it, so padding is optional here.
const JWK_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A key left out of a [`Jwks`], and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedKey {
    /// The key's `kid`, if it had one.
    pub kid: Option<String>,
    /// Why it was left out.
    pub reason: &'static str,
}

/// A parsed JSON Web Key Set: the usable keys, by `kid`, each bound to the algorithms it
/// verifies.
///
/// An RSA key (`kty` `RSA`, 2048 to 8192 bits) verifies `RS256`, `RS384`, `RS512`, `PS256`,
/// `PS384` and `PS512`, or only the one its `alg` names; an EC key (`kty` `EC`) verifies the
/// algorithm of its `crv` (`P-256`: `ES256`, `P-384`: `ES384`, `P-521`: `ES512`), its `x` and
/// `y` exactly the curve's coordinate length and a point on the curve; an OKP key verifies
/// `EdDSA` with `crv` `Ed25519` and a 32-byte `x`. An `alg` that disagrees with the key's type
/// or curve makes the key unusable.
///
/// Keys that cannot be used (another type or curve, not for signatures, an `alg` that does
/// not fit, an RSA key shorter than 2048 bits, malformed, a repeated `kid`) are skipped and
/// listed in [`skipped`](Jwks::skipped); they never make the whole set fail.
///
/// ```
/// use cognito_core::Jwks;
///
/// let jwks = Jwks::from_json(
///     r#"{"keys":[{"kty":"EC","kid":"e1","crv":"P-256","alg":"ES384","x":"","y":""}]}"#,
/// )?;
/// assert_eq!(jwks.len(), 0);
/// assert_eq!(jwks.skipped()[0].kid.as_deref(), Some("e1"));
/// assert_eq!(jwks.skipped()[0].reason, "the algorithm is not for the key's curve");
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

    /// This set with `key` added (in place of a key of its `kid`), keeping at most `limit`
    /// keys: the oldest leave first.
    pub(crate) fn with_key(&self, key: Jwk, limit: usize) -> Jwks {
        let mut keys: Vec<Arc<Jwk>> = self
            .keys
            .iter()
            .filter(|k| k.kid != key.kid)
            .cloned()
            .collect();
        keys.push(Arc::new(key));
        let excess = keys.len().saturating_sub(limit.max(1));
        keys.drain(..excess);
        Jwks {
            keys,
            skipped: Vec::new(),
        }
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
                && old.same_as(key)
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
