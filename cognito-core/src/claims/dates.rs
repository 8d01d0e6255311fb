//! Claim dates as `SystemTime`s, saturating at the latest time the platform holds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `seconds` after the epoch; a time the platform cannot represent (far beyond year 2262 on
/// some) is the latest it can: the claims are signed, so this is never an attacker's lever.
pub(super) fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH
        .checked_add(Duration::from_secs(seconds))
        .unwrap_or_else(latest_time)
}

pub(super) fn latest_time() -> SystemTime {
    // Halve the step until it fits: about 64 tries at most, only on absurd dates.
    let mut time = UNIX_EPOCH;
    let mut step = Duration::from_secs(u64::MAX);
    while step > Duration::ZERO {
        match time.checked_add(step) {
            Some(later) => time = later,
            None => step /= 2,
        }
    }
    time
}
