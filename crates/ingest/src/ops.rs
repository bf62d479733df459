//! Operations wiring: the store observer (run metrics and failure notices)
//! and, while `serve` runs, `/health` and `/metrics` on `METRICS_PORT`,
//! with the bunq and YNAB clients' request counters read at each scrape.

use std::net::SocketAddr;
use std::sync::Arc;

use notify::{Notifier, NotifyConfig, OpsObserver};
use runtime::metrics::{MetricsConfig, Refresh};

use crate::Ingest;

/// Attaches the observer to the ingest's store.
///
/// # Errors
/// When the webhook client cannot be built.
pub fn observe(ingest: &mut Ingest, notify: NotifyConfig) -> anyhow::Result<()> {
    let observer = OpsObserver::new(Notifier::new(notify)?);
    ingest.store = ingest.store.clone().with_observer(Arc::new(observer));
    Ok(())
}

/// Serves `/health` and `/metrics` in the background.
///
/// # Errors
/// When the port cannot be bound.
pub async fn serve_metrics(
    ingest: Arc<Ingest>,
    config: MetricsConfig,
) -> anyhow::Result<SocketAddr> {
    runtime::metrics::spawn_side_listener(config, "ingest", Some(client_counters(ingest))).await
}

/// Copies the clients' counters into the exported metrics.
pub fn client_counters(ingest: Arc<Ingest>) -> Refresh {
    let queue = notify::queue_depth_refresh(ingest.store.clone());
    Arc::new(move || {
        let bunq = ingest.bunq.stats();
        let ynab = ingest.ynab.usage();
        ::metrics::counter!("bunqynab_bunq_requests_total").absolute(bunq.requests_sent);
        ::metrics::counter!("bunqynab_bunq_rate_limited_total").absolute(bunq.rate_limited);
        ::metrics::counter!("bunqynab_bunq_retries_total").absolute(bunq.retries);
        ::metrics::gauge!("bunqynab_ynab_requests_last_hour", "service" => "ingest")
            .set(f64::from(ynab.used));
        ::metrics::counter!("bunqynab_ynab_rate_limited_total", "service" => "ingest")
            .absolute(ynab.rate_limited);
        ::metrics::counter!("bunqynab_ynab_retries_total", "service" => "ingest")
            .absolute(ynab.retries);
        queue()
    })
}
