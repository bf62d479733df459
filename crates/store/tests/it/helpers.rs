//! Fixtures: a store on a fresh database, and source records built from
//! the JSON bunq and YNAB send.

use domain::Iban;
use domain::bunq::{MonetaryAccount, Payment};
use domain::ynab::{Account, Budget, Category, Transaction};
use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use serde_json::{Value, json};
use store::Store;
use test_support::TestDb;

/// A store on a fresh database, indexes created.
pub async fn store() -> (TestDb, Store) {
    let db = TestDb::new().await;
    let store = Store::from_database(db.database().clone());
    store.ensure_indexes().await.expect("indexes");
    (db, store)
}

/// Every document of a collection, ordered by `_id` (insertion order).
pub async fn documents(db: &TestDb, collection: &str) -> Vec<Document> {
    let cursor = db
        .database()
        .collection::<Document>(collection)
        .find(doc! {})
        .sort(doc! { "_id": 1 })
        .await
        .expect("find");
    cursor.try_collect().await.expect("collect")
}

/// A valid Dutch IBAN numbered `n`.
pub fn iban(n: u32) -> String {
    Iban::from_parts("NL", &format!("ABNA{n:010}"))
        .expect("valid IBAN")
        .as_str()
        .to_owned()
}

/// The JSON of a bunq account as listed, wrapper included.
pub fn bunq_account_json(id: i64, wrapper: &str, description: &str) -> Value {
    let number = u32::try_from(id).expect("small id");
    json!({ wrapper: {
        "id": id,
        "created": "2023-01-01 10:00:00.123000",
        "updated": "2024-02-03 04:05:06.789000",
        "status": "ACTIVE",
        "sub_status": "NONE",
        "description": description,
        "currency": "EUR",
        "balance": {"value": "1234.56", "currency": "EUR"},
        "daily_limit": {"value": "1000.00", "currency": "EUR"},
        "alias": [{"type": "IBAN", "value": iban(number), "name": "J. Doe"}],
        "public_uuid": format!("uuid-{id}"),
        "user_id": 9,
        "setting": {"color": "#FE2851", "restriction_chat": "ALLOW_INCOMING"},
        "monetary_account_profile": null
    }})
}

/// A bunq current account.
pub fn bunq_account(id: i64, description: &str) -> MonetaryAccount {
    MonetaryAccount::from_wrapped(&bunq_account_json(id, "MonetaryAccountBank", description))
        .expect("valid account")
}

/// The JSON of a bunq payment.
pub fn payment_json(id: i64, account_id: i64, created: &str) -> Value {
    json!({
        "id": id,
        "monetary_account_id": account_id,
        "created": created,
        "updated": created,
        "amount": {"value": "-12.34", "currency": "EUR"},
        "description": format!("Payment {id}"),
        "type": "MASTERCARD",
        "sub_type": "PAYMENT",
        "alias": {"iban": iban(1), "display_name": "J. Doe"},
        "counterparty_alias": {"iban": null, "display_name": "Albert Heijn 1234",
                               "merchant_category_code": "5411"},
        "attachment": [],
        "balance_after_mutation": {"value": "100.00", "currency": "EUR"},
        "request_reference_split_the_bill": []
    })
}

/// A bunq payment created at `created` (bunq's layout).
pub fn payment(id: i64, account_id: i64, created: &str) -> Payment {
    Payment::from_json(&payment_json(id, account_id, created)).expect("valid payment")
}

/// A YNAB budget.
pub fn budget(id: &str, name: &str) -> Budget {
    Budget::from_json(&json!({
        "id": id, "name": name,
        "last_modified_on": "2024-05-01T10:11:12.345Z",
        "first_month": "2023-01-01", "last_month": "2024-06-01",
        "date_format": {"format": "DD-MM-YYYY"},
        "currency_format": {"iso_code": "EUR", "decimal_digits": 2}
    }))
    .expect("valid budget")
}

/// A YNAB account whose note is `note`.
pub fn ynab_account(id: &str, note: Option<&str>, deleted: bool) -> Account {
    Account::from_json(&json!({
        "id": id, "name": format!("Account {id}"), "type": "checking", "on_budget": true,
        "closed": false, "note": note, "balance": 1_234_560, "cleared_balance": 1_234_560,
        "uncleared_balance": 0, "transfer_payee_id": format!("payee-{id}"),
        "direct_import_linked": false, "direct_import_in_error": false,
        "last_reconciled_at": "2024-04-30T08:00:00.000Z", "debt_original_balance": null,
        "debt_interest_rates": {}, "debt_minimum_payments": {}, "debt_escrow_amounts": {},
        "deleted": deleted
    }))
    .expect("valid account")
}

/// The categories of one group.
pub fn categories(group_id: &str, ids: &[&str]) -> Vec<Category> {
    let categories: Vec<Value> = ids
        .iter()
        .map(|id| {
            json!({
                "id": id, "category_group_id": group_id, "name": format!("Category {id}"),
                "hidden": false, "deleted": *id == "gone", "budgeted": 0, "activity": -5000,
                "balance": 1000, "goal_type": "TBD", "goal_target_date": "2024-12-01",
                "goal_creation_month": "2024-01-01", "goal_target_month": null
            })
        })
        .collect();
    let group = json!({"id": group_id, "name": "Living", "hidden": false, "deleted": false,
                       "categories": categories});
    Category::from_group_json(&group).expect("valid group").1
}

/// A YNAB transaction on `date`.
pub fn transaction(id: &str, account_id: &str, date: &str, deleted: bool) -> Transaction {
    Transaction::from_json(&json!({
        "id": id, "date": date, "amount": -12_340, "memo": "Groceries", "cleared": "uncleared",
        "approved": false, "flag_color": "blue", "account_id": account_id,
        "payee_id": null, "category_id": "c1", "transfer_account_id": null,
        "transfer_transaction_id": null, "matched_transaction_id": null,
        "import_id": format!("bunq:{id}"), "deleted": deleted, "account_name": "Main",
        "payee_name": "Albert Heijn", "category_name": "Groceries", "subtransactions": []
    }))
    .expect("valid transaction")
}
