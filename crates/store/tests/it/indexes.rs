//! Every key has a unique index; the query paths have plain ones.

use mongodb::bson::{Document, doc};
use store::collections::*;

use crate::helpers::store;

const KEYS: [(&str, &str); 11] = [
    (BUNQ_ACCOUNTS, "id"),
    (BUNQ_PAYMENTS, "id"),
    (YNAB_BUDGETS, "id"),
    (YNAB_ACCOUNTS, "id"),
    (YNAB_CATEGORIES, "id"),
    (YNAB_TRANSACTIONS, "id"),
    (PAYMENT_QUEUE, "payment_id"),
    (RUNMOMENTS, "source"),
    (RUNS, "run_id"),
    (MATCHED_TRANSACTIONS, "match_id"),
    (PAYMENT_CLASSIFICATIONS, "payment_id"),
];

async fn indexes(db: &mongodb::Database, collection: &str) -> Vec<Document> {
    let cursor = db
        .run_command(doc! { "listIndexes": collection })
        .await
        .expect("list indexes");
    let batch = cursor
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .expect("batch");
    batch
        .iter()
        .filter_map(|b| b.as_document().cloned())
        .collect()
}

#[tokio::test]
async fn every_key_has_a_unique_index_and_a_duplicate_insert_fails() {
    let (db, _store) = store().await;

    for (collection, key) in KEYS {
        let found = indexes(db.database(), collection).await;
        let unique = found
            .iter()
            .find(|i| i.get_document("key").ok() == Some(&doc! { key: 1 }));
        let unique = unique.unwrap_or_else(|| panic!("{collection} has no index on {key}"));
        assert_eq!(unique.get_bool("unique"), Ok(true), "{collection}.{key}");

        let target = db.database().collection::<Document>(collection);
        target
            .insert_one(doc! { key: 1_i64 })
            .await
            .expect("first insert");
        let duplicate = target.insert_one(doc! { key: 1_i64 }).await;
        let err = duplicate.expect_err("a second document with the same key");
        assert!(err.to_string().contains("E11000"), "{collection}: {err}");
    }
    db.drop_now().await;
}

#[tokio::test]
async fn query_paths_have_plain_indexes() {
    let (db, _store) = store().await;
    let expected = [
        (
            BUNQ_PAYMENTS,
            doc! { "monetary_account_id": 1, "created": 1 },
        ),
        (
            YNAB_TRANSACTIONS,
            doc! { "budget_id": 1, "account_id": 1, "date": 1 },
        ),
        (YNAB_TRANSACTIONS, doc! { "import_id": 1 }),
        (PAYMENT_QUEUE, doc! { "state": 1, "next_attempt_at": 1 }),
        (RUNS, doc! { "job": 1, "started_at": -1 }),
    ];

    for (collection, keys) in expected {
        let found = indexes(db.database(), collection).await;
        let index = found
            .iter()
            .find(|i| i.get_document("key").ok() == Some(&keys));
        let index = index.unwrap_or_else(|| panic!("{collection} has no index on {keys}"));
        assert_ne!(index.get_bool("unique"), Ok(true), "{collection} {keys}");
    }
    db.drop_now().await;
}

#[tokio::test]
async fn ensuring_indexes_twice_changes_nothing() {
    let (db, store) = store().await;
    let before = indexes(db.database(), BUNQ_PAYMENTS).await;

    store.ensure_indexes().await.expect("second time");

    let after = indexes(db.database(), BUNQ_PAYMENTS).await;
    assert_eq!(before.len(), after.len());
    assert_eq!(after.len(), 3, "_id, id and (monetary_account_id, created)");
    let names: Vec<&str> = after
        .iter()
        .filter_map(|i| i.get_str("name").ok())
        .collect();
    assert!(names.contains(&"id_1"), "{names:?}");
    db.drop_now().await;
}
