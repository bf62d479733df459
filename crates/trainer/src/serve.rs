//! `serve`: train on the configured schedule until SIGTERM or Ctrl-C. A
//! failed run is logged and recorded; the next scheduled run redoes it.

use domain::run::Trigger;

use crate::training::Trainer;

/// Loops over the schedule.
///
/// # Errors
/// Only when the schedule never fires again.
pub async fn serve(trainer: Trainer) -> anyhow::Result<()> {
    let schedule = trainer.config.schedule.clone();
    runtime::schedule::run_scheduled("training", &schedule, || async {
        trainer.run(Trigger::Schedule, None).await.map(drop)
    })
    .await
}
