//! Dates are BSON dates in every collection, never strings.

use chrono::{NaiveDate, Utc};
use domain::run::{Outcome, RunRecord, Trigger};
use mongodb::bson::{Bson, Document};
use store::{RunMoment, Store};

use crate::helpers::{
    budget, bunq_account, categories, documents, payment, store, transaction, ynab_account,
};

/// The date fields of each collection, as the store writes them.
const DATE_FIELDS: [(&str, &[&str]); 9] = [
    ("bunq_accounts", &["created", "updated", "first_seen_at"]),
    ("bunq_payments", &["created", "updated", "first_seen_at"]),
    (
        "ynab_budgets",
        &[
            "last_modified_on",
            "first_month",
            "last_month",
            "first_seen_at",
        ],
    ),
    ("ynab_accounts", &["last_reconciled_at", "first_seen_at"]),
    (
        "ynab_categories",
        &["goal_target_date", "goal_creation_month", "first_seen_at"],
    ),
    ("ynab_transactions", &["date", "first_seen_at"]),
    (
        "payment_queue",
        &["enqueued_at", "next_attempt_at", "updated_at"],
    ),
    ("runmoments", &["timestamp", "updated_at"]),
    ("runs", &["started_at", "ended_at"]),
];

/// Whether a string looks like a date (`2024-05-01...`).
fn looks_like_a_date(text: &str) -> bool {
    NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d").is_ok()
}

/// Fails on any string value, at any depth, that looks like a date.
fn assert_no_date_strings(collection: &str, path: &str, value: &Bson) {
    match value {
        Bson::String(text) => assert!(!looks_like_a_date(text), "{collection}.{path} is {text:?}"),
        Bson::Document(doc) => {
            for (key, inner) in doc {
                assert_no_date_strings(collection, &format!("{path}.{key}"), inner);
            }
        }
        Bson::Array(items) => items
            .iter()
            .for_each(|i| assert_no_date_strings(collection, path, i)),
        _ => {}
    }
}

fn date_of(doc: &Document, field: &str) -> chrono::DateTime<Utc> {
    let date = doc
        .get_datetime(field)
        .unwrap_or_else(|e| panic!("{field}: {e} in {doc}"));
    chrono::DateTime::from_timestamp_millis(date.timestamp_millis()).expect("in range")
}

/// Stores one record of every kind the store writes.
async fn store_one_of_each(store: &Store) {
    store_bunq_records(store).await;
    store_ynab_records(store).await;

    store
        .enqueue_pending(&[7], Utc::now())
        .await
        .expect("queue");
    let timestamp = Utc::now();
    let moment = RunMoment {
        source: "bunq_payments".into(),
        timestamp,
        server_knowledge: None,
    };
    store.set_runmoment(&moment).await.expect("run moment");
    let run = RunRecord {
        run_id: "r1".into(),
        job: "ingest".into(),
        trigger: Trigger::Manual,
        started_at: Utc::now(),
        ended_at: Some(Utc::now()),
        outcome: Outcome::Succeeded,
        counts: Default::default(),
        error: None,
    };
    store.insert_run(&run).await.expect("run");
}

async fn store_bunq_records(store: &Store) {
    let accounts = [bunq_account(1, "Main")];
    store
        .replace_bunq_accounts(&accounts)
        .await
        .expect("accounts");
    let payments = [payment(7, 1, "2024-05-01 10:11:12.123456")];
    store
        .upsert_bunq_payments(&payments)
        .await
        .expect("payments");
}

async fn store_ynab_records(store: &Store) {
    store
        .replace_ynab_budgets(&[budget("b1", "Home")])
        .await
        .expect("budgets");
    let accounts = [ynab_account("a1", None, false)];
    store
        .upsert_ynab_accounts("b1", &accounts)
        .await
        .expect("ynab accounts");
    let categories = categories("g1", &["c1"]);
    store
        .upsert_ynab_categories("b1", &categories)
        .await
        .expect("categories");
    let transactions = [transaction("t1", "a1", "2024-03-31", false)];
    store
        .upsert_ynab_transactions("b1", &transactions)
        .await
        .expect("transactions");
}

#[tokio::test]
async fn dates_are_bson_dates_in_every_collection() {
    let (db, store) = store().await;
    store_one_of_each(&store).await;

    for (collection, fields) in DATE_FIELDS {
        let stored = documents(&db, collection).await;
        assert_eq!(stored.len(), 1, "{collection}");
        for field in fields {
            date_of(&stored[0], field);
        }
        assert_no_date_strings(collection, "", &Bson::Document(stored[0].clone()));
    }
    db.drop_now().await;
}

#[tokio::test]
async fn a_calendar_date_is_stored_at_midnight_utc_of_that_day() {
    let (db, store) = store().await;
    let txn = transaction("t1", "a1", "2024-03-31", false);

    store
        .upsert_ynab_transactions("b1", &[txn])
        .await
        .expect("transactions");

    let stored = &documents(&db, "ynab_transactions").await[0];
    assert_eq!(
        date_of(stored, "date").to_rfc3339(),
        "2024-03-31T00:00:00+00:00"
    );
    db.drop_now().await;
}

#[tokio::test]
async fn bunq_timestamps_are_stored_as_the_instant_bunq_meant() {
    let (db, store) = store().await;

    store
        .upsert_bunq_payments(&[payment(7, 1, "2024-05-01 10:11:12.123456")])
        .await
        .expect("payments");

    let stored = &documents(&db, "bunq_payments").await[0];
    // BSON dates hold milliseconds; bunq's microseconds are cut.
    assert_eq!(
        date_of(stored, "created").to_rfc3339(),
        "2024-05-01T10:11:12.123+00:00"
    );
    db.drop_now().await;
}

#[tokio::test]
async fn a_budget_month_that_is_not_a_date_is_refused_and_nothing_is_stored() {
    let (db, store) = store().await;
    let mut odd = budget("b1", "Home");
    odd.raw.insert("first_month".into(), "January".into());

    let err = store
        .replace_ynab_budgets(&[odd])
        .await
        .expect_err("not a date");

    assert_eq!(
        err.to_string(),
        "cannot store ynab_budgets record b1: first_month is \"January\", expected YYYY-MM-DD"
    );
    assert_eq!(
        store
            .count("ynab_budgets", mongodb::bson::doc! {})
            .await
            .expect("count"),
        0
    );
    db.drop_now().await;
}
