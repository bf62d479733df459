//! `serve`: train on the configured schedule until SIGTERM or Ctrl-C. A
//! failed run is logged and recorded; the next scheduled run redoes it.

use chrono::Utc;
use domain::run::Trigger;
use tracing::{info, warn};

use crate::training::Trainer;

/// Loops over the schedule.
///
/// # Errors
/// Only when the schedule never fires again.
pub async fn serve(trainer: Trainer) -> anyhow::Result<()> {
    let schedule = trainer.config.schedule.clone();
    info!(schedule = schedule.expression(), timezone = %schedule.zone(), "trainer serving");
    let shutdown = runtime::shutdown::signal();
    tokio::pin!(shutdown);

    loop {
        let now = Utc::now();
        let next = schedule
            .next_after(now)
            .ok_or_else(|| anyhow::anyhow!("TRAINER_SCHEDULE never fires again"))?;
        info!(next_run = %next, "waiting for the next training run");
        let wait = (next - now).to_std().unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = &mut shutdown => {
                info!("trainer stopping");
                return Ok(());
            }
        }
        if let Err(error) = trainer.run(Trigger::Schedule, None).await {
            warn!(
                error = format!("{error:#}"),
                "scheduled training failed; the next run retries"
            );
        }
    }
}
