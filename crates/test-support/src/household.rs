//! The sandbox side of a test: a small seeded household whose history ends
//! yesterday noon, what the sandbox's YNAB half holds for a payment, and
//! calls to its admin API (faults, new payments).

use std::time::Duration;

use chrono::{DateTime, Duration as Days, TimeZone, Utc};
use domain::bunq::Payment;
use sandbox::ynab::StoredTransaction;
use sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};

/// The bunq API key the sandbox accepts by default.
pub const BUNQ_API_KEY: &str = "sandbox-api-key";

/// The YNAB token the sandbox accepts by default.
pub const YNAB_TOKEN: &str = "sandbox-ynab-token";

/// Yesterday 12:00 UTC: where the history of [`household`] ends, so that
/// no payment lies in YNAB's future (YNAB refuses future dates).
pub fn history_end() -> DateTime<Utc> {
    let yesterday = (Utc::now() - Days::days(1)).date_naive();
    // 12:00:00 exists on every date.
    let noon = yesterday.and_hms_opt(12, 0, 0).expect("a valid time");
    Utc.from_utc_datetime(&noon)
}

/// A household of `seed` with `months` of about `payments_per_month`
/// payments, ending at [`history_end`]. bunq's rate limits stay on, with
/// windows short enough that throttled tests still finish quickly.
pub fn household(seed: u64, months: u32, payments_per_month: u32) -> SandboxConfig {
    let mut config = SandboxConfig::with_seed(seed);
    config.household.end = history_end();
    config.household.months = months;
    config.household.payments_per_month = payments_per_month;
    config.bunq_limits.window = Duration::from_millis(300);
    config.bunq_limits.session_window = Duration::from_millis(500);
    config
}

/// How many live YNAB transactions carry the payment's import id.
pub fn ynab_count(sandbox: &Sandbox, payment_id: i64) -> usize {
    sandbox
        .ynab()
        .count_by_import_id(&domain::sync::import_id(payment_id))
}

/// The live YNAB transaction of a payment, in any budget.
pub fn ynab_transaction(sandbox: &Sandbox, payment_id: i64) -> Option<StoredTransaction> {
    let import_id = domain::sync::import_id(payment_id);
    sandbox
        .household()
        .budgets
        .iter()
        .flat_map(|b| sandbox.ynab().transactions(&b.id))
        .find(|t| !t.deleted && t.import_id.as_deref() == Some(import_id.as_str()))
}

/// The open YNAB account whose note names the IBAN of a bunq account, as
/// `(budget id, account id)`: the link the sync worker follows.
pub fn linked_ynab_account(sandbox: &Sandbox, bunq_account_id: i64) -> Option<(String, String)> {
    let household = sandbox.household();
    let account = household
        .accounts
        .iter()
        .find(|a| a.id == bunq_account_id)?;
    household.budgets.iter().find_map(|b| {
        b.accounts
            .iter()
            .find(|a| {
                !a.closed
                    && a.note
                        .as_deref()
                        .is_some_and(|n| account.iban.appears_in(n))
            })
            .map(|a| (b.id.clone(), a.id.clone()))
    })
}

/// Adds a fault rule on one half of the sandbox; `root` is
/// [`Sandbox::bunq_root`] or [`Sandbox::ynab_root`].
///
/// # Panics
/// When the sandbox refuses the rule.
pub async fn add_fault(http: &reqwest::Client, root: &str, rule: &Value) {
    let response = http
        .post(format!("{root}/_sandbox/faults"))
        .json(rule)
        .send()
        .await
        .expect("admin reachable");
    assert!(
        response.status().is_success(),
        "fault rejected: {}",
        response.text().await.unwrap_or_default()
    );
}

/// Removes every fault rule of one half of the sandbox.
///
/// # Panics
/// When the sandbox refuses.
pub async fn clear_faults(http: &reqwest::Client, root: &str) {
    let response = http
        .delete(format!("{root}/_sandbox/faults"))
        .send()
        .await
        .expect("admin reachable");
    assert!(response.status().is_success(), "fault clearing refused");
}

/// Creates a bunq payment through the sandbox's admin API (which calls
/// back like bunq does); returns the payment as bunq renders it.
///
/// # Panics
/// When the sandbox does not answer 201 Created.
pub async fn create_bunq_payment(http: &reqwest::Client, sandbox: &Sandbox, body: &Value) -> Value {
    let response = http
        .post(format!("{}/_sandbox/bunq/payments", sandbox.bunq_root()))
        .json(body)
        .send()
        .await
        .expect("admin reachable");
    assert_eq!(response.status(), 201, "payment refused");
    response.json().await.expect("payment JSON")
}

/// A card payment of `amount` (a decimal string in euros) as bunq would
/// send it, to the bakery "Bakkerij de Test".
pub fn payment(id: i64, account_id: i64, amount: &str, created: DateTime<Utc>) -> Payment {
    let at = domain::time::format_bunq_timestamp(created);
    Payment::from_json(&json!({
        "id": id, "monetary_account_id": account_id, "created": at, "updated": at,
        "amount": {"value": amount, "currency": "EUR"}, "description": format!("Test payment {id}"),
        "type": "MASTERCARD", "sub_type": "PAYMENT",
        "counterparty_alias": {"display_name": "Bakkerij de Test"}
    }))
    .expect("valid payment")
}
