//! Operations wiring: the store observer (payment outcomes, predictions,
//! run metrics and failure notices) and, while `serve` runs, `/health` and
//! `/metrics` on `METRICS_PORT`, with the YNAB client's counters and the
//! queue depth read at each scrape.

use std::net::SocketAddr;
use std::sync::Arc;

use notify::{Notifier, NotifyConfig, OpsObserver};
use runtime::metrics::{MetricsConfig, Refresh};

use crate::SyncWorker;

/// Attaches the observer to the worker's store.
///
/// # Errors
/// When the webhook client cannot be built.
pub fn observe(worker: &mut SyncWorker, notify: NotifyConfig) -> anyhow::Result<()> {
    let observer = OpsObserver::new(Notifier::new(notify)?);
    worker.store = worker.store.clone().with_observer(Arc::new(observer));
    Ok(())
}

/// Serves `/health` and `/metrics` in the background.
///
/// # Errors
/// When the port cannot be bound.
pub async fn serve_metrics(
    worker: Arc<SyncWorker>,
    config: MetricsConfig,
) -> anyhow::Result<SocketAddr> {
    runtime::metrics::spawn_side_listener(config, "sync-worker", Some(client_counters(worker)))
        .await
}

/// Copies the YNAB client's counters and the queue depth into the
/// exported metrics.
pub fn client_counters(worker: Arc<SyncWorker>) -> Refresh {
    let queue = notify::queue_depth_refresh(worker.store.clone());
    Arc::new(move || {
        let ynab = worker.ynab.usage();
        ::metrics::gauge!("bunqynab_ynab_requests_last_hour", "service" => "sync-worker")
            .set(f64::from(ynab.used));
        ::metrics::counter!("bunqynab_ynab_rate_limited_total", "service" => "sync-worker")
            .absolute(ynab.rate_limited);
        ::metrics::counter!("bunqynab_ynab_retries_total", "service" => "sync-worker")
            .absolute(ynab.retries);
        queue()
    })
}
