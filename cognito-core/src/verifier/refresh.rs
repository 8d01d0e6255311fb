//! Keys fetched ahead of requests: at start-up, and periodically in the background.

use std::sync::{Arc, Weak};
use std::time::Duration;

use super::{Inner, Verifier};
use crate::error::{ConfigError, Error};

impl Verifier {
    /// Fetches the keys of every issuer that has a JWKS URL, so the first requests do not wait.
    /// Call it at start-up.
    ///
    /// # Errors
    /// [`ErrorKind::KeysUnavailable`](crate::ErrorKind::KeysUnavailable) if any issuer's keys
    /// could not be fetched (the others are still loaded).
    pub async fn hydrate(&self) -> Result<(), Error> {
        let mut first_error = None;
        for issuer in &self.inner.issuers {
            if let Err(e) = issuer
                .store
                .refresh(&self.inner.fetcher, &self.inner.clock)
                .await
            {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Refreshes every issuer's keys every `every`, in a background task, until the returned
    /// handle is stopped or dropped. A failed refresh keeps the keys already loaded.
    ///
    /// # Errors
    /// `refresh` when called outside a Tokio runtime, or with a zero period.
    pub fn spawn_refresh(&self, every: Duration) -> Result<RefreshHandle, ConfigError> {
        if every.is_zero() {
            return Err(ConfigError::new("refresh", "zero period"));
        }
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| ConfigError::new("refresh", "must be called within a Tokio runtime"))?;
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        let task = runtime.spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                let Some(inner) = weak.upgrade() else { return };
                for issuer in &inner.issuers {
                    // Failures are logged by the store; the old keys stay.
                    let _ = issuer.store.refresh(&inner.fetcher, &inner.clock).await;
                }
            }
        });
        Ok(RefreshHandle { task })
    }
}

/// Stops the background key refresh started by [`Verifier::spawn_refresh`] when stopped or
/// dropped.
#[derive(Debug)]
pub struct RefreshHandle {
    task: tokio::task::JoinHandle<()>,
}

impl RefreshHandle {
    /// Stops the refresh.
    pub fn stop(self) {}
}

impl Drop for RefreshHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}
