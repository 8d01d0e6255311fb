//! JSON Web Key Sets: parsing, the per-issuer key store, and fetching.
//!
//! The store holds one immutable snapshot of parsed keys per issuer. Readers load it without a
//! lock. A refresh builds a whole new snapshot and swaps it in, so a key that left the document
//! leaves the store, and a reused `kid` never keeps its old key material.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use arc_swap::ArcSwap;
use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;
use tokio::sync::watch;

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

/// The keys of one issuer, with single-flight fetches and a cooldown.
///
/// A fetch runs in a task of its own: once started it finishes (or times out) whatever happens
/// to the requests waiting for it. A waiter that leaves costs nothing, and the cooldown starts
/// only from a fetch that really completed or failed, so clients hanging up can neither cancel
/// fetches nor hold the store in a cooldown of their making.
pub(crate) struct KeyStore {
    state: Arc<StoreState>,
}

struct StoreState {
    url: Option<String>,
    current: ArcSwap<Jwks>,
    /// The fetch in flight, if any: its outcome is published here when it ends.
    in_flight: Mutex<Option<Outcome>>,
    /// Unix nanos of the last completed fetch (0: never), and whether it succeeded.
    last_fetch: AtomicU64,
    last_ok: AtomicBool,
}

/// Where waiters learn how a fetch ended: `None` while it runs.
type Outcome = watch::Receiver<Option<Result<(), Arc<FetchError>>>>;

/// How a request takes part in a fetch.
enum Fetch {
    /// It started the fetch: what the fetch finds is the issuer's key set as of now.
    Started(Outcome),
    /// It joined a fetch that was already running, which may have begun before a new key was
    /// published.
    Joined(Outcome),
}

impl KeyStore {
    pub(crate) fn new(url: Option<String>, initial: Jwks) -> Self {
        KeyStore {
            state: Arc::new(StoreState {
                url,
                current: ArcSwap::from_pointee(initial),
                in_flight: Mutex::new(None),
                last_fetch: AtomicU64::new(0),
                last_ok: AtomicBool::new(false),
            }),
        }
    }

    /// Whether `key` is still the key published under its `kid`.
    pub(crate) fn still_current(&self, key: &Arc<Jwk>) -> bool {
        self.state
            .current
            .load()
            .find(&key.kid)
            .is_some_and(|k| Arc::ptr_eq(k, key))
    }

    /// The key for `kid`, fetching the key set if it is unknown and no fetch completed within
    /// the cooldown.
    ///
    /// Refusals: a `kid` the issuer published as an unusable key is [`ErrorKind::UnusableKey`];
    /// one still absent from a fetch this request started is [`ErrorKind::UnknownKeyId`]; one
    /// that only a fetch from before the request could have seen (during the cooldown, or a
    /// fetch already running) is [`ErrorKind::KeyNotYetFetched`], a 503 asking to retry once
    /// the cooldown is over: a key published a moment ago is never called invalid before the
    /// store has looked for it.
    pub(crate) async fn key(
        &self,
        kid: &str,
        fetcher: &Fetcher,
        settings: FetchSettings,
        clock: &Clock,
    ) -> Result<Arc<Jwk>, crate::Error> {
        if let Some(key) = self.known(kid)? {
            return Ok(key);
        }
        if self.state.url.is_none() {
            return Err(ErrorKind::UnknownKeyId.into());
        }
        if let Some(refusal) = self.state.cooling_down(settings.cooldown, clock) {
            // A fetch may have just stored the key: snapshots are stored before the fetch
            // time, so seeing the new time means seeing the new snapshot.
            return self.known(kid)?.ok_or(refusal);
        }
        let fetch = match self.join_or_start(fetcher, clock, Some(settings.cooldown)) {
            Ok(fetch) => fetch,
            Err(refusal) => return self.known(kid)?.ok_or(refusal),
        };
        let started = matches!(fetch, Fetch::Started(_));
        let (Fetch::Started(outcome) | Fetch::Joined(outcome)) = fetch;
        wait(outcome).await.map_err(|failed| {
            failed.retry_in(self.state.remaining_cooldown(settings.cooldown, clock))
        })?;
        match self.known(kid)? {
            Some(key) => Ok(key),
            None if started => Err(ErrorKind::UnknownKeyId.into()),
            None => Err(crate::Error::from(ErrorKind::KeyNotYetFetched)
                .retry_in(self.state.remaining_cooldown(settings.cooldown, clock))),
        }
    }

    /// The key for `kid` if the current snapshot has it; an error if it lists it as skipped.
    fn known(&self, kid: &str) -> Result<Option<Arc<Jwk>>, crate::Error> {
        let current = self.state.current.load();
        if let Some(key) = current.find(kid) {
            return Ok(Some(Arc::clone(key)));
        }
        if current
            .skipped
            .iter()
            .any(|s| s.kid.as_deref() == Some(kid))
        {
            return Err(ErrorKind::UnusableKey.into());
        }
        Ok(None)
    }

    /// Fetches now, ignoring the cooldown (start-up and periodic refresh); joins a fetch that
    /// is already running instead of starting a second one.
    pub(crate) async fn refresh(
        &self,
        fetcher: &Fetcher,
        clock: &Clock,
    ) -> Result<(), crate::Error> {
        if self.state.url.is_none() {
            return Ok(());
        }
        let (Fetch::Started(outcome) | Fetch::Joined(outcome)) =
            self.join_or_start(fetcher, clock, None)?;
        wait(outcome).await
    }

    /// Joins the fetch in flight, or starts one in a task of its own.
    ///
    /// # Errors
    /// With a `cooldown`, the cooldown's refusal when a fetch completed within it (since the
    /// caller last looked); `KeysUnavailable` outside a Tokio runtime.
    fn join_or_start(
        &self,
        fetcher: &Fetcher,
        clock: &Clock,
        cooldown: Option<Duration>,
    ) -> Result<Fetch, crate::Error> {
        let state = &self.state;
        let mut in_flight = state
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(outcome) = in_flight.as_ref() {
            return Ok(Fetch::Joined(outcome.clone()));
        }
        // A fetch that ended between the caller's look at the cooldown and this lock.
        if let Some(refusal) = cooldown.and_then(|c| state.cooling_down(c, clock)) {
            return Err(refusal);
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::error!("JWKS fetches need a Tokio runtime; none is running");
            return Err(ErrorKind::KeysUnavailable.into());
        };
        let (done, outcome) = watch::channel(None);
        *in_flight = Some(outcome.clone());
        drop(in_flight);
        let task_state = Arc::clone(state);
        let (fetcher, clock) = (fetcher.clone(), clock.clone());
        runtime.spawn(async move {
            let result = task_state.fetch_and_store(&fetcher, &clock).await;
            // The snapshot and the fetch time are stored: later requests see the cooldown,
            // and none joins this fetch any more.
            *task_state
                .in_flight
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = None;
            let _ = done.send(Some(result.map_err(Arc::new)));
        });
        Ok(Fetch::Started(outcome))
    }
}

/// Waits for a fetch's outcome.
async fn wait(mut outcome: Outcome) -> Result<(), crate::Error> {
    match outcome.wait_for(Option::is_some).await {
        Ok(ended) => match ended.as_ref() {
            Some(Ok(())) => Ok(()),
            Some(Err(e)) => Err(crate::Error::with_source(
                ErrorKind::KeysUnavailable,
                Arc::clone(e),
            )),
            None => Err(ErrorKind::KeysUnavailable.into()),
        },
        // The task ended without an answer: the runtime is shutting down.
        Err(_) => Err(ErrorKind::KeysUnavailable.into()),
    }
}

impl StoreState {
    async fn fetch_and_store(&self, fetcher: &Fetcher, clock: &Clock) -> Result<(), FetchError> {
        let url = self.url.as_deref().unwrap_or_default();
        tracing::info!(url, "fetching JWKS");
        match fetcher.fetch(url).await {
            Ok(jwks) => {
                jwks.log_skipped(url);
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

    /// Within the cooldown after a fetch: the answer for an unknown kid without fetching, with
    /// the rest of the cooldown as its `Retry-After`. A clock that went back past the last
    /// fetch ends the cooldown rather than stretching it.
    fn cooling_down(&self, cooldown: Duration, clock: &Clock) -> Option<crate::Error> {
        let remaining = self.remaining_cooldown(cooldown, clock);
        if remaining.is_zero() {
            return None;
        }
        let kind = if self.last_ok.load(Ordering::Acquire) {
            ErrorKind::KeyNotYetFetched
        } else {
            ErrorKind::KeysUnavailable
        };
        Some(crate::Error::from(kind).retry_in(remaining))
    }

    /// How much of the cooldown after the last fetch is left (zero: none).
    fn remaining_cooldown(&self, cooldown: Duration, clock: &Clock) -> Duration {
        let last = self.last_fetch.load(Ordering::Acquire);
        if last == 0 {
            return Duration::ZERO;
        }
        let now = to_nanos(clock.now());
        let end = last.saturating_add(u64::try_from(cooldown.as_nanos()).unwrap_or(u64::MAX));
        if last <= now && now < end {
            Duration::from_nanos(end - now)
        } else {
            Duration::ZERO
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
        // The struct's fields as an array are not a key set either.
        assert_eq!(Jwks::from_json("[[]]").unwrap_err().field(), "jwks");
        assert_eq!(
            Jwks::from_json(" [[{\"kty\":\"RSA\"}]]")
                .unwrap_err()
                .field(),
            "jwks"
        );
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
