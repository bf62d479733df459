//! The matched data set: a refresh writes only new and changed rows (by
//! fingerprint) and deletes the rows no longer matched.

use domain::ynab::Transaction;
use mongodb::bson::{Document, doc};
use store::{MatchedCounts, MatchedRow, Store};

use crate::helpers::{documents, payment, store, transaction};

const BUDGET: &str = "b1";

/// `n` matched rows, payment `i` with transaction `t<i>`, and those
/// transactions.
fn rows(n: i64) -> (Vec<MatchedRow>, Vec<Transaction>) {
    (1..=n)
        .map(|i| {
            let created = format!("2024-05-{:02} 10:11:12.123456", 1 + i % 28);
            let row = MatchedRow {
                match_id: format!("t{i}"),
                budget_id: BUDGET.to_owned(),
                payment: payment(i, 1, &created),
                method: "date_window".to_owned(),
                day_offset: 0,
                category_id: "c1".to_owned(),
                category_name: "Groceries".to_owned(),
                category_group_name: Some("Living".to_owned()),
            };
            let date = format!("2024-05-{:02}", 1 + i % 28);
            (row, transaction(&format!("t{i}"), "a1", &date, false))
        })
        .unzip()
}

/// Makes `rows` the rows of `budget`; what that wrote.
async fn refresh(
    store: &Store,
    budget: &str,
    rows: &[MatchedRow],
    transactions: &[Transaction],
) -> MatchedCounts {
    store
        .replace_matched(budget, rows, transactions)
        .await
        .expect("rows replaced")
}

/// The stored document of `match_id`.
fn stored<'a>(all: &'a [Document], match_id: &str) -> &'a Document {
    all.iter()
        .find(|d| d.get_str("match_id") == Ok(match_id))
        .expect("stored row")
}

#[tokio::test]
async fn an_unchanged_refresh_writes_nothing_and_a_new_label_writes_one_row() {
    let (db, store) = store().await;
    let (mut rows, transactions) = rows(1_200);

    let first = refresh(&store, BUDGET, &rows, &transactions).await;
    let before = documents(&db, "matched_transactions").await;
    let second = refresh(&store, BUDGET, &rows, &transactions).await;
    let unchanged = documents(&db, "matched_transactions").await;
    rows[41].category_id = "c2".to_owned();
    rows[41].category_name = "Fun".to_owned();
    let third = refresh(&store, BUDGET, &rows, &transactions).await;
    let after = documents(&db, "matched_transactions").await;

    assert_eq!(
        first,
        MatchedCounts {
            inserted: 1_200,
            ..MatchedCounts::default()
        }
    );
    assert_eq!(
        second,
        MatchedCounts {
            unchanged: 1_200,
            ..MatchedCounts::default()
        }
    );
    assert_eq!(second.written(), 0);
    assert_eq!(
        unchanged, before,
        "nothing was rewritten, not even matched_at"
    );
    assert_eq!(
        third,
        MatchedCounts {
            updated: 1,
            unchanged: 1_199,
            ..MatchedCounts::default()
        }
    );
    assert_eq!(third.written(), 1);
    let relabelled = stored(&after, "t42");
    assert_eq!(
        (
            relabelled.get_str("category_id"),
            relabelled.get_str("category_name")
        ),
        (Ok("c2"), Ok("Fun"))
    );
    assert_ne!(
        relabelled.get_str("fingerprint"),
        stored(&before, "t42").get_str("fingerprint")
    );
    let others_same = after
        .iter()
        .filter(|d| d.get_str("match_id") != Ok("t42"))
        .all(|d| Some(d) == before.iter().find(|b| b.get("_id") == d.get("_id")));
    assert!(others_same, "only the relabelled row changed");
    assert_eq!(store.matched_rows(BUDGET).await.expect("rows").len(), 1_200);
    db.drop_now().await;
}

#[tokio::test]
async fn a_changed_transaction_rewrites_its_row_and_vanished_rows_are_deleted() {
    let (db, store) = store().await;
    let (rows, mut transactions) = rows(5);
    refresh(&store, BUDGET, &rows, &transactions).await;

    // The transaction's memo changes in YNAB; row t5 is no longer matched.
    transactions[0] = {
        let mut raw = transactions[0].raw.clone();
        raw.insert("memo".to_owned(), "Weekly groceries".into());
        Transaction::from_json(&serde_json::Value::Object(raw)).expect("valid")
    };
    let counts = refresh(&store, BUDGET, &rows[..4], &transactions).await;

    assert_eq!(
        counts,
        MatchedCounts {
            updated: 1,
            unchanged: 3,
            deleted: 1,
            ..MatchedCounts::default()
        }
    );
    let all = documents(&db, "matched_transactions").await;
    assert_eq!(all.len(), 4);
    let memo = stored(&all, "t1")
        .get_document("ynab_transaction")
        .expect("embedded transaction")
        .get_str("memo");
    assert_eq!(memo, Ok("Weekly groceries"));
    db.drop_now().await;
}

#[tokio::test]
async fn rows_stored_without_a_fingerprint_are_rewritten_once() {
    let (db, store) = store().await;
    let (rows, transactions) = rows(3);
    refresh(&store, BUDGET, &rows, &transactions).await;
    db.database()
        .collection::<Document>("matched_transactions")
        .update_many(doc! {}, doc! { "$unset": { "fingerprint": "" } })
        .await
        .expect("fingerprints removed");

    let again = refresh(&store, BUDGET, &rows, &transactions).await;
    let then = refresh(&store, BUDGET, &rows, &transactions).await;

    assert_eq!((again.updated, again.unchanged), (3, 0));
    assert_eq!((then.written(), then.unchanged), (0, 3));
    db.drop_now().await;
}

#[tokio::test]
async fn a_new_row_whose_key_is_stored_already_is_upserted_instead_of_refused() {
    let (db, store) = store().await;
    let (rows, transactions) = rows(2);
    let mut elsewhere = rows[..1].to_vec();
    elsewhere[0].budget_id = "b0".to_owned();
    refresh(&store, "b0", &elsewhere, &transactions).await;

    let counts = refresh(&store, BUDGET, &rows, &transactions).await;

    assert_eq!(
        counts,
        MatchedCounts {
            inserted: 1,
            updated: 1,
            ..MatchedCounts::default()
        }
    );
    let all = documents(&db, "matched_transactions").await;
    assert_eq!(all.len(), 2);
    assert_eq!(stored(&all, "t1").get_str("budget_id"), Ok(BUDGET));
    db.drop_now().await;
}
