//! Operations wiring: the store observer (run metrics and failure notices)
//! and, while `serve` runs, `/health` and `/metrics` on `METRICS_PORT`.

use std::net::SocketAddr;
use std::sync::Arc;

use notify::{Notifier, NotifyConfig, OpsObserver};
use runtime::metrics::MetricsConfig;

use crate::Trainer;

/// Attaches the observer to the trainer's store.
///
/// # Errors
/// When the webhook client cannot be built.
pub fn observe(trainer: &mut Trainer, notify: NotifyConfig) -> anyhow::Result<()> {
    let observer = OpsObserver::new(Notifier::new(notify)?);
    trainer.store = trainer.store.clone().with_observer(Arc::new(observer));
    Ok(())
}

/// Serves `/health` and `/metrics` in the background.
///
/// # Errors
/// When the port cannot be bound.
pub async fn serve_metrics(config: MetricsConfig) -> anyhow::Result<SocketAddr> {
    runtime::metrics::spawn_side_listener(config, "trainer", None).await
}
