//! The manual-runs page: a form per run the CLIs offer (ingest now, drain
//! the queue, train now, sync one payment, re-sync an account over dates).

use axum::extract::State;
use axum::response::Html;

use crate::AppState;
use crate::error::DashboardError;
use crate::templates::{csrf_field, esc, page};

/// `GET /actions`.
///
/// # Errors
/// When MongoDB fails.
pub async fn show(State(state): State<AppState>) -> Result<Html<String>, DashboardError> {
    let csrf = csrf_field(state.csrf_token());
    let accounts = state.store().bunq_accounts().await?;
    let budgets = state.store().ynab_budgets().await?;

    let mut ibans = String::new();
    for account in accounts.iter().filter(|a| a.iban.is_some()) {
        let iban = account
            .iban
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        ibans.push_str(&format!(
            "<option value=\"{0}\">{0} · {1}</option>",
            esc(&iban),
            esc(&account.description)
        ));
    }
    let mut budget_options = String::from("<option value=\"\">every budget</option>");
    for budget in &budgets {
        budget_options.push_str(&format!(
            "<option value=\"{}\">{}</option>",
            esc(&budget.id),
            esc(&budget.name)
        ));
    }

    let body = format!(
        "<p class=\"muted\">Each run goes through the same code as the command line and is recorded \
         in the run history with trigger <em>manual</em>.</p>\
         <form class=\"card\" method=\"post\" action=\"/actions/ingest\" id=\"ingest\">{csrf}\
           <strong>Ingest now</strong><p class=\"muted\">Load bunq and YNAB into MongoDB, then drain the queue.</p>\
           <button type=\"submit\">Ingest now</button></form>\
         <form class=\"card\" method=\"post\" action=\"/actions/drain\" id=\"drain\">{csrf}\
           <strong>Drain the queue now</strong><p class=\"muted\">Sync every payment that is due.</p>\
           <button type=\"submit\">Drain now</button></form>\
         <form class=\"card\" method=\"post\" action=\"/actions/train\" id=\"train\">{csrf}\
           <strong>Train now</strong>\
           <label>Budget <select name=\"budget\">{budget_options}</select></label>\
           <button type=\"submit\">Train now</button></form>\
         <form class=\"card\" method=\"post\" action=\"/actions/sync-payment\" id=\"sync-payment\">{csrf}\
           <strong>Sync one payment</strong>\
           <label>bunq payment id <input name=\"payment_id\" inputmode=\"numeric\" required></label>\
           <label><input type=\"checkbox\" name=\"force\" value=\"1\"> even if it is synced already \
             (YNAB's import id still keeps it single)</label>\
           <button type=\"submit\">Sync payment</button></form>\
         <form class=\"card\" method=\"post\" action=\"/actions/sync-account\" id=\"sync-account\">{csrf}\
           <strong>Re-sync an account</strong>\
           <label>Account <select name=\"iban\">{ibans}</select></label>\
           <label>From <input type=\"date\" name=\"from\"></label>\
           <label>To <input type=\"date\" name=\"to\"></label>\
           <button type=\"submit\">Re-sync account</button></form>"
    );
    Ok(Html(page("Manual runs", "/actions", &body)))
}
