//! One restart: debounced per container, logged with the container's name
//! and id, and recorded in `runs` (job `restart`) alongside the Docker
//! call, so that a slow or absent MongoDB never delays it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::query_parameters::RestartContainerOptions;
use chrono::Utc;
use domain::run::{Outcome, RunRecord, Trigger};
use tracing::Instrument;

use crate::docker::{DockerError, short_id};
use crate::runs::RunLog;

/// The `job` of every run the restarter records.
pub const JOB: &str = "restart";

/// A container to restart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The full container id.
    pub id: String,
    /// Its name, for logs and the run id.
    pub name: String,
}

/// What became of one restart request.
#[derive(Debug)]
pub enum RestartOutcome {
    /// Docker restarted the container.
    Restarted,
    /// Skipped: the container was restarted less than the minimum
    /// interval ago.
    Debounced {
        /// How long ago the last restart was.
        since: Duration,
    },
    /// Docker refused or failed.
    Failed(DockerError),
}

/// Restarts containers, at most once per minimum interval each.
#[derive(Debug)]
pub struct Restarter {
    docker: Docker,
    runs: RunLog,
    min_interval: Duration,
    stop_timeout: Duration,
    /// When each container id was last restarted by this process.
    last: Mutex<HashMap<String, Instant>>,
}

impl Restarter {
    /// A restarter on `docker`, recording into `runs`.
    pub fn new(
        docker: Docker,
        runs: RunLog,
        min_interval: Duration,
        stop_timeout: Duration,
    ) -> Self {
        Self {
            docker,
            runs,
            min_interval,
            stop_timeout,
            last: Mutex::new(HashMap::new()),
        }
    }

    /// Restarts `target`. Schedule and health triggers are debounced; a
    /// manual restart always goes through (and counts for the debounce).
    pub async fn restart(&self, target: &Target, trigger: Trigger) -> RestartOutcome {
        let span = tracing::info_span!(
            "restart",
            container.name = %target.name,
            container.id = %short_id(&target.id),
            trigger = trigger_name(trigger),
        );
        async {
            if let Some(since) = self.claim(&target.id, trigger) {
                tracing::debug!(
                    since_secs = since.as_secs(),
                    "restart skipped: restarted recently"
                );
                return RestartOutcome::Debounced { since };
            }
            self.restart_and_record(target, trigger).await
        }
        .instrument(span)
        .await
    }

    /// Marks `id` as restarted now, or returns how long ago the previous
    /// restart was when that is within the minimum interval.
    fn claim(&self, id: &str, trigger: Trigger) -> Option<Duration> {
        // A poisoned lock only means another restart panicked; the map of
        // instants is still meaningful.
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        let since = last.get(id).map(|at| now.duration_since(*at));
        if trigger != Trigger::Manual
            && let Some(since) = since
            && since < self.min_interval
        {
            return Some(since);
        }
        last.insert(id.to_owned(), now);
        None
    }

    async fn restart_and_record(&self, target: &Target, trigger: Trigger) -> RestartOutcome {
        let run_id = format!("{JOB}:{}:{}", target.name, uuid::Uuid::new_v4().simple());
        let mut run = RunRecord::start(JOB, trigger, Utc::now(), run_id);
        let started = Instant::now();

        let (_, result) = tokio::join!(self.runs.start(&run), self.docker_restart(target));

        let duration_ms = domain::time::millis(started.elapsed());
        run.ended_at = Some(Utc::now());
        let outcome = match result {
            Ok(()) => {
                tracing::info!(run.id = %run.run_id, duration_ms, "container restarted");
                run.outcome = Outcome::Succeeded;
                run.counts.insert("restarted".to_owned(), 1);
                RestartOutcome::Restarted
            }
            Err(error) => {
                tracing::error!(run.id = %run.run_id, duration_ms, error = %error, "restart failed");
                run.outcome = Outcome::Failed;
                run.counts.insert("restarted".to_owned(), 0);
                run.error = Some(error.to_string());
                RestartOutcome::Failed(error)
            }
        };
        self.runs.finish(&run).await;
        outcome
    }

    async fn docker_restart(&self, target: &Target) -> Result<(), DockerError> {
        let t = i32::try_from(self.stop_timeout.as_secs()).unwrap_or(i32::MAX);
        let options = RestartContainerOptions {
            t: Some(t),
            signal: None,
        };
        self.docker
            .restart_container(&target.id, Some(options))
            .await
            .map_err(|source| DockerError::Call {
                operation: "restart",
                container: target.name.clone(),
                source,
            })
    }

    /// The engine this restarter talks to.
    pub fn docker(&self) -> &Docker {
        &self.docker
    }
}

/// The trigger as stored in `runs` and shown in logs.
fn trigger_name(trigger: Trigger) -> &'static str {
    match trigger {
        Trigger::Schedule => "schedule",
        Trigger::Health => "health",
        Trigger::Manual => "manual",
        Trigger::Callback => "callback",
    }
}
