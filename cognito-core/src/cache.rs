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

/// The share of the capacity one entry takes: one per started [`WEIGHT_UNIT`] bytes of token and
/// payload. An ordinary Cognito token (1–2 KiB, its payload under 1 KiB) weighs 1; a token
/// padded to the length limit weighs more, so the memory stays bounded whatever tokens clients
/// manage to get signed.
pub(crate) const WEIGHT_UNIT: usize = 4096;

fn weight(token: &Arc<str>, value: &Arc<VerifiedToken>) -> u32 {
    let bytes = token.len() + value.payload.len();
    u32::try_from(bytes.div_ceil(WEIGHT_UNIT).max(1)).unwrap_or(u32::MAX)
}

impl TokenCache {
    pub(crate) fn new(capacity: u64, clock: Clock) -> Self {
        let cache = Cache::builder()
            .max_capacity(capacity)
            .weigher(weight)
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
