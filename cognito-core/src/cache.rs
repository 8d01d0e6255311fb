//! The verified-token cache: exact token text → verified claims, bounded, each entry living no
//! longer than its token.

use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::Expiry;
use moka::sync::Cache;

use crate::claims::VerifiedToken;
use crate::clock::Clock;

/// The tokens are chosen by clients, so the hash is keyed per process (foldhash seeds from
/// random state), and equality is on the whole token.
type Hasher = foldhash::fast::RandomState;

#[derive(Clone)]
pub(crate) struct TokenCache {
    cache: Cache<Arc<str>, Arc<VerifiedToken>, Hasher>,
}

struct UntilExp {
    clock: Clock,
}

impl Expiry<Arc<str>, Arc<VerifiedToken>> for UntilExp {
    fn expire_after_create(
        &self,
        _key: &Arc<str>,
        value: &Arc<VerifiedToken>,
        _created_at: Instant,
    ) -> Option<Duration> {
        let now = self.clock.unix_seconds();
        Some(Duration::from_secs(value.exp.saturating_sub(now)))
    }
}

impl TokenCache {
    pub(crate) fn new(capacity: u64, clock: Clock) -> Self {
        let cache = Cache::builder()
            .max_capacity(capacity)
            .expire_after(UntilExp { clock })
            .build_with_hasher(Hasher::default());
        TokenCache { cache }
    }

    pub(crate) fn get(&self, token: &str) -> Option<Arc<VerifiedToken>> {
        self.cache.get(token)
    }

    pub(crate) fn insert(&self, token: &str, verified: Arc<VerifiedToken>) {
        let key = verified.token.clone().unwrap_or_else(|| Arc::from(token));
        self.cache.insert(key, verified);
    }

    pub(crate) fn remove(&self, token: &str) {
        self.cache.invalidate(token);
    }

    pub(crate) fn entry_count(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.entry_count()
    }
}
