//! The payment queue: insert-if-absent, never resetting an entry.

use chrono::{DateTime, TimeZone, Utc};
use mongodb::bson::{Bson, Document, doc};

use test_support::TestDb;

use crate::helpers::{documents, store};

/// 08:00 UTC on a day of May 2024.
fn may(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, day, 8, 0, 0)
        .single()
        .expect("valid")
}

/// The queue entry of one payment.
async fn entry(db: &TestDb, payment_id: i64) -> Document {
    let entries = documents(db, "payment_queue").await;
    let found = entries
        .into_iter()
        .find(|d| d.get_i64("payment_id") == Ok(payment_id));
    found.unwrap_or_else(|| panic!("no entry for payment {payment_id}"))
}

#[tokio::test]
async fn enqueueing_adds_only_absent_payments_and_never_resets_an_entry() {
    let (db, store) = store().await;
    assert_eq!(
        store
            .enqueue_pending(&[1, 2, 3], may(6))
            .await
            .expect("enqueue"),
        3
    );
    let queue = db.database().collection::<Document>("payment_queue");
    let worked = doc! { "$set": { "state": "synced", "attempts": 1_i64 } };
    queue
        .update_one(doc! { "payment_id": 2_i64 }, worked)
        .await
        .expect("mark synced");

    let added = store
        .enqueue_pending(&[2, 3, 4, 4], may(7))
        .await
        .expect("enqueue again");

    assert_eq!(added, 1);
    let two = entry(&db, 2).await;
    assert_eq!(two.get_str("state"), Ok("synced"));
    assert_eq!(two.get_i64("attempts"), Ok(1));
    let enqueued = entry(&db, 3)
        .await
        .get_datetime("enqueued_at")
        .map(|d| d.timestamp_millis());
    assert_eq!(enqueued, Ok(may(6).timestamp_millis()));
    let counts: Vec<_> = store
        .queue_counts()
        .await
        .expect("counts")
        .into_iter()
        .collect();
    assert_eq!(
        counts,
        [("pending".to_owned(), 3), ("synced".to_owned(), 1)]
    );
    db.drop_now().await;
}

#[tokio::test]
async fn a_queue_entry_has_the_documented_shape() {
    let (db, store) = store().await;
    let now = may(6);

    store.enqueue_pending(&[42], now).await.expect("enqueue");

    let entry = &documents(&db, "payment_queue").await[0];
    assert_eq!(entry.get("payment_id"), Some(&Bson::Int64(42)));
    assert_eq!(entry.get_str("state"), Ok(store::PENDING));
    assert_eq!(entry.get("attempts"), Some(&Bson::Int64(0)));
    for field in ["enqueued_at", "next_attempt_at", "updated_at"] {
        let date = entry
            .get_datetime(field)
            .unwrap_or_else(|e| panic!("{field}: {e}"));
        assert_eq!(date.timestamp_millis(), now.timestamp_millis(), "{field}");
    }
    db.drop_now().await;
}

#[tokio::test]
async fn thousands_of_payments_are_enqueued_in_batches() {
    let (db, store) = store().await;
    let ids: Vec<i64> = (1..=2_500).collect();

    let first = store
        .enqueue_pending(&ids, Utc::now())
        .await
        .expect("enqueue");
    let second = store
        .enqueue_pending(&ids, Utc::now())
        .await
        .expect("enqueue again");

    assert_eq!((first, second), (2_500, 0));
    assert_eq!(
        store.queue_counts().await.expect("counts").get("pending"),
        Some(&2_500)
    );
    db.drop_now().await;
}
