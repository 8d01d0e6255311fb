use std::time::{Duration, UNIX_EPOCH};

use super::dates::{at, latest_time};

#[test]
fn dates_beyond_what_the_platform_holds_are_the_latest_time_not_a_panic() {
    let far = at(u64::MAX);
    assert!(far >= at(1_000_000_000_000), "monotonic at the edge");
    assert_eq!(
        at(1_700_000_000),
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    );
    assert_eq!(latest_time().checked_add(Duration::from_secs(1)), None);
}
