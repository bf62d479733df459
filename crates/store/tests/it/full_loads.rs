//! Full loads replace a collection without a window of emptiness.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use domain::bunq::MonetaryAccount;
use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use store::{Store, UpsertCounts};

use crate::helpers::{budget, bunq_account, documents, store};

fn accounts(ids: impl IntoIterator<Item = i64>, generation: u32) -> Vec<MonetaryAccount> {
    ids.into_iter()
        .map(|id| bunq_account(id, &format!("Account {id} gen {generation}")))
        .collect()
}

#[tokio::test]
async fn a_full_load_removes_vanished_keys_and_keeps_the_others() {
    let (db, store) = store().await;
    store
        .replace_bunq_accounts(&accounts([1, 2, 3], 0))
        .await
        .expect("first load");
    let kept_first_seen = documents(&db, "bunq_accounts").await[1]
        .get("first_seen_at")
        .cloned();

    let counts = store
        .replace_bunq_accounts(&accounts([2, 3, 4], 0))
        .await
        .expect("second load");

    assert_eq!(
        counts,
        UpsertCounts {
            matched: 2,
            modified: 0,
            upserted: 1,
            deleted: 1
        }
    );
    let ids: Vec<i64> = store
        .bunq_accounts()
        .await
        .expect("read")
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, [2, 3, 4]);
    let stored = documents(&db, "bunq_accounts").await;
    let two = stored
        .iter()
        .find(|d| d.get_i64("id") == Ok(2))
        .expect("account 2");
    assert_eq!(two.get("first_seen_at").cloned(), kept_first_seen);
    db.drop_now().await;
}

#[tokio::test]
async fn an_identical_full_load_modifies_nothing() {
    let (db, store) = store().await;
    store
        .replace_ynab_budgets(&[budget("b1", "Home"), budget("b2", "Work")])
        .await
        .expect("first");

    let counts = store
        .replace_ynab_budgets(&[budget("b1", "Home"), budget("b2", "Work")])
        .await
        .expect("second");

    assert_eq!(
        counts,
        UpsertCounts {
            matched: 2,
            modified: 0,
            upserted: 0,
            deleted: 0
        }
    );
    db.drop_now().await;
}

#[tokio::test]
async fn the_standalone_path_also_replaces_the_set() {
    let (db, store) = store().await;
    let store = store.assume_standalone();
    store
        .replace_ynab_budgets(&[budget("b1", "Home"), budget("b2", "Work")])
        .await
        .expect("first");

    let counts = store
        .replace_ynab_budgets(&[budget("b2", "Work"), budget("b3", "Holiday")])
        .await;

    assert_eq!(
        counts.expect("second"),
        UpsertCounts {
            matched: 1,
            modified: 0,
            upserted: 1,
            deleted: 1
        }
    );
    let ids: Vec<String> = store
        .ynab_budgets()
        .await
        .expect("read")
        .into_iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(ids, ["b2", "b3"]);
    db.drop_now().await;
}

/// Reads the account ids over and over until told to stop.
async fn poll_ids(store: Store, stop: Arc<AtomicBool>) -> Vec<BTreeSet<i64>> {
    let collection = store.database().collection::<Document>("bunq_accounts");
    let mut seen = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let cursor = collection.find(doc! {}).await.expect("find");
        let docs: Vec<Document> = cursor.try_collect().await.expect("collect");
        seen.push(docs.iter().map(|d| d.get_i64("id").expect("id")).collect());
    }
    seen
}

/// Runs 50 full loads alternating between two overlapping sets while a
/// reader polls, and returns both sets and what the reader saw.
async fn replace_while_reading(store: Store) -> (BTreeSet<i64>, BTreeSet<i64>, Vec<BTreeSet<i64>>) {
    let (a, b): (BTreeSet<i64>, BTreeSet<i64>) = ((1..=12).collect(), (7..=18).collect());
    store
        .replace_bunq_accounts(&accounts(a.clone(), 0))
        .await
        .expect("initial load");
    let stop = Arc::new(AtomicBool::new(false));
    let reader = tokio::spawn(poll_ids(store.clone(), stop.clone()));

    for generation in 1..=50 {
        let next = if generation % 2 == 1 { &b } else { &a };
        store
            .replace_bunq_accounts(&accounts(next.clone(), generation))
            .await
            .expect("load");
        tokio::task::yield_now().await;
    }
    stop.store(true, Ordering::Relaxed);

    (a, b, reader.await.expect("reader"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_never_sees_a_partial_set_during_transactional_full_loads() {
    let (db, store) = store().await;

    let (a, b, seen) = replace_while_reading(store).await;

    assert!(
        seen.len() >= 10,
        "the reader read only {} times",
        seen.len()
    );
    for ids in &seen {
        assert!(*ids == a || *ids == b, "a reader saw {ids:?}");
    }
    db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_transactions_a_reader_always_sees_at_least_one_whole_set() {
    let (db, store) = store().await;

    let (a, b, seen) = replace_while_reading(store.assume_standalone()).await;

    assert!(
        seen.len() >= 10,
        "the reader read only {} times",
        seen.len()
    );
    let union: BTreeSet<i64> = a.union(&b).copied().collect();
    for ids in &seen {
        assert!(
            ids.is_superset(&a) || ids.is_superset(&b),
            "a reader saw {ids:?}"
        );
        assert!(ids.is_subset(&union), "a reader saw {ids:?}");
    }
    db.drop_now().await;
}
