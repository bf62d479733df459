//! Runs under faults: throttling, server errors, slow answers, expired
//! sessions, forged signatures and malformed bodies. A run either completes
//! or fails with a clear error; stored data and run moments stay intact.

use domain::run::Trigger;
use mongodb::bson::doc;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_run_completes_through_429s_500s_slow_answers_and_an_expired_session() {
    let app = TestApp::spawn().await;
    let truth = app.truth();
    app.fault(
        "bunq",
        json!({"method": "GET", "path_prefix": "/v1/user", "times": 2, "action": {"status": 429}}),
    )
    .await;
    app.fault(
        "bunq",
        json!({"method": "GET", "path_prefix": "/v1/user", "times": 1, "action": {"status": 500}}),
    )
    .await;
    app.fault("bunq", json!({"method": "GET", "path_prefix": "/v1/user", "times": 1, "action": {"expire_session": true}})).await;
    app.fault("bunq", json!({"method": "GET", "path_prefix": "/v1/user", "times": 1, "action": {"delay_ms": 3000}})).await;
    app.fault(
        "ynab",
        json!({"method": "GET", "path_prefix": "/v1/plans", "times": 2, "action": {"status": 429}}),
    )
    .await;
    app.fault(
        "ynab",
        json!({"method": "GET", "path_prefix": "/v1/plans", "times": 1, "action": {"status": 500}}),
    )
    .await;
    app.fault("ynab", json!({"method": "GET", "path_prefix": "/v1/plans", "times": 1, "action": {"delay_ms": 3000}})).await;

    let summary = app
        .ingest
        .run(Trigger::Manual)
        .await
        .expect("the run rides out the faults");

    assert_eq!(
        app.count("bunq_payments", doc! {}).await,
        truth.bunq_payments
    );
    assert_eq!(
        app.count("ynab_transactions", doc! {}).await,
        truth.transactions
    );
    assert_eq!(summary["enqueued"], truth.bunq_payments as i64);
}

#[tokio::test]
async fn a_run_that_dies_midway_leaves_runmoments_unchanged_and_the_next_completes_without_duplicates()
 {
    let app = TestApp::spawn().await;
    let truth = app.truth();
    // YNAB transactions keep failing: the bunq half is already stored when
    // the run dies.
    app.fault("ynab", json!({"method": "GET", "path_prefix": "/v1/plans/", "times": 1000, "action": {"status": 500}})).await;

    let failed = app.ingest.run(Trigger::Manual).await;

    assert!(failed.is_err(), "the run fails");
    assert!(
        app.runmoments().await.is_empty(),
        "no run moment was written"
    );
    assert_eq!(app.count("runs", doc! {"outcome": "failed"}).await, 1);
    let run = app
        .collection("runs")
        .find_one(doc! {"outcome": "failed"})
        .await
        .expect("query")
        .expect("run");
    assert!(
        run.get_str("error")
            .expect("error recorded")
            .contains("YNAB"),
        "{run:?}"
    );

    app.clear_faults().await;
    app.ingest
        .run(Trigger::Manual)
        .await
        .expect("the next run completes");

    assert_eq!(
        app.count("bunq_payments", doc! {}).await,
        truth.bunq_payments
    );
    assert_eq!(
        app.count("payment_queue", doc! {}).await,
        truth.bunq_payments
    );
    assert_eq!(
        app.count("ynab_transactions", doc! {}).await,
        truth.transactions
    );
    assert!(!app.runmoments().await.is_empty());
}

#[tokio::test]
async fn a_response_with_a_bad_server_signature_is_rejected() {
    let app = TestApp::spawn().await;
    app.fault("bunq", json!({"method": "GET", "path_prefix": "/v1/user", "times": 1000, "action": {"bad_signature": true}})).await;

    let error = app
        .ingest
        .run(Trigger::Manual)
        .await
        .expect_err("a forged response fails the run");

    assert!(
        format!("{error:#}").to_lowercase().contains("signature"),
        "{error:#}"
    );
    assert_eq!(app.count("bunq_accounts", doc! {}).await, 0);
}

/// Each malformed answer fails the run with a clear error and leaves what
/// the first, good run stored untouched.
#[tokio::test]
async fn malformed_answers_from_either_api_fail_clearly_and_keep_stored_data() {
    let app = TestApp::spawn().await;
    app.ingest
        .run(Trigger::Manual)
        .await
        .expect("a good first run");
    let before = counts(&app).await;
    let user = app.sandbox.household().user.id;
    let accounts_path = format!("/v1/user/{user}/monetary-account");

    let cases = [
        (
            "bunq",
            json!({"method": "GET", "path_prefix": accounts_path, "times": 1000, "action": {"truncate": true}}),
            "bunq",
        ),
        (
            "bunq",
            json!({"method": "GET", "path_prefix": accounts_path, "times": 1000,
            "action": {"status": 200, "body": "{\"Response\": [{\"MonetaryAccountMystery\": {\"id\": 1}}]}"}}),
            "unknown account type",
        ),
        (
            "bunq",
            json!({"method": "GET", "path_prefix": accounts_path, "times": 1000,
            "action": {"status": 200, "body": "{\"Response\": [{\"MonetaryAccountBank\": {\"id\": \"one\"}}]}"}}),
            "invalid type",
        ),
        (
            "bunq",
            json!({"method": "GET", "path_prefix": accounts_path, "times": 1000,
            "action": {"status": 200, "body": "not json at all"}}),
            "bunq",
        ),
        (
            "ynab",
            json!({"method": "GET", "path_prefix": "/v1/plans", "times": 1000,
            "action": {"status": 200, "body": "{\"data\": {\"plans\": [{\"id\": 5}]}}"}}),
            "YNAB",
        ),
        (
            "ynab",
            json!({"method": "GET", "path_prefix": "/v1/plans", "times": 1000, "action": {"truncate": true}}),
            "YNAB",
        ),
        (
            "ynab",
            json!({"method": "GET", "path_prefix": "/v1/plans", "times": 1000,
            "action": {"status": 200, "body": "{\"data\": {}}"}}),
            "YNAB",
        ),
    ];
    for (side, rule, expected) in cases {
        app.fault(side, rule.clone()).await;

        let error = app
            .ingest
            .run(Trigger::Manual)
            .await
            .expect_err("a malformed answer fails the run");

        let message = format!("{error:#}");
        assert!(message.contains(expected), "{rule}: {message}");
        assert_eq!(
            counts(&app).await,
            before,
            "stored data changed after {rule}"
        );
        app.clear_faults().await;
    }
}

async fn counts(app: &TestApp) -> Vec<u64> {
    let mut all = Vec::new();
    for name in [
        "bunq_accounts",
        "bunq_payments",
        "ynab_budgets",
        "ynab_accounts",
        "ynab_transactions",
        "payment_queue",
    ] {
        all.push(app.count(name, doc! {}).await);
    }
    all
}
