//! Retries on 429, 5xx and timeouts; errors for bad tokens, unknown
//! budgets and malformed, truncated or wrong-shaped bodies.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use domain::Milliunits;
use sandbox::SandboxConfig;
use secrecy::SecretString;
use serde_json::json;
use ynab::{Cleared, NewTransaction, YnabError};

use crate::helpers::TestApp;

fn accounts_path(app: &TestApp) -> String {
    format!("/v1/plans/{}/accounts", app.budget().id)
}

#[tokio::test]
async fn a_429_is_retried_with_backoff_and_the_call_succeeds() {
    let app = TestApp::spawn().await;
    let path = accounts_path(&app);
    app.fault(json!({"path_prefix": path, "times": 2, "action": {"status": 429}}))
        .await;

    let accounts = app.client.accounts(&app.budget().id, None).await;

    assert!(
        !accounts
            .expect("the third attempt succeeds")
            .items
            .is_empty()
    );
    let usage = app.client.usage();
    assert_eq!((usage.rate_limited, usage.retries, usage.used), (2, 2, 3));
}

#[tokio::test]
async fn a_429_that_never_ends_gives_rate_limited_after_the_last_attempt() {
    let app = TestApp::spawn().await;
    let path = accounts_path(&app);
    app.fault(json!({"path_prefix": path, "action": {"status": 429}}))
        .await;

    let err = app
        .client
        .accounts(&app.budget().id, None)
        .await
        .expect_err("refused");

    assert!(
        matches!(err, YnabError::RateLimited { attempts: 3 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_500_on_a_read_is_retried_and_the_call_succeeds() {
    let app = TestApp::spawn().await;
    app.fault(
        json!({"method": "GET", "path_prefix": "/v1/plans", "times": 1,
                     "action": {"status": 500}}),
    )
    .await;

    let budgets = app.client.budgets().await;

    assert!(!budgets.expect("the retry succeeds").is_empty());
    assert_eq!(app.client.usage().retries, 1);
}

#[tokio::test]
async fn a_500_on_a_create_without_import_ids_is_not_repeated() {
    let app = TestApp::spawn().await;
    let budget = app.budget();
    let account = budget
        .accounts
        .iter()
        .find(|a| !a.closed)
        .expect("an open account");
    app.fault(
        json!({"method": "POST", "path_prefix": "/v1/plans", "times": 1,
                     "action": {"status": 500}}),
    )
    .await;
    let txn = NewTransaction {
        account_id: account.id.clone(),
        date: Utc::now().date_naive(),
        amount: Milliunits(-1_000),
        payee_id: None,
        payee_name: Some("Bakker".into()),
        category_id: None,
        memo: None,
        cleared: Cleared::Uncleared,
        approved: false,
        flag_color: None,
        import_id: None,
    };

    let err = app
        .client
        .create_transactions(&budget.id, &[txn])
        .await
        .expect_err("failed");

    assert!(matches!(err, YnabError::Api { status: 500, .. }), "{err:?}");
    assert_eq!(app.client.usage().retries, 0);
}

#[tokio::test]
async fn a_slow_answer_times_out_and_the_read_is_retried() {
    let app = TestApp::spawn_with(SandboxConfig::default(), |c| {
        c.timeout = Duration::from_millis(300);
    })
    .await;
    app.fault(json!({"path_prefix": "/v1/plans", "times": 1, "action": {"delay_ms": 1500}}))
        .await;

    let budgets = app.client.budgets().await;

    assert!(!budgets.expect("the retry succeeds").is_empty());
    assert_eq!(app.client.usage().retries, 1);
}

#[tokio::test]
async fn an_answer_that_never_comes_in_time_is_a_timeout() {
    let app = TestApp::spawn_with(SandboxConfig::default(), |c| {
        c.timeout = Duration::from_millis(200);
    })
    .await;
    app.fault(json!({"path_prefix": "/v1/plans", "action": {"delay_ms": 1000}}))
        .await;

    let err = app.client.budgets().await.expect_err("timed out");

    assert!(
        matches!(err, YnabError::Timeout { after } if after.as_millis() == 200),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized_and_never_shown() {
    let app = TestApp::spawn().await;
    let client = app.another_client(|c| c.token = SecretString::from("wrong-token-abc"));

    let err = client.budgets().await.expect_err("refused");

    assert!(matches!(err, YnabError::Unauthorized), "{err:?}");
    assert!(!format!("{err:?} {err}").contains("wrong-token-abc"));
}

#[tokio::test]
async fn an_unknown_budget_is_ynabs_404() {
    let app = TestApp::spawn().await;

    let err = app
        .client
        .accounts("00000000-0000-4000-8000-000000000000", None)
        .await
        .expect_err("not found");

    assert!(
        matches!(&err, YnabError::Api { status: 404, id, .. } if id == "404.2"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_decode_error() {
    let app = TestApp::spawn().await;
    let path = accounts_path(&app);
    app.fault(json!({"path_prefix": path, "times": 1,
                     "action": {"body": "<html>oops</html>", "status": 200}}))
        .await;

    let err = app
        .client
        .accounts(&app.budget().id, None)
        .await
        .expect_err("malformed");

    let YnabError::Decode { path: got, message } = err else {
        panic!("{err:?}")
    };
    assert_eq!(got, path.trim_start_matches("/v1"));
    assert!(message.contains("not JSON"), "{message}");
}

#[tokio::test]
async fn a_truncated_body_is_a_decode_error() {
    let app = TestApp::spawn().await;
    app.fault(json!({"path_prefix": "/v1/plans", "times": 1, "action": {"truncate": true}}))
        .await;
    let since = NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");

    let err = app
        .client
        .transactions(&app.budget().id, since, None)
        .await
        .expect_err("cut");

    assert!(matches!(err, YnabError::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_a_decode_error_naming_the_member() {
    let app = TestApp::spawn().await;
    let path = accounts_path(&app);
    let body = json!({"data": {"accounts": [{"id": "a1", "name": 7}], "server_knowledge": 1}});
    app.fault(json!({"path_prefix": path, "times": 1, "action": {"body": body.to_string()}}))
        .await;

    let err = app
        .client
        .accounts(&app.budget().id, None)
        .await
        .expect_err("wrong shape");

    let YnabError::Decode { message, .. } = err else {
        panic!("{err:?}")
    };
    assert!(
        message.starts_with("`data.accounts[0]`: invalid YNAB account a1"),
        "{message}"
    );
}
