//! Session renewal: on expiry, on bunq's refusal, and across processes
//! sharing one stored context.

use std::time::Duration;

use bunq::BunqClient;
use sandbox::SandboxConfig;
use secrecy::ExposeSecret;
use serde_json::json;

use crate::helpers::{Bench, WINDOW, exchange, rule};

const SESSION_SERVER: &str = "/v1/session-server";

fn accounts_path(user: i64) -> String {
    format!("/v1/user/{user}/monetary-account")
}

#[tokio::test]
async fn an_expired_session_is_renewed_before_the_call() {
    let bench = Bench::with(SandboxConfig {
        session_timeout_secs: 2,
        ..Default::default()
    })
    .await;
    exchange(&bench.client).await;
    let user = bench.client.user_id().await.expect("user");
    let first = bench.stored().await;

    tokio::time::sleep(Duration::from_millis(2100)).await;
    bench.client.monetary_accounts().await.expect("accounts");

    assert_eq!(bench.statuses("POST", SESSION_SERVER), [200, 200]);
    assert_eq!(
        bench.statuses("GET", &accounts_path(user)),
        [200],
        "no 401 on the way"
    );
    let renewed = bench.stored().await;
    assert_eq!(renewed.version, first.version + 1);
    assert!(renewed.value.session_expires_at > first.value.session_expires_at);
    assert_eq!(bench.client.stats().sessions_created, 2);
    bench.finish().await;
}

#[tokio::test]
async fn a_session_bunq_ended_is_renewed_once_and_the_call_retried() {
    let bench = Bench::exchanged().await;
    let user = bench.client.user_id().await.expect("user");
    bench
        .fault(rule("GET", 1, json!({"expire_session": true})))
        .await;

    bench.client.monetary_accounts().await.expect("accounts");

    assert_eq!(bench.statuses("GET", &accounts_path(user)), [401, 200]);
    assert_eq!(bench.statuses("POST", SESSION_SERVER), [200, 200]);
    assert_eq!(bench.stored().await.version, 2);
    bench.finish().await;
}

#[tokio::test]
async fn a_refused_session_is_renewed_only_once() {
    let bench = Bench::exchanged().await;
    let user = bench.client.user_id().await.expect("user");
    bench
        .fault(rule("GET", 2, json!({"expire_session": true})))
        .await;

    let err = bench
        .client
        .monetary_accounts()
        .await
        .expect_err("refused twice");

    assert!(err.is_session_rejected(), "{err}");
    assert_eq!(bench.statuses("GET", &accounts_path(user)), [401, 401]);
    assert_eq!(bench.statuses("POST", SESSION_SERVER), [200, 200]);
    bench.finish().await;
}

#[tokio::test]
async fn a_session_renewed_by_another_process_is_adopted_without_creating_one() {
    let bench = Bench::exchanged().await;
    let other = bench.second_client();
    other
        .monetary_accounts()
        .await
        .expect("other loads the context");
    bench.sandbox.bunq().expire_sessions();

    bench
        .client
        .monetary_accounts()
        .await
        .expect("first renews");
    other.monetary_accounts().await.expect("other adopts");

    assert_eq!(bench.statuses("POST", SESSION_SERVER), [200, 200]);
    assert_eq!(other.stats().sessions_created, 0);
    assert_eq!(bench.sandbox.bunq().open_sessions(), 1);
    bench.finish().await;
}

#[tokio::test]
async fn two_processes_renewing_at_once_end_with_one_session() {
    let bench = Bench::exchanged().await;
    let (first, second) = (bench.second_client(), bench.second_client());
    first
        .monetary_accounts()
        .await
        .expect("first loads the context");
    second
        .monetary_accounts()
        .await
        .expect("second loads the context");
    bench.sandbox.bunq().expire_sessions();
    // These two clients have not seen the exchange's session-server call,
    // which the sandbox still counts for one window.
    tokio::time::sleep(WINDOW).await;

    let (a, b) = tokio::join!(first.monetary_accounts(), second.monetary_accounts());

    a.expect("first");
    b.expect("second");
    let created = first.stats().sessions_created + second.stats().sessions_created;
    assert_eq!(created, 1, "exactly one process created a session");
    assert_eq!(bench.sandbox.bunq().open_sessions(), 1);
    assert_eq!(bench.stored().await.version, 2);
    assert_shared_session(&bench, &[&first, &second]).await;
    bench.finish().await;
}

/// Every client keeps working without creating a session, and the stored
/// session stays the one in use.
async fn assert_shared_session(bench: &Bench, clients: &[&BunqClient]) {
    let stored = bench.stored().await.value;
    let sessions_before: u64 = clients.iter().map(|c| c.stats().sessions_created).sum();
    for client in clients {
        client.monetary_accounts().await.expect("still works");
    }
    let sessions_after: u64 = clients.iter().map(|c| c.stats().sessions_created).sum();
    assert_eq!(sessions_after, sessions_before);
    assert_eq!(
        bench.stored().await.value.session_token.expose_secret(),
        stored.session_token.expose_secret()
    );
}
