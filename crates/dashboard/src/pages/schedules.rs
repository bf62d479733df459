//! Schedules: each job, when it runs, its next run and its last run.

use axum::extract::State;
use axum::response::Html;
use chrono::Utc;
use domain::run::Outcome;

use crate::AppState;
use crate::error::DashboardError;
use crate::templates::{badge, esc, local, page, table};

/// `GET /schedules`.
///
/// # Errors
/// When MongoDB fails.
pub async fn show(State(state): State<AppState>) -> Result<Html<String>, DashboardError> {
    let now = Utc::now();
    let mut rows = Vec::new();
    for job in state.schedules() {
        let last = state.store().recent_runs(&job.job, 1).await?;
        let last = last.first().map_or_else(
            || "<span class=\"muted\">never</span>".to_owned(),
            |run| {
                let outcome = match run.outcome {
                    Outcome::Running => badge("running", "wait"),
                    Outcome::Succeeded => badge("succeeded", "ok"),
                    Outcome::Failed => badge("failed", "bad"),
                };
                format!("{} {outcome}", local(run.started_at, state.zone()))
            },
        );
        let (cron, next) = match &job.schedule {
            Some(schedule) => (
                format!(
                    "<code>{}</code> ({})",
                    esc(schedule.expression()),
                    esc(schedule.zone().name())
                ),
                schedule
                    .next_after(now)
                    .map_or_else(|| "never".to_owned(), |at| local(at, state.zone())),
            ),
            None => ("—".to_owned(), "—".to_owned()),
        };
        rows.push(vec![
            esc(&job.job),
            esc(&job.service),
            cron,
            esc(&job.description),
            next,
            last,
        ]);
    }
    let body = table(
        &["Job", "Service", "Cron", "When", "Next run", "Last run"],
        &rows,
    );
    Ok(Html(page("Schedules", "/schedules", &body)))
}
