//! The classifier client against a small local HTTP listener that plays the
//! model server (the sandbox does not play it): valid, unsure, absent,
//! failing, slow and malformed answers.

mod fake;

use std::time::Duration;

use classifier::{ClassifierClient, ClassifierConfig, Outcome};
use domain::bunq::Payment;
use serde_json::json;

use fake::{Behaviour, FakeModelServer};

fn payment(id: i64) -> Payment {
    Payment::from_json(&json!({
        "id": id, "monetary_account_id": 5, "created": "2024-05-01 10:11:12.123456",
        "updated": "2024-05-01 10:11:12.123456", "amount": {"value": "-12.34", "currency": "EUR"},
        "description": "Groceries", "type": "MASTERCARD", "sub_type": "PAYMENT",
        "counterparty_alias": {"display_name": "AH"}
    }))
    .expect("valid payment")
}

fn client(url: Option<String>) -> ClassifierClient {
    let config = ClassifierConfig {
        timeout: Duration::from_millis(300),
        ..ClassifierConfig::new(url)
    };
    ClassifierClient::new(config).expect("valid config")
}

async fn classify_two(url: Option<String>) -> Vec<classifier::Classification> {
    let (a, b) = (payment(1), payment(2));
    client(url).classify("budget-1", &[&a, &b]).await
}

#[tokio::test]
async fn a_confident_suggestion_is_used_and_an_unsure_one_is_not() {
    let server = FakeModelServer::start(Behaviour::Answer {
        confidences: vec![0.9, 0.3],
    })
    .await;

    let rows = classify_two(Some(server.url())).await;

    assert_eq!(rows[0].outcome, Outcome::Used);
    assert_eq!(rows[0].category_id(), Some("cat-0"));
    assert_eq!(rows[0].model_version.as_deref(), Some("v3"));
    assert_eq!(rows[1].outcome, Outcome::BelowThreshold);
    assert_eq!(rows[1].category_id(), None);
    let request = server.last_request().expect("a request");
    assert_eq!(request["inputs"][0]["data"], json!([1, 2]));
    assert_eq!(
        server.last_path().as_deref(),
        Some("/v2/models/budget-1/infer")
    );
}

#[tokio::test]
async fn an_absent_model_server_leaves_every_payment_uncategorised_as_unavailable() {
    let closed = FakeModelServer::closed_port().await;

    let rows = classify_two(Some(closed)).await;

    assert!(
        rows.iter()
            .all(|r| r.outcome == Outcome::Unavailable && r.category_id().is_none())
    );
    assert!(
        rows[0]
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("could not be reached")
    );
}

#[tokio::test]
async fn no_model_server_configured_is_unavailable_without_a_request() {
    let rows = classify_two(None).await;

    assert!(rows.iter().all(|r| r.outcome == Outcome::Unavailable));
    assert!(
        rows[0]
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("MODEL_SERVER_URL")
    );
}

#[tokio::test]
async fn a_500_answer_is_an_error_naming_the_status() {
    let server = FakeModelServer::start(Behaviour::Status(500)).await;

    let rows = classify_two(Some(server.url())).await;

    assert!(rows.iter().all(|r| r.outcome == Outcome::Error));
    assert!(
        rows[0]
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("answered 500")
    );
}

#[tokio::test]
async fn an_answer_after_the_timeout_is_unavailable() {
    let server = FakeModelServer::start(Behaviour::Slow(Duration::from_secs(2))).await;

    let rows = classify_two(Some(server.url())).await;

    assert!(rows.iter().all(|r| r.outcome == Outcome::Unavailable));
    assert!(
        rows[0]
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("within 300 ms")
    );
}

#[tokio::test]
async fn a_malformed_body_is_an_error_saying_what_is_wrong() {
    let server = FakeModelServer::start(Behaviour::Malformed).await;

    let rows = classify_two(Some(server.url())).await;

    assert!(rows.iter().all(|r| r.outcome == Outcome::Error));
    assert!(
        rows[0]
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("malformed"),
        "{:?}",
        rows[0]
    );
}

#[tokio::test]
async fn a_missing_model_is_unavailable() {
    let server = FakeModelServer::start(Behaviour::Status(404)).await;

    let rows = classify_two(Some(server.url())).await;

    assert!(rows.iter().all(|r| r.outcome == Outcome::Unavailable));
}
