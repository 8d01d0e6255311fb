//! The per-issuer key store: lock-free snapshots, single-flight fetches and a cooldown.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use arc_swap::ArcSwap;
use tokio::sync::watch;

use super::fetch::{FetchError, FetchSettings, Fetcher};
use super::{Jwk, Jwks};
use crate::clock::{Clock, to_nanos};
use crate::error::ErrorKind;

/// The keys of one issuer, with single-flight fetches and a cooldown.
///
/// A fetch runs in a task of its own: once started it finishes (or times out) whatever happens
/// to the requests waiting for it. A waiter that leaves costs nothing, and the cooldown starts
/// only from a fetch that really completed or failed, so clients hanging up can neither cancel
/// fetches nor hold the store in a cooldown of their making.
pub(crate) struct KeyStore {
    state: Arc<StoreState>,
}

/// Where a store's keys come from.
pub(crate) enum Source {
    /// Given once: nothing to fetch.
    Fixed,
    /// A JWKS document, fetched whole.
    Jwks(String),
    /// One P-256 public key in PEM per key id, at `{endpoint}/{kid}` (an Application Load
    /// Balancer's keys); at most `limit` are kept, the oldest leaving first.
    PemPerKid { endpoint: String, limit: usize },
}

struct StoreState {
    source: Source,
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
    pub(crate) fn new(source: Source, initial: Jwks) -> Self {
        KeyStore {
            state: Arc::new(StoreState {
                source,
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
        if matches!(self.state.source, Source::Fixed) {
            return Err(ErrorKind::UnknownKeyId.into());
        }
        if let Some(refusal) = self.state.cooling_down(settings.cooldown, clock) {
            // A fetch may have just stored the key: snapshots are stored before the fetch
            // time, so seeing the new time means seeing the new snapshot.
            return self.known(kid)?.ok_or(refusal);
        }
        let fetch = match self.join_or_start(fetcher, clock, Some(settings.cooldown), kid) {
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
    /// is already running instead of starting a second one. Keys fetched one by one are not
    /// refreshed: a key id always names the same key.
    pub(crate) async fn refresh(
        &self,
        fetcher: &Fetcher,
        clock: &Clock,
    ) -> Result<(), crate::Error> {
        if !matches!(self.state.source, Source::Jwks(_)) {
            return Ok(());
        }
        let (Fetch::Started(outcome) | Fetch::Joined(outcome)) =
            self.join_or_start(fetcher, clock, None, "")?;
        wait(outcome).await
    }

    /// Joins the fetch in flight, or starts one (for `kid`, where keys are fetched one by one)
    /// in a task of its own.
    ///
    /// # Errors
    /// With a `cooldown`, the cooldown's refusal when a fetch completed within it (since the
    /// caller last looked); `KeysUnavailable` outside a Tokio runtime.
    fn join_or_start(
        &self,
        fetcher: &Fetcher,
        clock: &Clock,
        cooldown: Option<Duration>,
        kid: &str,
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
        let (fetcher, clock, kid) = (fetcher.clone(), clock.clone(), kid.to_owned());
        runtime.spawn(async move {
            let result = task_state.fetch_and_store(&fetcher, &clock, &kid).await;
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
    async fn fetch_and_store(
        &self,
        fetcher: &Fetcher,
        clock: &Clock,
        kid: &str,
    ) -> Result<(), FetchError> {
        let (url, fetched) = match &self.source {
            Source::Fixed => return Ok(()),
            Source::Jwks(url) => {
                tracing::info!(url, "fetching JWKS");
                (url.clone(), fetcher.fetch(url).await)
            }
            Source::PemPerKid { endpoint, limit } => {
                let url = format!("{endpoint}/{kid}");
                tracing::info!(url, "fetching a load balancer key");
                let fetched = fetcher.fetch_pem_key(&url, kid).await;
                (
                    url,
                    fetched.map(|key| self.current.load().with_key(key, *limit)),
                )
            }
        };
        match fetched {
            Ok(jwks) => {
                jwks.log_skipped(&url);
                tracing::info!(url, keys = jwks.len(), "keys refreshed");
                let jwks = jwks.keeping_unchanged(&self.current.load());
                // The snapshot first, then the time: whoever sees the new time sees the keys.
                self.current.store(Arc::new(jwks));
                self.record_fetch(true, clock);
                Ok(())
            }
            Err(e) => {
                self.record_fetch(false, clock);
                tracing::warn!(url, error = %e, "key fetch failed; keeping the keys already loaded");
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
