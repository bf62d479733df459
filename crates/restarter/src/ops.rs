//! Operations wiring: the observer on the store restarts are recorded in
//! (run metrics, and a failure notice when a restart fails) and, while
//! `serve` runs, `/health` and `/metrics` on `METRICS_PORT`.

use std::net::SocketAddr;
use std::sync::Arc;

use notify::{Notifier, NotifyConfig, OpsObserver};
use runtime::metrics::MetricsConfig;
use store::StoreObserver;

/// The observer, with the webhook from the `NOTIFY_*` variables.
///
/// # Errors
/// When a `NOTIFY_*` variable is malformed or the client cannot be built.
pub fn observer() -> anyhow::Result<Arc<dyn StoreObserver>> {
    let notifier = Notifier::new(NotifyConfig::from_env()?)?;
    Ok(Arc::new(OpsObserver::new(notifier)))
}

/// Serves `/health` and `/metrics` in the background on `METRICS_PORT`.
///
/// # Errors
/// When `METRICS_PORT` is malformed or cannot be bound.
pub async fn serve_metrics() -> anyhow::Result<SocketAddr> {
    serve_metrics_on(MetricsConfig::from_env()?).await
}

/// Serves `/health` and `/metrics` in the background at `config`.
///
/// # Errors
/// When the address cannot be bound.
pub async fn serve_metrics_on(config: MetricsConfig) -> anyhow::Result<SocketAddr> {
    runtime::metrics::spawn_side_listener(config, "restarter", None).await
}
