//! The payment queue: how many entries are in each state, then the failed
//! ones (error, attempts, next attempt, a retry button), the pending ones
//! (when they are due, and why they wait) and the skipped ones (why).

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Html;
use domain::bunq::Payment;
use runtime::metrics::Refresh;
use store::QueueEntry;

use crate::AppState;
use crate::error::DashboardError;
use crate::templates::{badge, csrf_field, empty, esc, local, page, table};

/// Rows shown per section; the rest are counted.
const ROWS_PER_SECTION: usize = 100;

/// `GET /queue`.
///
/// # Errors
/// When MongoDB fails.
pub async fn show(State(state): State<AppState>) -> Result<Html<String>, DashboardError> {
    let store = state.store();
    let counts = store.queue_counts().await?;
    let entries = store.queue_entries(None).await?;
    let pick = |wanted: &str| -> Vec<&QueueEntry> {
        entries.iter().filter(|e| e.state == wanted).collect()
    };
    let (failed, pending, skipped) = (
        pick(store::FAILED),
        pick(store::PENDING),
        pick(store::SKIPPED),
    );
    let shown: Vec<i64> = failed
        .iter()
        .chain(&pending)
        .take(2 * ROWS_PER_SECTION)
        .map(|e| e.payment_id)
        .collect();
    let payments: HashMap<i64, Payment> = store
        .bunq_payments_by_id(&shown)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();

    let mut body = String::from("<div class=\"summary\">");
    for (state_name, n) in &counts {
        body.push_str(&format!(
            "<div>{}: <strong>{n}</strong></div>",
            esc(state_name)
        ));
    }
    body.push_str("</div>");
    body.push_str(&failed_section(&failed, &payments, &state));
    body.push_str(&pending_section(&pending, &payments, &state));
    body.push_str(&skipped_section(&skipped));
    Ok(Html(page("Payment queue", "/queue", &body)))
}

fn failed_section(
    entries: &[&QueueEntry],
    payments: &HashMap<i64, Payment>,
    state: &AppState,
) -> String {
    let mut html = format!("<h2 id=\"failed\">Failed ({})</h2>", entries.len());
    if entries.is_empty() {
        return html + &empty("No failed payments.");
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .take(ROWS_PER_SECTION)
        .map(|e| {
            let next = e.next_attempt_at.map_or_else(
                || badge("gave up", "bad"),
                |at| format!("retry at {}", local(at, state.zone())),
            );
            vec![
                e.payment_id.to_string(),
                payment_cell(payments.get(&e.payment_id)),
                e.attempts.to_string(),
                format!(
                    "<span class=\"error\">{}</span>",
                    esc(e.last_error.as_deref().unwrap_or(""))
                ),
                next,
                retry_button(e.payment_id, state.csrf_token()),
            ]
        })
        .collect();
    html.push_str(&table(
        &[
            "Payment",
            "Details",
            "Attempts",
            "Error",
            "Next attempt",
            "",
        ],
        &rows,
    ));
    html + &more(entries.len())
}

fn pending_section(
    entries: &[&QueueEntry],
    payments: &HashMap<i64, Payment>,
    state: &AppState,
) -> String {
    let mut html = format!("<h2 id=\"pending\">Pending ({})</h2>", entries.len());
    if entries.is_empty() {
        return html + &empty("Nothing waits to be synced.");
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .take(ROWS_PER_SECTION)
        .map(|e| {
            vec![
                e.payment_id.to_string(),
                payment_cell(payments.get(&e.payment_id)),
                e.next_attempt_at
                    .map_or_else(String::new, |at| local(at, state.zone())),
                esc(e.last_error.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    html.push_str(&table(&["Payment", "Details", "Due", "Note"], &rows));
    html + &more(entries.len())
}

fn skipped_section(entries: &[&QueueEntry]) -> String {
    let mut html = format!("<h2 id=\"skipped\">Skipped ({})</h2>", entries.len());
    if entries.is_empty() {
        return html + &empty("No skipped payments.");
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .rev()
        .take(ROWS_PER_SECTION)
        .map(|e| {
            let code = e.reason.as_deref().unwrap_or("");
            let text = e.reason_text.as_deref().unwrap_or("");
            vec![e.payment_id.to_string(), esc(code), esc(text)]
        })
        .collect();
    html.push_str(&table(&["Payment", "Reason", "Meaning"], &rows));
    html + &more(entries.len())
}

/// Amount, date and description of a payment, when it is stored.
fn payment_cell(payment: Option<&Payment>) -> String {
    payment.map_or_else(
        || "<span class=\"muted\">not in bunq_payments</span>".to_owned(),
        |p| {
            format!(
                "{} {} · {} · {}",
                esc(&p.amount.to_string()),
                esc(&p.currency),
                p.created.format("%Y-%m-%d"),
                esc(&p.description)
            )
        },
    )
}

fn retry_button(payment_id: i64, token: &str) -> String {
    format!(
        "<form class=\"inline\" method=\"post\" action=\"/queue/{payment_id}/retry\">{}\
         <button type=\"submit\" id=\"retry-{payment_id}\">Retry</button></form>",
        csrf_field(token)
    )
}

fn more(total: usize) -> String {
    if total > ROWS_PER_SECTION {
        format!(
            "<p class=\"muted\">… and {} more.</p>",
            total - ROWS_PER_SECTION
        )
    } else {
        String::new()
    }
}

/// Sets the `bunqynab_queue_entries{state}` gauges before each scrape.
pub fn refresh_gauges(state: AppState) -> Refresh {
    notify::queue_depth_refresh(state.store().clone())
}
