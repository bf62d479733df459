//! The record every scheduled or manual run leaves in the `runs` collection.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What started a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The service's own schedule.
    Schedule,
    /// A person, through the CLI or the dashboard.
    Manual,
    /// A bunq callback.
    Callback,
    /// Docker reported a container unhealthy (the restarter).
    Health,
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Still going (or the process died; `ended_at` stays empty).
    Running,
    /// Finished its work.
    Succeeded,
    /// Stopped on an error, recorded in `error`.
    Failed,
}

/// One run of a job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// A unique id, also logged as `run.id`.
    pub run_id: String,
    /// The job: `ingest`, `sync`, `train`, ...
    pub job: String,
    /// What started it.
    pub trigger: Trigger,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended, if it did.
    pub ended_at: Option<DateTime<Utc>>,
    /// How it ended.
    pub outcome: Outcome,
    /// Named counts (`bunq_payments`, `enqueued`, ...).
    pub counts: BTreeMap<String, i64>,
    /// The error chain of a failed run.
    pub error: Option<String>,
}

impl RunRecord {
    /// A run of `job` started now, with a fresh id and no counts.
    pub fn start(job: &str, trigger: Trigger, started_at: DateTime<Utc>, run_id: String) -> Self {
        Self {
            run_id,
            job: job.to_owned(),
            trigger,
            started_at,
            ended_at: None,
            outcome: Outcome::Running,
            counts: BTreeMap::new(),
            error: None,
        }
    }

    /// Ends the run at `ended_at`: failed with `error` when there is one,
    /// else succeeded.
    pub fn finish(&mut self, ended_at: DateTime<Utc>, error: Option<String>) {
        self.ended_at = Some(ended_at);
        self.outcome = if error.is_some() {
            Outcome::Failed
        } else {
            Outcome::Succeeded
        };
        self.error = error;
    }
}
