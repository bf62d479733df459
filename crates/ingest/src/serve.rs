//! `serve`: run on the configured schedule until SIGTERM or Ctrl-C. A failed
//! run is logged and recorded; the next scheduled run redoes its work.

use std::sync::Arc;

use chrono::Utc;
use domain::run::Trigger;
use tracing::{info, warn};

use crate::load::Ingest;

/// Loops over the schedule.
///
/// # Errors
/// Only when the schedule has no next time or signals cannot be installed.
pub async fn serve(ingest: Arc<Ingest>) -> anyhow::Result<()> {
    let schedule = ingest.config.schedule.clone();
    info!(schedule = schedule.expression(), timezone = %schedule.zone(), "ingest serving");
    let shutdown = runtime::shutdown::signal();
    tokio::pin!(shutdown);

    loop {
        let now = Utc::now();
        let next = schedule
            .next_after(now)
            .ok_or_else(|| anyhow::anyhow!("INGEST_SCHEDULE never fires again"))?;
        info!(next_run = %next, "waiting for the next ingest run");
        let wait = (next - now).to_std().unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = &mut shutdown => {
                info!("ingest stopping");
                return Ok(());
            }
        }
        if let Err(error) = ingest.run(Trigger::Schedule).await {
            warn!(
                error = format!("{error:#}"),
                "scheduled ingest failed; the next run retries"
            );
        }
    }
}
