//! [`OpsObserver`]: the store observer each service attaches. It turns
//! what the store records into Prometheus metrics (runs by job and
//! outcome with their durations, payment outcomes, predictions by
//! confidence) and into failure notices.

use domain::run::{Outcome, RunRecord};
use store::{ClassificationRecord, EntryOutcome, StoreObserver};

use crate::{Notice, Notifier};

/// Metrics and notices for what the store records.
#[derive(Clone, Debug)]
pub struct OpsObserver {
    notifier: Notifier,
}

impl OpsObserver {
    /// An observer sending its notices through `notifier`.
    pub fn new(notifier: Notifier) -> Self {
        Self { notifier }
    }
}

impl StoreObserver for OpsObserver {
    fn run_finished(&self, run: &RunRecord) {
        let outcome = match run.outcome {
            Outcome::Running => "running",
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
        };
        let job = run.job.clone();
        ::metrics::counter!("bunqynab_runs_total", "job" => job.clone(), "outcome" => outcome)
            .increment(1);
        if let Some(ended) = run.ended_at {
            let seconds = (ended - run.started_at).num_milliseconds().max(0) as f64 / 1000.0;
            ::metrics::histogram!("bunqynab_run_duration_seconds", "job" => job, "outcome" => outcome)
                .record(seconds);
        }
        for notice in Notice::for_run(run) {
            self.notifier.spawn(notice);
        }
    }

    fn entries_finished(&self, outcomes: &[EntryOutcome]) {
        for outcome in outcomes {
            match outcome {
                EntryOutcome::Synced { .. } => {
                    ::metrics::counter!("bunqynab_payments_synced_total").increment(1);
                }
                EntryOutcome::Skipped { code, .. } => {
                    ::metrics::counter!("bunqynab_payments_skipped_total", "reason" => code.clone())
                        .increment(1);
                }
                EntryOutcome::Deferred { .. } => {
                    ::metrics::counter!("bunqynab_payments_deferred_total").increment(1);
                }
                EntryOutcome::Failed {
                    payment_id,
                    attempts,
                    error,
                    retry_at,
                } => {
                    let last = if retry_at.is_none() { "true" } else { "false" };
                    ::metrics::counter!("bunqynab_payments_failed_total", "final" => last)
                        .increment(1);
                    if retry_at.is_none() {
                        self.notifier
                            .spawn(Notice::payment_failed(*payment_id, *attempts, error));
                    }
                }
            }
        }
    }

    fn classified(&self, records: &[ClassificationRecord]) {
        for record in records {
            let outcome = record.outcome.clone();
            ::metrics::counter!("bunqynab_predictions_total", "outcome" => outcome.clone())
                .increment(1);
            if let Some(confidence) = record.confidence {
                ::metrics::histogram!("bunqynab_prediction_confidence", "outcome" => outcome)
                    .record(confidence);
            }
        }
    }
}
