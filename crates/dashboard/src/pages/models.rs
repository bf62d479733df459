//! Models per budget: the promoted version with its scores against the
//! payee-memory baseline, and the version history.

use axum::extract::State;
use axum::response::Html;
use store::{ModelMetrics, ModelRecord, ModelStatus};

use crate::AppState;
use crate::error::DashboardError;
use crate::templates::{badge, empty, esc, local, page, table};

/// `GET /models`.
///
/// # Errors
/// When MongoDB fails.
pub async fn show(State(state): State<AppState>) -> Result<Html<String>, DashboardError> {
    let store = state.store();
    let budgets = store.ynab_budgets().await?;
    let mut body = String::new();
    if budgets.is_empty() {
        body.push_str(&empty("No YNAB budgets stored yet: run an ingest."));
    }
    for budget in &budgets {
        let versions = store.model_versions(&budget.id).await?;
        body.push_str(&format!(
            "<h2>{} <span class=\"muted\">{}</span></h2>",
            esc(&budget.name),
            esc(&budget.id)
        ));
        body.push_str(&budget_section(&versions, &state));
    }
    Ok(Html(page("Models", "/models", &body)))
}

fn budget_section(versions: &[ModelRecord], state: &AppState) -> String {
    let Some(promoted) = versions.iter().find(|v| v.status == ModelStatus::Promoted) else {
        let text = if versions.is_empty() {
            "No model trained yet: suggestions are off for this budget."
        } else {
            "No version promoted: none beat the baseline yet."
        };
        return empty(text) + &history(versions, state);
    };
    let mut html = format!(
        "<p>Promoted: <strong>version {}</strong> ({}), trained {} on {} payments{}.</p>",
        promoted.version,
        esc(&promoted.algorithm),
        local(promoted.created_at, state.zone()),
        promoted.training_size,
        promoted.promoted_at.map_or_else(String::new, |at| format!(
            ", promoted {}",
            local(at, state.zone())
        ))
    );
    html.push_str(&comparison(&promoted.metrics, &promoted.baseline_metrics));
    html + &history(versions, state)
}

fn comparison(model: &ModelMetrics, baseline: &ModelMetrics) -> String {
    let rows: Vec<Vec<String>> = [
        ("accuracy", model.accuracy, baseline.accuracy),
        ("macro F1", model.macro_f1, baseline.macro_f1),
        ("weighted F1", model.weighted_f1, baseline.weighted_f1),
        (
            "accuracy at threshold",
            model.accuracy_at_threshold,
            baseline.accuracy_at_threshold,
        ),
        (
            "coverage at threshold",
            model.coverage_at_threshold,
            baseline.coverage_at_threshold,
        ),
    ]
    .into_iter()
    .map(|(name, m, b)| {
        vec![
            name.to_owned(),
            pct(m),
            pct(b),
            format!("{:+.1} pt", (m - b) * 100.0),
        ]
    })
    .collect();
    table(&["Metric", "Model", "Baseline", "Difference"], &rows)
}

fn history(versions: &[ModelRecord], state: &AppState) -> String {
    if versions.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = versions
        .iter()
        .map(|v| {
            let status = match v.status {
                ModelStatus::Promoted => badge("promoted", "ok"),
                ModelStatus::Candidate => badge("candidate", "wait"),
                ModelStatus::Retired => badge("retired", "muted"),
            };
            vec![
                v.version.to_string(),
                status,
                local(v.created_at, state.zone()),
                esc(&v.algorithm),
                v.training_size.to_string(),
                pct(v.metrics.macro_f1),
                pct(v.baseline_metrics.macro_f1),
                v.categories.len().to_string(),
            ]
        })
        .collect();
    "<h3>History</h3>".to_owned()
        + &table(
            &[
                "Version",
                "Status",
                "Trained",
                "Algorithm",
                "Payments",
                "Macro F1",
                "Baseline macro F1",
                "Categories",
            ],
            &rows,
        )
}

fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}
