//! Delta upserts: bulk, idempotent, and faithful to what the source sent.

use mongodb::bson::{Bson, doc};
use store::UpsertCounts;

use crate::helpers::{categories, documents, payment, store, transaction, ynab_account};

#[tokio::test]
async fn a_second_identical_upsert_of_payments_modifies_nothing() {
    let (db, store) = store().await;
    // More than two batches of 1,000 statements.
    let payments: Vec<_> = (1..=2_100)
        .map(|id| payment(id, 1 + id % 3, "2024-05-01 10:11:12.123456"))
        .collect();

    let first = store
        .upsert_bunq_payments(&payments)
        .await
        .expect("first upsert");
    let second = store
        .upsert_bunq_payments(&payments)
        .await
        .expect("second upsert");

    assert_eq!(
        first,
        UpsertCounts {
            matched: 0,
            modified: 0,
            upserted: 2_100,
            deleted: 0
        }
    );
    assert_eq!(
        second,
        UpsertCounts {
            matched: 2_100,
            modified: 0,
            upserted: 0,
            deleted: 0
        }
    );
    assert_eq!(
        store.count("bunq_payments", doc! {}).await.expect("count"),
        2_100
    );
    db.drop_now().await;
}

#[tokio::test]
async fn a_changed_payment_is_modified_and_keeps_when_it_was_first_seen() {
    let (db, store) = store().await;
    let original = payment(7, 1, "2024-05-01 10:11:12.123456");
    store
        .upsert_bunq_payments(std::slice::from_ref(&original))
        .await
        .expect("insert");
    let first_seen = documents(&db, "bunq_payments").await[0]
        .get("first_seen_at")
        .cloned();

    let mut changed = original;
    changed.raw.insert("description".into(), "Refund".into());
    let counts = store
        .upsert_bunq_payments(&[changed])
        .await
        .expect("update");

    assert_eq!(
        counts,
        UpsertCounts {
            matched: 1,
            modified: 1,
            upserted: 0,
            deleted: 0
        }
    );
    let stored = &documents(&db, "bunq_payments").await[0];
    assert_eq!(stored.get_str("description"), Ok("Refund"));
    assert_eq!(stored.get("first_seen_at").cloned(), first_seen);
    assert!(matches!(first_seen, Some(Bson::DateTime(_))));
    db.drop_now().await;
}

#[tokio::test]
async fn ynab_records_carry_their_budget_and_deleted_ones_are_kept() {
    let (db, store) = store().await;
    let accounts = [
        ynab_account("a1", Some("bunq"), false),
        ynab_account("a2", None, true),
    ];
    let categories = categories("g1", &["c1", "gone"]);
    let transactions = [
        transaction("t1", "a1", "2024-05-01", false),
        transaction("t2", "a1", "2024-05-02", true),
    ];

    store
        .upsert_ynab_accounts("b1", &accounts)
        .await
        .expect("accounts");
    store
        .upsert_ynab_categories("b1", &categories)
        .await
        .expect("categories");
    store
        .upsert_ynab_transactions("b1", &transactions)
        .await
        .expect("transactions");

    for collection in ["ynab_accounts", "ynab_categories", "ynab_transactions"] {
        let stored = documents(&db, collection).await;
        assert_eq!(stored.len(), 2, "{collection}");
        assert!(
            stored.iter().all(|d| d.get_str("budget_id") == Ok("b1")),
            "{collection}"
        );
        let deleted = stored
            .iter()
            .filter(|d| d.get_bool("deleted") == Ok(true))
            .count();
        assert_eq!(deleted, 1, "{collection}");
    }
    db.drop_now().await;
}

#[tokio::test]
async fn repeating_a_ynab_delta_modifies_nothing() {
    let (db, store) = store().await;
    let accounts = [ynab_account("a1", Some("bunq"), false)];
    let categories = categories("g1", &["c1", "c2"]);
    let transactions = [transaction("t1", "a1", "2024-05-01", false)];

    for round in 0..2 {
        let a = store
            .upsert_ynab_accounts("b1", &accounts)
            .await
            .expect("accounts");
        let c = store
            .upsert_ynab_categories("b1", &categories)
            .await
            .expect("categories");
        let t = store
            .upsert_ynab_transactions("b1", &transactions)
            .await
            .expect("transactions");

        let upserted = if round == 0 { 1 } else { 0 };
        assert_eq!(
            (a.upserted, a.modified),
            (upserted, 0),
            "accounts, round {round}"
        );
        assert_eq!(
            (c.upserted, c.modified),
            (2 * upserted, 0),
            "categories, round {round}"
        );
        assert_eq!(
            (t.upserted, t.modified),
            (upserted, 0),
            "transactions, round {round}"
        );
    }
    db.drop_now().await;
}

#[tokio::test]
async fn source_fields_keep_their_names_and_numbers_become_int64() {
    let (db, store) = store().await;

    store
        .upsert_bunq_payments(&[payment(7, 1, "2024-05-01 10:11:12.123456")])
        .await
        .expect("upsert");

    let stored = &documents(&db, "bunq_payments").await[0];
    assert_eq!(stored.get("id"), Some(&Bson::Int64(7)));
    assert_eq!(stored.get("monetary_account_id"), Some(&Bson::Int64(1)));
    assert_eq!(
        stored
            .get_document("amount")
            .expect("amount")
            .get_str("value"),
        Ok("-12.34")
    );
    let counterparty = stored
        .get_document("counterparty_alias")
        .expect("counterparty");
    assert_eq!(
        counterparty.get_str("display_name"),
        Ok("Albert Heijn 1234")
    );
    assert_eq!(stored.get_array("attachment").map(Vec::len), Ok(0));
    db.drop_now().await;
}

#[tokio::test]
async fn upserting_nothing_is_a_no_op() {
    let (db, store) = store().await;

    let counts = store.upsert_bunq_payments(&[]).await.expect("empty upsert");

    assert_eq!(counts, UpsertCounts::default());
    db.drop_now().await;
}
