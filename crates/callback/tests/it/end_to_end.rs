//! The sandbox creates a payment, its callback arrives, and the payment is
//! in sandbox YNAB once, with bunq's fields; repeated callbacks change
//! nothing; other notifications are answered 200 and ignored.

use std::time::Duration;

use mongodb::bson::doc;
use serde_json::{Value, json};

use crate::helpers::{BUNQ_SOURCE, TestApp, client_from, mutation};

#[tokio::test]
async fn a_payment_created_in_bunq_reaches_ynab_through_its_callback() {
    let app = TestApp::spawn().await;
    let service = app.service().await;
    let account = app.a_linked_account();

    let payment_id = app.create_payment(account, "-23.45").await;

    assert!(app.wait_for_ynab(payment_id, Duration::from_secs(15)).await);
    let txn = app.ynab_transaction(payment_id).expect("in YNAB");
    assert_eq!(txn.amount.0, -23_450);
    assert_eq!(app.ynab_count(payment_id), 1);
    let deliveries = app.sandbox.callbacks().deliveries();
    let ours: Vec<_> = deliveries
        .iter()
        .filter(|d| d.payment_id == payment_id)
        .collect();
    assert_eq!(ours.len(), 1, "{deliveries:?}");
    assert_eq!((ours[0].status, &ours[0].target), (Some(200), &service.url));
    let runs = app
        .store
        .database()
        .collection::<mongodb::bson::Document>("runs");
    let by_callback = runs
        .count_documents(doc! {"job": "sync", "trigger": "callback"})
        .await;
    assert!(by_callback.expect("count") >= 1);
    // The queue entry and the run are finished just after YNAB has the
    // transaction: poll the counters for a few seconds.
    let client = client_from(BUNQ_SOURCE);
    let mut metrics = String::new();
    for _ in 0..50 {
        metrics = client
            .get(service.at("/metrics"))
            .send()
            .await
            .expect("metrics answered")
            .text()
            .await
            .expect("metrics text");
        if ["bunqynab_payments_synced_total", "bunqynab_runs_total{"]
            .iter()
            .all(|counter| counter_at_least_one(&metrics, counter))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for counter in ["bunqynab_payments_synced_total", "bunqynab_runs_total{"] {
        assert!(
            counter_at_least_one(&metrics, counter),
            "{counter} did not move:\n{metrics}"
        );
    }
    service.stop().await.expect("clean stop");
}

#[tokio::test]
async fn repeated_callbacks_for_one_payment_leave_one_transaction() {
    let app = TestApp::spawn().await;
    let service = app.service().await;
    let account = app.a_linked_account();
    let payment_id = app.add_silent_payment(account, "-5.00");
    let client = client_from(BUNQ_SOURCE);

    let sends = (0..8).map(|_| {
        client
            .post(service.at("/payment"))
            .json(&mutation(payment_id, account))
            .send()
    });
    let answers = futures::future::join_all(sends).await;

    for answer in answers {
        assert_eq!(answer.expect("answered").status(), 200);
    }
    assert!(app.wait_for_ynab(payment_id, Duration::from_secs(15)).await);
    // Give any late duplicate sync time to (wrongly) add a second one.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.ynab_count(payment_id), 1);
    service.stop().await.expect("clean stop");
}

#[tokio::test]
async fn other_categories_and_object_types_are_answered_200_and_ignored() {
    let app = TestApp::spawn().await;
    let service = app.service().await;
    let client = client_from(BUNQ_SOURCE);
    let bodies = [
        json!({"NotificationUrl": {"category": "CARD_TRANSACTION_SUCCESSFUL",
            "event_type": "CARD_TRANSACTION_SUCCESSFUL",
            "object": {"MasterCardAction": {"id": 1, "monetary_account_id": 2}}}}),
        json!({"NotificationUrl": {"category": "MUTATION", "event_type": "MUTATION_CREATED",
            "object": {"RequestResponse": {"id": 3}}}}),
    ];

    for body in bodies {
        let response = client
            .post(service.at("/payments"))
            .json(&body)
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), 200);
        let answer: Value = response.json().await.expect("json");
        assert_eq!(answer["status"], "ignored", "{answer}");
    }
    let stored = app
        .store
        .count("bunq_payments", doc! {"id": {"$in": [1, 3]}})
        .await;
    assert_eq!(stored.expect("count"), 0);
    service.stop().await.expect("clean stop");
}

#[tokio::test]
async fn health_metrics_and_the_openapi_document_are_served() {
    let app = TestApp::spawn().await;
    let service = app.service().await;
    let ignored = json!({"NotificationUrl": {"category": "CHAT", "object": {}}});
    client_from(BUNQ_SOURCE)
        .post(service.at("/payment"))
        .json(&ignored)
        .send()
        .await
        .expect("answered");

    let health = app
        .http
        .get(service.at("/health"))
        .send()
        .await
        .expect("health");
    let metrics = app
        .http
        .get(service.at("/metrics"))
        .send()
        .await
        .expect("metrics");
    let document: Value = app
        .http
        .get(service.at("/openapi.json"))
        .send()
        .await
        .expect("document")
        .json()
        .await
        .expect("json");

    assert_eq!(health.status(), 200);
    let metrics = metrics.text().await.expect("text");
    assert!(
        metrics.contains("callback_requests_total{outcome=\"ignored\"}"),
        "{metrics}"
    );
    assert!(
        document["paths"]["/payment"]["post"].is_object(),
        "{document}"
    );
    service.stop().await.expect("clean stop");
}

/// Whether a sample of `counter` in a Prometheus text page is at least 1.
fn counter_at_least_one(metrics: &str, counter: &str) -> bool {
    metrics
        .lines()
        .filter(|l| l.starts_with(counter))
        .any(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()) >= Some(1.0))
}
