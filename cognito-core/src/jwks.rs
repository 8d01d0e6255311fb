//! JSON Web Key Sets: parsing, the per-issuer key store, and fetching.
//!
//! The store holds one immutable snapshot of parsed keys per issuer. Readers load it without a
//! lock. A refresh builds a whole new snapshot and swaps it in, so a key that left the document
//! leaves the store, and a reused `kid` never keeps its old key material.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use arc_swap::ArcSwap;
use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;

use crate::clock::{Clock, to_nanos};
use crate::crypto::{RsaKey, strip_leading_zeros};
use crate::error::{ConfigError, ErrorKind};
use crate::jws::Algorithm;

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
        let raw: RawSet = serde_json::from_slice(json)
            .map_err(|_| ConfigError::new("jwks", "not a JSON object with a `keys` array"))?;
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

/// Timing of key fetches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FetchSettings {
    pub(crate) cooldown: Duration,
}

/// Fetches JWKS documents with one shared HTTP client, built on first use.
#[derive(Clone)]
pub(crate) struct Fetcher {
    client: Arc<OnceLock<Option<reqwest::Client>>>,
    connect_timeout: Duration,
    timeout: Duration,
    max_body: usize,
}

/// Why a fetch failed; kept as the `source` of a `KeysUnavailable` error, for logs.
#[derive(Debug)]
pub(crate) enum FetchError {
    Client,
    Http(reqwest::Error),
    Status(u16),
    TooLarge,
    Document,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Client => f.write_str("the HTTP client could not be built"),
            FetchError::Http(e) => write!(f, "JWKS request failed: {e}"),
            FetchError::Status(s) => write!(f, "JWKS endpoint answered HTTP {s}"),
            FetchError::TooLarge => f.write_str("JWKS body exceeds the size limit"),
            FetchError::Document => f.write_str("JWKS body is not a key set"),
        }
    }
}

impl std::error::Error for FetchError {}

impl Fetcher {
    pub(crate) fn new(connect_timeout: Duration, timeout: Duration, max_body: usize) -> Self {
        Fetcher {
            client: Arc::new(OnceLock::new()),
            connect_timeout,
            timeout,
            max_body,
        }
    }

    fn client(&self) -> Result<&reqwest::Client, FetchError> {
        self.client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.timeout)
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(concat!("cognito-core/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .inspect_err(|e| tracing::error!(error = %e, "HTTP client for JWKS fetches"))
                    .ok()
            })
            .as_ref()
            .ok_or(FetchError::Client)
    }

    pub(crate) async fn fetch(&self, url: &str) -> Result<Jwks, FetchError> {
        let mut response = self
            .client()?
            .get(url)
            .send()
            .await
            .map_err(FetchError::Http)?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(FetchError::Status(status));
        }
        if response
            .content_length()
            .is_some_and(|len| len > self.max_body as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(FetchError::Http)? {
            if body.len() + chunk.len() > self.max_body {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Jwks::from_slice(&body).map_err(|_| FetchError::Document)
    }
}

/// The keys of one issuer, with single-flight refreshes and a cooldown.
pub(crate) struct KeyStore {
    url: Option<String>,
    current: ArcSwap<Jwks>,
    /// Held by the one task fetching; others wait on it instead of fetching too.
    gate: tokio::sync::Mutex<()>,
    /// Unix nanos of the last completed fetch (0: never), and whether it succeeded.
    last_fetch: AtomicU64,
    last_ok: AtomicBool,
}

impl KeyStore {
    pub(crate) fn new(url: Option<String>, initial: Jwks) -> Self {
        KeyStore {
            url,
            current: ArcSwap::from_pointee(initial),
            gate: tokio::sync::Mutex::new(()),
            last_fetch: AtomicU64::new(0),
            last_ok: AtomicBool::new(false),
        }
    }

    /// The key for `kid` in the current snapshot, without waiting.
    pub(crate) fn get(&self, kid: &str) -> Option<Arc<Jwk>> {
        self.current.load().find(kid).cloned()
    }

    /// Whether `key` is still the key published under its `kid`.
    pub(crate) fn still_current(&self, key: &Arc<Jwk>) -> bool {
        self.current
            .load()
            .find(&key.kid)
            .is_some_and(|k| Arc::ptr_eq(k, key))
    }

    /// The key for `kid`, fetching the key set once if it is unknown and no fetch happened
    /// within the cooldown.
    pub(crate) async fn key(
        &self,
        kid: &str,
        fetcher: &Fetcher,
        settings: FetchSettings,
        clock: &Clock,
    ) -> Result<Arc<Jwk>, crate::Error> {
        if let Some(key) = self.get(kid) {
            return Ok(key);
        }
        let Some(url) = self.url.as_deref() else {
            return Err(ErrorKind::UnknownKeyId.into());
        };
        if let Some(kind) = self.cooling_down(settings.cooldown, clock) {
            // A fetch may have just stored the key: snapshots are stored before the fetch
            // time, so seeing the new time means seeing the new snapshot.
            return self.get(kid).ok_or_else(|| kind.into());
        }
        let _gate = self.gate.lock().await;
        if let Some(key) = self.get(kid) {
            return Ok(key);
        }
        if let Some(kind) = self.cooling_down(settings.cooldown, clock) {
            return Err(kind.into());
        }
        tracing::info!(url, "fetching JWKS for an unknown key id");
        match self.fetch_and_store(url, fetcher, clock).await {
            Ok(()) => self.get(kid).ok_or_else(|| ErrorKind::UnknownKeyId.into()),
            Err(e) => Err(crate::Error::with_source(ErrorKind::KeysUnavailable, e)),
        }
    }

    /// Fetches now, ignoring the cooldown (start-up and periodic refresh).
    pub(crate) async fn refresh(
        &self,
        fetcher: &Fetcher,
        clock: &Clock,
    ) -> Result<(), crate::Error> {
        let Some(url) = self.url.as_deref() else {
            return Ok(());
        };
        let _gate = self.gate.lock().await;
        self.fetch_and_store(url, fetcher, clock)
            .await
            .map_err(|e| crate::Error::with_source(ErrorKind::KeysUnavailable, e))
    }

    async fn fetch_and_store(
        &self,
        url: &str,
        fetcher: &Fetcher,
        clock: &Clock,
    ) -> Result<(), FetchError> {
        // Should the waiting request go away mid-fetch (client gone, a timeout layer), the
        // attempt still counts: the cooldown starts, and the next request does not fetch again
        // at once.
        let mut attempt = Attempt {
            store: self,
            clock,
            finished: false,
        };
        let result = fetcher.fetch(url).await;
        attempt.finished = true;
        match result {
            Ok(jwks) => {
                for skipped in jwks.skipped() {
                    tracing::warn!(url, kid = ?skipped.kid, reason = skipped.reason, "JWKS key skipped");
                }
                tracing::info!(url, keys = jwks.len(), "JWKS refreshed");
                let jwks = jwks.keeping_unchanged(&self.current.load());
                // The snapshot first, then the time: whoever sees the new time sees the keys.
                self.current.store(Arc::new(jwks));
                self.record_fetch(true, clock);
                Ok(())
            }
            Err(e) => {
                self.record_fetch(false, clock);
                tracing::warn!(url, error = %e, "JWKS fetch failed; keeping the keys already loaded");
                Err(e)
            }
        }
    }

    fn record_fetch(&self, ok: bool, clock: &Clock) {
        self.last_ok.store(ok, Ordering::Release);
        self.last_fetch
            .store(to_nanos(clock.now()).max(1), Ordering::Release);
    }

    /// Within the cooldown after a fetch: the answer for an unknown kid without fetching.
    /// A clock that went back past the last fetch ends the cooldown rather than stretching it.
    fn cooling_down(&self, cooldown: Duration, clock: &Clock) -> Option<ErrorKind> {
        let last = self.last_fetch.load(Ordering::Acquire);
        if last == 0 {
            return None;
        }
        let now = to_nanos(clock.now());
        let cooldown = u64::try_from(cooldown.as_nanos()).unwrap_or(u64::MAX);
        if last <= now && now < last.saturating_add(cooldown) {
            Some(if self.last_ok.load(Ordering::Acquire) {
                ErrorKind::UnknownKeyId
            } else {
                ErrorKind::KeysUnavailable
            })
        } else {
            None
        }
    }
}

/// A fetch in progress; dropped unfinished, it records a failed attempt.
struct Attempt<'a> {
    store: &'a KeyStore,
    clock: &'a Clock,
    finished: bool,
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.finished {
            tracing::warn!("JWKS fetch abandoned by its caller; counted as a failed attempt");
            self.store.record_fetch(false, self.clock);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_without_keys_array_is_refused() {
        assert_eq!(Jwks::from_json("[]").unwrap_err().field(), "jwks");
        assert_eq!(
            Jwks::from_json("{\"keys\":{}}").unwrap_err().field(),
            "jwks"
        );
        assert!(Jwks::from_json("{\"keys\":[]}").unwrap().is_empty());
    }

    #[test]
    fn unusable_keys_are_skipped_with_reasons() {
        let jwks = Jwks::from_json(
            r#"{"keys":[
                {"kty":"RSA","kid":"enc","use":"enc","n":"AQAB","e":"AQAB"},
                {"kty":"RSA","kid":"ps","alg":"PS256","n":"AQAB","e":"AQAB"},
                {"kty":"RSA","n":"AQAB","e":"AQAB"},
                {"kty":"RSA","kid":"small","n":"AQAB","e":"AQAB"},
                {"kty":"RSA","kid":"garbage","n":"!!!","e":"AQAB"},
                "not an object"
            ]}"#,
        )
        .unwrap();
        let reasons: Vec<_> = jwks.skipped().iter().map(|s| s.reason).collect();
        assert_eq!(
            reasons,
            [
                "not a signature key",
                "not an RS256 key",
                "no kid",
                "RSA modulus shorter than 2048 bits",
                "n or e is not base64url",
                "not a JWK object"
            ]
        );
        assert!(jwks.is_empty());
    }
}
