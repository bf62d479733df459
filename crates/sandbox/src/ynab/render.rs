//! Turns stored plans into the JSON objects of the YNAB spec (1.85 field
//! set, which also satisfies 1.76): `Account`, `Category`, `Payee`,
//! `TransactionDetail`, `TransactionSummary` and `PlanSummary`, with the
//! `_formatted`/`_currency` pairs of 1.85 in the plan's euro format.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, SecondsFormat};
use serde_json::{Map, Value, json};

use super::store::{
    AccountRecord, CategoryRecord, GroupRecord, PayeeRecord, Plan, StoredTransaction,
};

/// An account's balances in milliunits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Balance {
    cleared: i64,
    uncleared: i64,
}

/// Every account's balances, summed over its live transactions.
pub(crate) fn balances(plan: &Plan) -> HashMap<&str, Balance> {
    let mut totals: HashMap<&str, Balance> = HashMap::new();
    for txn in plan.transactions().iter().filter(|t| !t.deleted) {
        let entry = totals.entry(txn.account_id.as_str()).or_default();
        match txn.cleared {
            super::store::Cleared::Uncleared => entry.uncleared += txn.amount.0,
            _ => entry.cleared += txn.amount.0,
        }
    }
    totals
}

/// Each category's activity in the month of `today` (UTC), as YNAB's
/// category amounts are those of the current plan month.
pub(crate) fn activity(plan: &Plan, today: NaiveDate) -> HashMap<&str, i64> {
    let mut totals: HashMap<&str, i64> = HashMap::new();
    let this_month = |d: NaiveDate| d.year() == today.year() && d.month() == today.month();
    for txn in plan
        .transactions()
        .iter()
        .filter(|t| !t.deleted && this_month(t.date))
    {
        if let Some(category) = &txn.category_id {
            *totals.entry(category.as_str()).or_default() += txn.amount.0;
        }
    }
    totals
}

/// The plan's currency format: euro, Dutch style.
pub(crate) fn currency_format() -> Value {
    json!({
        "iso_code": "EUR",
        "example_format": "123.456,78",
        "decimal_digits": 2,
        "decimal_separator": ",",
        "symbol_first": true,
        "group_separator": ".",
        "currency_symbol": "€",
        "display_symbol": true,
    })
}

/// Milliunits in the plan's format, rounded to cents: `-€1.234,57`.
pub(crate) fn formatted(milliunits: i64) -> String {
    let sign = if milliunits < 0 { "-" } else { "" };
    let cents = (milliunits.unsigned_abs() + 5) / 10;
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    format!("{sign}€{grouped},{:02}", cents % 100)
}

/// Milliunits as a decimal currency amount (the spec's `double`).
pub(crate) fn currency(milliunits: i64) -> f64 {
    milliunits as f64 / 1000.0
}

/// Inserts `name`, `name_formatted` and `name_currency`.
fn money(object: &mut Map<String, Value>, name: &str, milliunits: i64) {
    object.insert(name.to_owned(), json!(milliunits));
    object.insert(format!("{name}_formatted"), json!(formatted(milliunits)));
    object.insert(format!("{name}_currency"), json!(currency(milliunits)));
}

/// The 1.85 `*Base` form the plan export (`PlanDetail`) uses for accounts,
/// categories and transactions: the object without its
/// `_formatted`/`_currency` pairs, which only the other endpoints add.
pub(crate) fn base_form(mut value: Value) -> Value {
    if let Some(object) = value.as_object_mut() {
        object.retain(|key, _| !key.ends_with("_formatted") && !key.ends_with("_currency"));
    }
    value
}

/// An `Account`.
pub(crate) fn account(record: &AccountRecord, balance: Balance) -> Value {
    let mut object = json!({
        "id": record.id,
        "name": record.name,
        "type": record.account_type,
        "on_budget": record.on_budget,
        "closed": record.closed,
        "note": record.note,
        "transfer_payee_id": record.transfer_payee_id,
        "direct_import_linked": false,
        "direct_import_in_error": false,
        "last_reconciled_at": null,
        "debt_original_balance": null,
        "debt_interest_rates": {},
        "debt_minimum_payments": {},
        "debt_escrow_amounts": {},
        "deleted": record.deleted,
    });
    if let Some(object) = object.as_object_mut() {
        money(object, "balance", balance.cleared + balance.uncleared);
        money(object, "cleared_balance", balance.cleared);
        money(object, "uncleared_balance", balance.uncleared);
    }
    object
}

/// A `CategoryGroup` (without its categories).
pub(crate) fn group(record: &GroupRecord) -> Value {
    json!({
        "id": record.id,
        "name": record.name,
        "hidden": false,
        "internal": false,
        "deleted": record.deleted,
    })
}

/// A `Category`; nothing is assigned, so the balance is the activity.
pub(crate) fn category(plan: &Plan, record: &CategoryRecord, activity: i64) -> Value {
    let mut object = json!({
        "id": record.id,
        "category_group_id": record.group_id,
        "category_group_name": plan.group_name(&record.group_id).unwrap_or_default(),
        "name": record.name,
        "hidden": false,
        "internal": false,
        "original_category_group_id": null,
        "note": null,
        "goal_type": null,
        "goal_needs_whole_amount": null,
        "goal_day": null,
        "goal_cadence": null,
        "goal_cadence_frequency": null,
        "goal_creation_month": null,
        "goal_target": null,
        "goal_target_month": null,
        "goal_target_date": null,
        "goal_percentage_complete": null,
        "goal_months_to_budget": null,
        "goal_under_funded": null,
        "goal_overall_funded": null,
        "goal_overall_left": null,
        "goal_snoozed_at": null,
        "deleted": record.deleted,
    });
    if let Some(object) = object.as_object_mut() {
        money(object, "budgeted", 0);
        money(object, "activity", activity);
        money(object, "balance", activity);
        for goal in [
            "goal_target",
            "goal_under_funded",
            "goal_overall_funded",
            "goal_overall_left",
        ] {
            object.insert(format!("{goal}_formatted"), Value::Null);
            object.insert(format!("{goal}_currency"), Value::Null);
        }
    }
    object
}

/// A `Payee`.
pub(crate) fn payee(record: &PayeeRecord) -> Value {
    json!({
        "id": record.id,
        "name": record.name,
        "transfer_account_id": record.transfer_account_id,
        "deleted": record.deleted,
    })
}

/// A `TransactionSummary` (the fields every transaction object shares).
pub(crate) fn transaction_summary(txn: &StoredTransaction) -> Value {
    let mut object = json!({
        "id": txn.id,
        "date": txn.date.to_string(),
        "memo": txn.memo,
        "cleared": txn.cleared.as_str(),
        "approved": txn.approved,
        "flag_color": txn.flag_color.map(|f| f.as_str()),
        "flag_name": null,
        "account_id": txn.account_id,
        "payee_id": txn.payee_id,
        "category_id": txn.category_id,
        "transfer_account_id": txn.transfer_account_id,
        "transfer_transaction_id": txn.transfer_transaction_id,
        "matched_transaction_id": null,
        "import_id": txn.import_id,
        "import_payee_name": txn.import_payee_name,
        "import_payee_name_original": null,
        "debt_transaction_type": null,
        "deleted": txn.deleted,
    });
    if let Some(object) = object.as_object_mut() {
        money(object, "amount", txn.amount.0);
    }
    object
}

/// A `TransactionDetail`: the summary plus names and (no) splits.
pub(crate) fn transaction_detail(plan: &Plan, txn: &StoredTransaction) -> Value {
    let mut object = transaction_summary(txn);
    let names = [
        (
            "account_name",
            plan.accounts
                .iter()
                .find(|a| a.id == txn.account_id)
                .map(|a| a.name.clone()),
        ),
        (
            "payee_name",
            lookup(&plan.payees, txn.payee_id.as_deref(), |p| (&p.id, &p.name)),
        ),
        (
            "category_name",
            lookup(&plan.categories, txn.category_id.as_deref(), |c| {
                (&c.id, &c.name)
            }),
        ),
    ];
    if let Some(object) = object.as_object_mut() {
        for (field, name) in names {
            object.insert(field.to_owned(), json!(name));
        }
        // The spec requires a string account name.
        object.entry("account_name").and_modify(|v| {
            if v.is_null() {
                *v = json!("");
            }
        });
        object.insert("subtransactions".to_owned(), json!([]));
    }
    object
}

fn lookup<T>(
    items: &[T],
    id: Option<&str>,
    key: impl Fn(&T) -> (&String, &String),
) -> Option<String> {
    let id = id?;
    items
        .iter()
        .map(&key)
        .find(|(item_id, _)| item_id.as_str() == id)
        .map(|(_, name)| name.clone())
}

/// A `PlanSummary` (a `BudgetSummary` under `/budgets`), with accounts
/// when asked for.
pub(crate) fn plan_summary(plan: &Plan, today: NaiveDate, with_accounts: bool) -> Value {
    let first = plan
        .transactions()
        .iter()
        .map(|t| t.date)
        .min()
        .unwrap_or(today);
    let mut object = json!({
        "id": plan.id,
        "name": plan.name,
        "last_modified_on": plan.last_modified_on.to_rfc3339_opts(SecondsFormat::Millis, true),
        "first_month": month_start(first).to_string(),
        "last_month": month_start(today).to_string(),
        "date_format": {"format": "DD-MM-YYYY"},
        "currency_format": currency_format(),
    });
    if with_accounts && let Some(object) = object.as_object_mut() {
        let totals = balances(plan);
        let accounts: Vec<Value> = plan
            .accounts
            .iter()
            .filter(|a| !a.deleted)
            .map(|a| account(a, totals.get(a.id.as_str()).copied().unwrap_or_default()))
            .collect();
        object.insert("accounts".to_owned(), Value::Array(accounts));
    }
    object
}

fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_formatted_in_euro_with_dutch_separators() {
        assert_eq!(formatted(-1_234_567), "-€1.234,57");
        assert_eq!(formatted(0), "€0,00");
        assert_eq!(formatted(1_000_000_000), "€1.000.000,00");
        assert_eq!(formatted(-5), "-€0,01");
    }

    #[test]
    fn currency_amounts_are_decimal_units() {
        assert!((currency(-12_340) - -12.34).abs() < 1e-9);
    }
}
