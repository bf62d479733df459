//! `serve`: run on the configured schedule until SIGTERM or Ctrl-C. A failed
//! run is logged and recorded; the next scheduled run redoes its work.

use std::sync::Arc;

use domain::run::Trigger;

use crate::load::Ingest;

/// Loops over the schedule.
///
/// # Errors
/// Only when the schedule never fires again.
pub async fn serve(ingest: Arc<Ingest>) -> anyhow::Result<()> {
    let schedule = ingest.config.schedule.clone();
    runtime::schedule::run_scheduled("ingest", &schedule, || async {
        ingest.run(Trigger::Schedule).await.map(drop)
    })
    .await
}
