//! `restarter check`: what the restarter would manage and when, for a
//! person or a healthcheck. It also proves the Docker socket is usable.

use bollard::Docker;
use bollard::query_parameters::InspectContainerOptions;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::RestarterConfig;
use crate::docker::{DockerError, short_id};
use crate::inventory::{self, Scope};

/// One managed container as `check` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckRow {
    /// The container's name.
    pub name: String,
    /// The full id.
    pub id: String,
    /// Docker's state (`running`, `exited`, ...).
    pub state: String,
    /// Docker's health status, when the container has a healthcheck.
    pub health: Option<String>,
    /// The schedule label as written, if any.
    pub schedule: Option<String>,
    /// Why the schedule label is ignored, if it is malformed.
    pub schedule_error: Option<String>,
    /// The next scheduled restart, in `TIMEZONE` (none for stopped
    /// containers, which are left alone).
    pub next: Option<DateTime<Tz>>,
    /// Whether the autoheal label is on.
    pub autoheal: bool,
}

/// Lists every container carrying one of the labels, stopped ones too.
///
/// # Errors
/// When the engine cannot be reached or listed.
pub async fn check(
    config: &RestarterConfig,
    now: DateTime<Utc>,
) -> Result<Vec<CheckRow>, DockerError> {
    let docker = crate::docker::connect(&config.docker).await?;
    let managed = inventory::managed(&docker, &config.labels, config.timezone, Scope::All).await?;
    let mut rows = Vec::with_capacity(managed.len());
    for container in managed {
        let running = container.state == "running";
        let schedule = container.policy.schedule.as_ref();
        rows.push(CheckRow {
            health: health(&docker, &container.id).await,
            schedule: schedule
                .and_then(|s| s.as_ref().ok())
                .map(|s| s.expression().to_owned()),
            schedule_error: schedule
                .and_then(|s| s.as_ref().err())
                .map(ToString::to_string),
            next: container
                .policy
                .valid_schedule()
                .filter(|_| running)
                .and_then(|s| s.next_after(now))
                .map(|next| next.with_timezone(&config.timezone)),
            autoheal: container.policy.autoheal,
            name: container.name,
            id: container.id,
            state: container.state,
        });
    }
    Ok(rows)
}

/// The container's health status; `None` without a healthcheck or when
/// the container vanished in between.
async fn health(docker: &Docker, id: &str) -> Option<String> {
    let inspected = docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .ok()?;
    let status = inspected.state?.health?.status?;
    Some(status.to_string()).filter(|s| !s.is_empty() && s != "none")
}

/// The report as lines of text: a header naming the labels, then one line
/// per container.
pub fn render(config: &RestarterConfig, rows: &[CheckRow]) -> Vec<String> {
    let labels = &config.labels;
    let mut lines = vec![format!(
        "labels: {}=<cron> (in {}), {}=true",
        labels.schedule_key(),
        config.timezone,
        labels.autoheal_key()
    )];
    if rows.is_empty() {
        lines.push("no container carries these labels".to_owned());
    }
    for row in rows {
        let schedule = match (&row.schedule, &row.schedule_error) {
            (Some(cron), _) => format!("schedule {cron:?}"),
            (None, Some(error)) => format!("schedule ignored: {error}"),
            (None, None) => "no schedule".to_owned(),
        };
        let next = row.next.map_or_else(|| "-".to_owned(), |n| n.to_rfc3339());
        lines.push(format!(
            "{} ({}) state={} health={} {schedule} next={next} autoheal={}",
            row.name,
            short_id(&row.id),
            row.state,
            row.health.as_deref().unwrap_or("-"),
            row.autoheal,
        ));
    }
    lines
}
