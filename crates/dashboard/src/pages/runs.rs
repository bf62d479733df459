//! The runs page: the latest runs of each job, newest first, with trigger,
//! outcome, duration, counts and error.

use axum::extract::{Query, State};
use axum::response::Html;
use domain::run::{Outcome, RunRecord};
use serde::Deserialize;

use crate::AppState;
use crate::error::DashboardError;
use crate::templates::{badge, duration, empty, esc, local, page, table};

/// The jobs shown, in order.
pub const JOBS: &[&str] = &["ingest", "sync", "train", "restart"];

/// Runs shown per job.
const RUNS_PER_JOB: u32 = 15;

/// What a manual-run button redirected with.
#[derive(Debug, Default, Deserialize)]
pub struct Started {
    started: Option<String>,
}

/// `GET /runs`.
///
/// # Errors
/// When MongoDB fails.
pub async fn show(
    State(state): State<AppState>,
    Query(started): Query<Started>,
) -> Result<Html<String>, DashboardError> {
    let mut body = String::new();
    if let Some(job) = started.started.as_deref().filter(|j| JOBS.contains(j)) {
        body.push_str(&format!(
            "<p class=\"summary\"><span class=\"badge wait\">started</span>&nbsp;A manual {job} run \
             started; reload to follow it.</p>"
        ));
    }
    for job in JOBS {
        let runs = state.store().recent_runs(job, RUNS_PER_JOB).await?;
        body.push_str(&format!("<h2 id=\"{job}\">{job}</h2>"));
        if runs.is_empty() {
            body.push_str(&empty("No runs recorded yet."));
            continue;
        }
        let rows: Vec<Vec<String>> = runs.iter().map(|run| row(run, &state)).collect();
        body.push_str(&table(
            &[
                "Started", "Trigger", "Outcome", "Duration", "Counts", "Error",
            ],
            &rows,
        ));
    }
    Ok(Html(page("Runs", "/runs", &body)))
}

fn row(run: &RunRecord, state: &AppState) -> Vec<String> {
    let outcome = match run.outcome {
        Outcome::Running => badge("running", "wait"),
        Outcome::Succeeded => badge("succeeded", "ok"),
        Outcome::Failed => badge("failed", "bad"),
    };
    let took = run.ended_at.map_or_else(
        || "<span class=\"muted\">—</span>".to_owned(),
        |end| duration((end - run.started_at).num_milliseconds()),
    );
    let counts: Vec<String> = run
        .counts
        .iter()
        .filter(|(_, n)| **n != 0)
        .map(|(name, n)| format!("{}&nbsp;{n}", esc(name)))
        .collect();
    let trigger = trigger_name(run);
    vec![
        format!(
            "<span title=\"{}\">{}</span>",
            esc(&run.run_id),
            local(run.started_at, state.zone())
        ),
        esc(&trigger),
        outcome,
        took,
        counts.join(", "),
        run.error.as_deref().map_or_else(String::new, |e| {
            format!("<span class=\"error\">{}</span>", esc(e))
        }),
    ]
}

/// The trigger's stored name (`schedule`, `manual`, ...).
fn trigger_name(run: &RunRecord) -> String {
    match run.trigger {
        domain::run::Trigger::Schedule => "schedule",
        domain::run::Trigger::Manual => "manual",
        domain::run::Trigger::Callback => "callback",
        domain::run::Trigger::Health => "health",
    }
    .to_owned()
}
