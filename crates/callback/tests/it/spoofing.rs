//! Trust nothing in the body: callers outside the allowed networks get 403
//! and write nothing, forwarded headers count only from trusted proxies,
//! the amount and account come from bunq, and unknown payments write
//! nothing.

use std::time::Duration;

use mongodb::bson::doc;
use serde_json::json;

use crate::helpers::{BUNQ_SOURCE, TestApp, client_from, mutation, sandbox_config};

async fn nothing_written(app: &TestApp, payment_id: i64) {
    let stored = app
        .store
        .count("bunq_payments", doc! {"id": payment_id})
        .await;
    let queued = app
        .store
        .count("payment_queue", doc! {"payment_id": payment_id})
        .await;
    assert_eq!((stored.expect("count"), queued.expect("count")), (0, 0));
    assert_eq!(app.ynab_count(payment_id), 0);
}

#[tokio::test]
async fn a_callback_from_outside_the_allowed_networks_gets_403_and_writes_nothing() {
    let mut config = sandbox_config();
    config.callback_source = Some("127.0.0.3".parse().expect("ip"));
    let app = TestApp::with(config).await;
    let service = app.service().await;
    let account = app.a_linked_account();

    let payment_id = app.create_payment(account, "-7.00").await;
    tokio::time::sleep(Duration::from_millis(1_000)).await;

    let deliveries = app.sandbox.callbacks().deliveries();
    assert_eq!(
        deliveries.len(),
        6,
        "one attempt and five retries: {deliveries:?}"
    );
    assert!(
        deliveries.iter().all(|d| d.status == Some(403)),
        "{deliveries:?}"
    );
    nothing_written(&app, payment_id).await;
    service.stop().await.expect("clean stop");
}

#[tokio::test]
async fn forwarded_headers_from_an_untrusted_peer_are_ignored() {
    let app = TestApp::spawn().await;
    let service = app.service_with("127.0.0.2/32", "127.0.0.4/32").await;
    let account = app.a_linked_account();
    let payment_id = app.add_silent_payment(account, "-8.00");
    let post = |source: &str, forwarded: bool| {
        let mut request = client_from(source)
            .post(service.at("/payment"))
            .json(&mutation(payment_id, account));
        if forwarded {
            request = request
                .header("x-forwarded-for", "127.0.0.2")
                .header("x-real-ip", "127.0.0.2")
                .header("forwarded", "for=127.0.0.2");
        }
        request.send()
    };

    let spoofed = post("127.0.0.3", true).await.expect("answered");
    let proxy_alone = post("127.0.0.4", false).await.expect("answered");

    assert_eq!(spoofed.status(), 403);
    assert_eq!(proxy_alone.status(), 403);
    nothing_written(&app, payment_id).await;

    let through_proxy = post("127.0.0.4", true).await.expect("answered");
    assert_eq!(through_proxy.status(), 200);
    assert!(app.wait_for_ynab(payment_id, Duration::from_secs(15)).await);
    service.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_body_with_a_wrong_amount_and_iban_leads_to_what_bunq_reports() {
    let app = TestApp::spawn().await;
    let service = app.service().await;
    let account = app.a_linked_account();
    let payment_id = app.add_silent_payment(account, "-12.34");
    let mut body = mutation(payment_id, account);
    body["NotificationUrl"]["object"]["Payment"]["amount"] =
        json!({"value": "-9999.99", "currency": "EUR"});
    body["NotificationUrl"]["object"]["Payment"]["alias"] =
        json!({"iban": "NL02ABNA0123456789", "display_name": "Someone Else"});
    body["NotificationUrl"]["object"]["Payment"]["description"] = json!("Injected");

    let response = client_from(BUNQ_SOURCE)
        .post(service.at("/payment"))
        .json(&body)
        .send()
        .await
        .expect("answered");

    assert_eq!(response.status(), 200);
    assert!(app.wait_for_ynab(payment_id, Duration::from_secs(15)).await);
    let txn = app.ynab_transaction(payment_id).expect("in YNAB");
    assert_eq!(txn.amount.0, -12_340);
    assert_ne!(txn.memo.as_deref(), Some("Injected"));
    let stored = app.stored_payment(payment_id).await.expect("stored");
    assert_eq!(stored.monetary_account_id, account);
    assert_eq!(stored.amount.0, -12_340);
    service.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_callback_for_a_payment_bunq_does_not_know_gets_404_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let service = app.service().await;
    let account = app.a_linked_account();
    let unknown = 987_654_321;

    let response = client_from(BUNQ_SOURCE)
        .post(service.at("/payment"))
        .json(&mutation(unknown, account))
        .send()
        .await
        .expect("answered");

    assert_eq!(response.status(), 404);
    tokio::time::sleep(Duration::from_millis(300)).await;
    nothing_written(&app, unknown).await;
    service.stop().await.expect("clean stop");
}
