//! Gauges read at scrape time: the payment queue's depth by state.

use std::sync::Arc;

use runtime::metrics::Refresh;
use store::Store;

/// The queue states, each reported even when it is empty.
const STATES: &[&str] = &[
    store::PENDING,
    store::CLAIMED,
    store::SYNCED,
    store::SKIPPED,
    store::FAILED,
];

/// A refresh that sets `bunqynab_queue_entries{state}` from
/// `store.queue_counts()` before each scrape. When MongoDB fails, the
/// gauges keep their last values and the failure is logged.
pub fn queue_depth_refresh(store: Store) -> Refresh {
    Arc::new(move || {
        let store = store.clone();
        Box::pin(async move {
            match store.queue_counts().await {
                Ok(counts) => {
                    for state in STATES {
                        let n = counts.get(*state).copied().unwrap_or(0);
                        ::metrics::gauge!("bunqynab_queue_entries", "state" => *state)
                            .set(n as f64);
                    }
                }
                Err(error) => {
                    tracing::warn!(error = %error, "could not count the queue for /metrics")
                }
            }
        })
    })
}
