//! Account linking: each bunq account with its IBAN and the YNAB budget
//! and account it syncs to (the one whose note holds the IBAN), or why it
//! does not sync.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Html;
use domain::linking::{BudgetAccount, link_account};

use crate::AppState;
use crate::error::DashboardError;
use crate::templates::{badge, empty, esc, page, table};

/// `GET /accounts`.
///
/// # Errors
/// When MongoDB fails.
pub async fn show(State(state): State<AppState>) -> Result<Html<String>, DashboardError> {
    let store = state.store();
    let bunq_accounts = store.bunq_accounts().await?;
    let ynab_accounts: Vec<BudgetAccount> = store.ynab_accounts().await?;
    let budgets: HashMap<String, String> = store
        .ynab_budgets()
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    let names: HashMap<&str, &str> = ynab_accounts
        .iter()
        .map(|a| (a.account.id.as_str(), a.account.name.as_str()))
        .collect();

    let rows: Vec<Vec<String>> = bunq_accounts
        .iter()
        .map(|account| {
            let iban = account
                .iban
                .as_ref()
                .map_or_else(String::new, |i| i.to_string());
            let (status, budget, ynab) = match link_account(account, &ynab_accounts) {
                Ok(link) => (
                    badge("linked", "ok"),
                    named(
                        budgets.get(&link.budget_id).map(String::as_str),
                        &link.budget_id,
                    ),
                    named(
                        names.get(link.ynab_account_id.as_str()).copied(),
                        &link.ynab_account_id,
                    ),
                ),
                Err(why) => (
                    badge("not linked", "bad"),
                    String::new(),
                    esc(&why.to_string()),
                ),
            };
            vec![
                account.id.to_string(),
                esc(&account.description),
                format!("<code>{}</code>", esc(&iban)),
                esc(&account.status),
                status,
                budget,
                ynab,
            ]
        })
        .collect();
    let body = if rows.is_empty() {
        empty("No bunq accounts stored yet: run an ingest.")
    } else {
        table(
            &[
                "bunq id",
                "Description",
                "IBAN",
                "Status",
                "Link",
                "YNAB budget",
                "YNAB account / reason",
            ],
            &rows,
        )
    };
    let note = "<p class=\"muted\">A bunq account syncs to the YNAB account whose note contains its IBAN \
                (spaces and case do not matter).</p>";
    Ok(Html(page(
        "Accounts",
        "/accounts",
        &format!("{note}{body}"),
    )))
}

fn named(name: Option<&str>, id: &str) -> String {
    format!(
        "{} <span class=\"muted\">{}</span>",
        esc(name.unwrap_or("?")),
        esc(id)
    )
}
