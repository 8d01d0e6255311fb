//! The time source used for `exp`/`nbf`, cache expiry and the JWKS cooldown.
//!
//! Production code uses [`Clock::system`]. Tests move time by hand with a [`ManualClock`]:
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use cognito_core::{Clock, ManualClock};
//!
//! let manual = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
//! let clock = Clock::from(manual.clone());
//! manual.advance(Duration::from_secs(60));
//! assert_eq!(clock.unix_seconds(), 1_700_000_060);
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A time source: the system clock, or a [`ManualClock`] in tests.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<ManualClock>,
}

impl Clock {
    /// The system clock.
    #[must_use]
    pub fn system() -> Self {
        Clock { manual: None }
    }

    /// The current time.
    #[must_use]
    pub fn now(&self) -> SystemTime {
        match &self.manual {
            None => SystemTime::now(),
            Some(manual) => manual.now(),
        }
    }

    /// The current time as whole seconds since the Unix epoch (0 before the epoch).
    #[must_use]
    pub fn unix_seconds(&self) -> u64 {
        unix_seconds(self.now())
    }
}

pub(crate) fn unix_seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A clock that only moves when told to. Clones share the same time.
#[derive(Clone, Debug)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock standing at `at`.
    #[must_use]
    pub fn new(at: SystemTime) -> Self {
        ManualClock {
            nanos: Arc::new(AtomicU64::new(to_nanos(at))),
        }
    }

    /// The time it shows.
    #[must_use]
    pub fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_nanos(self.nanos.load(Ordering::Acquire))
    }

    /// Sets the time it shows.
    pub fn set(&self, at: SystemTime) {
        self.nanos.store(to_nanos(at), Ordering::Release);
    }

    /// Moves it forward.
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .nanos
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                Some(n.saturating_add(by))
            });
    }
}

impl From<ManualClock> for Clock {
    fn from(manual: ManualClock) -> Self {
        Clock {
            manual: Some(manual),
        }
    }
}

pub(crate) fn to_nanos(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}
