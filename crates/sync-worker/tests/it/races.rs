//! Concurrency: two workers and forced `sync-payment`s racing over 1,000
//! payments, and the same payment enqueued twice.

use std::sync::Arc;

use domain::run::Trigger;

use crate::helpers::{TestApp, yesterday};

#[tokio::test]
async fn two_workers_and_forced_syncs_racing_over_1000_payments_create_each_once() {
    let app = TestApp::spawn().await;
    let (account, _, _) = app.a_linked_account();
    app.worker()
        .drain(Trigger::Manual)
        .await
        .expect("the history first");
    let amounts: Vec<String> = (0..1_000)
        .map(|i| format!("-{}.{:02}", 1 + i / 100, i % 100))
        .collect();
    let ids = app
        .add_payments(account, 940_000_000, &amounts, yesterday())
        .await;
    let (a, b, forced) = (
        Arc::new(app.worker()),
        Arc::new(app.worker()),
        Arc::new(app.worker()),
    );

    let first = tokio::spawn({
        let a = a.clone();
        async move { a.drain(Trigger::Manual).await }
    });
    let second = tokio::spawn({
        let b = b.clone();
        async move { b.drain(Trigger::Manual).await }
    });
    let picks: Vec<i64> = ids.iter().step_by(97).copied().collect();
    let manual = tokio::spawn({
        let picks = picks.clone();
        async move {
            for id in picks {
                forced.sync_payment(id, true).await.expect("forced sync");
            }
        }
    });
    let (first, second) = (
        first.await.expect("join").expect("drain a"),
        second.await.expect("join").expect("drain b"),
    );
    manual.await.expect("join");
    // Leases a forced sync took over are finished by now; more drains pick
    // up anything whose lease it cut short or whose attempt failed and is
    // due again shortly (a busy machine can time a request out).
    for _ in 0..30 {
        a.drain(Trigger::Manual).await.expect("final drain");
        let pending = app
            .collection("payment_queue")
            .count_documents(mongodb::bson::doc! { "state": "pending" })
            .await
            .expect("count");
        if pending == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    for id in &ids {
        assert_eq!(app.ynab_count(*id), 1, "payment {id}");
        assert_eq!(app.entry(*id).await.state, "synced", "payment {id}");
    }
    assert!(
        first.claimed > 0 && second.claimed > 0,
        "both workers took part: {first:?} {second:?}"
    );
    app.db.drop_now().await;
}

#[tokio::test]
async fn the_same_payment_enqueued_twice_is_created_once() {
    let app = TestApp::spawn().await;
    let (account, _, _) = app.a_linked_account();
    let ids = app
        .add_payments(account, 950_000_000, &["-4.20".to_owned()], yesterday())
        .await;
    let created = app.store.bunq_payments_by_id(&ids).await.expect("read")[0].created;

    let again = app
        .store
        .enqueue_payments(&[(ids[0], created), (ids[0], created)], chrono::Utc::now())
        .await
        .expect("enqueue");
    let (a, b) = (app.worker(), app.worker());
    let (x, y) = tokio::join!(a.drain(Trigger::Manual), b.drain(Trigger::Manual));
    x.expect("drain a");
    y.expect("drain b");
    let entry = a.sync_payment(ids[0], true).await.expect("forced");

    assert_eq!(again, 0, "an existing entry is not added again");
    assert_eq!(app.ynab_count(ids[0]), 1);
    assert_eq!(entry.state, "synced");
    assert_eq!(
        entry.ynab_transaction_id,
        app.ynab_transaction(ids[0]).map(|t| t.id)
    );
    let entries = app
        .collection("payment_queue")
        .count_documents(mongodb::bson::doc! {"payment_id": ids[0]})
        .await
        .expect("count");
    assert_eq!(entries, 1);
    app.db.drop_now().await;
}
