//! The `/_sandbox` controls: injected faults on both halves, payments added
//! at run time, the request record and the household summary.

use domain::bunq::Payment;
use serde_json::json;

use crate::helpers::{Bunq, admin_get, admin_post, sandbox};

#[tokio::test]
async fn a_500_fault_hits_as_often_as_asked_with_bunqs_error_body() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;
    let rule =
        json!({"method": "GET", "path_prefix": "/v1/user", "times": 2, "action": {"status": 500}});

    let (status, _) = admin_post(&sandbox.bunq_root(), "/_sandbox/faults", &rule).await;
    let first = bunq.get("/user").await;
    let second = bunq.get("/user").await;
    let third = bunq.get("/user").await;

    assert_eq!(status, 201);
    assert_eq!((first.status, second.status, third.status), (500, 500, 200));
    assert!(first.json()["Error"][0]["error_description"].is_string());
    assert!(bunq.verifies(&first));
}

#[tokio::test]
async fn a_replaced_body_is_signed_so_the_client_meets_the_parse_error() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;
    let rule = json!({"path_prefix": "/v1/user", "times": 1, "action": {"body": "{\"Response\": [", "status": 200}});
    admin_post(&sandbox.bunq_root(), "/_sandbox/faults", &rule).await;

    let answer = bunq.get("/user").await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, b"{\"Response\": [");
    assert!(bunq.verifies(&answer));
}

#[tokio::test]
async fn a_truncated_body_is_half_the_real_one_and_still_signed() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;
    let whole = bunq.get("/user").await;
    let rule = json!({"path_prefix": "/v1/user", "times": 1, "action": {"truncate": true}});
    admin_post(&sandbox.bunq_root(), "/_sandbox/faults", &rule).await;

    let cut = bunq.get("/user").await;

    assert_eq!(cut.body.len(), whole.body.len() / 2);
    assert!(serde_json::from_slice::<serde_json::Value>(&cut.body).is_err());
    assert!(bunq.verifies(&cut));
}

#[tokio::test]
async fn a_bad_signature_fault_fails_verification() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;
    let rule = json!({"times": 1, "action": {"bad_signature": true}});
    admin_post(&sandbox.bunq_root(), "/_sandbox/faults", &rule).await;

    let spoiled = bunq.get("/user").await;
    let fine = bunq.get("/user").await;

    assert_eq!(spoiled.status, 200);
    assert!(!bunq.verifies(&spoiled));
    assert!(bunq.verifies(&fine));
}

#[tokio::test]
async fn an_expire_session_fault_ends_the_session_before_the_call() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;
    let rule = json!({"times": 1, "action": {"expire_session": true}});
    admin_post(&sandbox.bunq_root(), "/_sandbox/faults", &rule).await;

    let answer = bunq.get("/user").await;
    let after = bunq.get("/user").await;

    assert_eq!(answer.status, 401);
    assert_eq!(answer.error(), "Insufficient authentication.");
    assert_eq!(after.status, 401, "the session stays gone");
}

#[tokio::test]
async fn a_ynab_429_fault_answers_with_ynabs_error_body_and_clears() {
    let sandbox = sandbox().await;
    let rule =
        json!({"method": null, "path_prefix": "/v1/", "times": null, "action": {"status": 429}});
    admin_post(&sandbox.ynab_root(), "/_sandbox/faults", &rule).await;
    let client = reqwest::Client::new();
    let get = || {
        client
            .get(format!("{}/user", sandbox.ynab_url()))
            .bearer_auth("sandbox-ynab-token")
            .send()
    };

    let limited = get().await.expect("sent");
    let status = limited.status().as_u16();
    let body: serde_json::Value = limited.json().await.expect("json");
    client
        .delete(format!("{}/_sandbox/faults", sandbox.ynab_root()))
        .send()
        .await
        .expect("cleared");
    let after = get().await.expect("sent").status().as_u16();

    assert_eq!(status, 429);
    assert_eq!(body["error"]["name"], "too_many_requests");
    assert_eq!(after, 200);
}

#[tokio::test]
async fn a_payment_added_at_run_time_is_the_newest_of_its_account() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;
    let account = sandbox.household().accounts[0].id;
    let new = json!({"account_id": account, "amount": "-12.34", "description": "Late snack",
                     "counterparty_name": "CCV*BAKKERIJ", "counterparty_iban": null,
                     "type": "MASTERCARD", "created": null});

    let (status, created) = admin_post(&sandbox.bunq_root(), "/_sandbox/bunq/payments", &new).await;
    let page = bunq
        .get(&bunq.user_path(&format!("/monetary-account/{account}/payment?count=1")))
        .await;

    assert_eq!(status, 201);
    let created = Payment::from_json(&created).expect("payment");
    let newest = Payment::from_json(&page.json()["Response"][0]).expect("payment");
    assert_eq!(newest.id, created.id);
    assert_eq!(newest.amount.0, -12_340);
    assert_eq!(newest.counterparty.name.as_deref(), Some("CCV*BAKKERIJ"));
    assert!(created.id > sandbox.household().payments.last().expect("payments").id);
}

#[tokio::test]
async fn bulk_payments_are_added_and_counted_in_the_household_summary() {
    let sandbox = sandbox().await;
    let account = sandbox.household().accounts[1].id;
    let before = sandbox.bunq().payment_count(account);

    let (status, body) = admin_post(
        &sandbox.bunq_root(),
        "/_sandbox/bunq/payments/bulk",
        &json!({"count": 250, "account_id": account}),
    )
    .await;
    let summary = admin_get(&sandbox.ynab_root(), "/_sandbox/household").await;

    assert_eq!(status, 201);
    assert_eq!(body["created"], 250);
    let listed = summary["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["id"] == account)
        .cloned();
    assert_eq!(listed.expect("account")["payment_count"], before + 250);
    assert_eq!(summary["budgets"].as_array().expect("budgets").len(), 2);
}

#[tokio::test]
async fn the_request_record_keeps_bodies_and_headers_without_secrets() {
    let sandbox = sandbox().await;
    let _bunq = Bunq::connect(&sandbox).await;

    let recorded = admin_get(&sandbox.bunq_root(), "/_sandbox/requests?side=bunq").await;
    let ynab_side = admin_get(&sandbox.bunq_root(), "/_sandbox/requests?side=ynab").await;

    let requests = recorded.as_array().expect("list");
    let paths: Vec<&str> = requests
        .iter()
        .map(|r| r["path"].as_str().expect("path"))
        .collect();
    assert_eq!(
        paths,
        [
            "/v1/installation",
            "/v1/device-server",
            "/v1/session-server"
        ]
    );
    assert_eq!(requests[2]["body"]["secret"], "<redacted>");
    assert_eq!(
        requests[2]["headers"]["x-bunq-client-authentication"],
        "<redacted>"
    );
    assert!(requests[2]["headers"]["x-bunq-client-signature"].is_string());
    assert_eq!(ynab_side.as_array().expect("list").len(), 0);
}
