//! Registration at start-up, against the sandbox: merged with the user's
//! other callbacks, replacing this service's own earlier URL, refused with
//! a clear message when bunq's two MUTATION slots are taken, and a clear
//! start-up error when `BUNQ_CALLBACK_HOST` is unset or malformed.

use std::process::Command;

use bunq::NotificationFilter;
use tokio::net::TcpListener;

use crate::helpers::{TestApp, history_end};

/// The registered filters, sorted (bunq lists them newest first).
fn targets(app: &TestApp) -> Vec<(String, String)> {
    let filters = app.sandbox.bunq().notification_filters();
    let mut pairs: Vec<_> = filters
        .into_iter()
        .map(|f| (f.category, f.notification_target))
        .collect();
    pairs.sort();
    pairs
}

fn pair(category: &str, target: &str) -> (String, String) {
    (category.to_owned(), target.to_owned())
}

fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort();
    pairs
}

#[tokio::test]
async fn registration_keeps_the_users_other_callbacks() {
    let app = TestApp::spawn().await;
    let others = [
        NotificationFilter {
            category: "PAYMENT".to_owned(),
            notification_target: "https://other.example/payment".to_owned(),
        },
        NotificationFilter::mutation("https://budget-app.example/hook"),
    ];
    app.bunq_client()
        .set_notification_filters(&others)
        .await
        .expect("filters set");

    let service = app.service().await;

    assert_eq!(
        targets(&app),
        sorted(vec![
            pair("MUTATION", "https://budget-app.example/hook"),
            pair("MUTATION", &service.url),
            pair("PAYMENT", "https://other.example/payment"),
        ])
    );
    service.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_new_host_replaces_this_services_earlier_url() {
    let app = TestApp::spawn().await;
    let other = NotificationFilter::mutation("https://budget-app.example/hook");
    app.bunq_client()
        .set_notification_filters(std::slice::from_ref(&other))
        .await
        .expect("filters set");
    let first = app.service().await;
    let old_url = first.url.clone();
    first.stop().await.expect("clean stop");

    // Another port is another host as far as bunq is concerned.
    let second = app.service().await;

    assert_ne!(old_url, second.url);
    assert_eq!(
        targets(&app),
        sorted(vec![
            pair("MUTATION", "https://budget-app.example/hook"),
            pair("MUTATION", &second.url),
        ])
    );
    second.stop().await.expect("clean stop");
}

#[tokio::test]
async fn two_other_mutation_callbacks_stop_start_up_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let full = [
        NotificationFilter::mutation("https://one.example/hook"),
        NotificationFilter::mutation("https://two.example/hook"),
    ];
    app.bunq_client()
        .set_notification_filters(&full)
        .await
        .expect("filters set");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let host = listener.local_addr().expect("address").to_string();
    let config = app.config(&host, "127.0.0.2/32", "");

    let result = callback::serve(config, listener, std::future::pending()).await;

    let message = format!("{:#}", result.expect_err("registration refused"));
    assert!(message.contains("at most 2 MUTATION"), "{message}");
    assert!(message.contains("https://one.example/hook"), "{message}");
    assert!(message.contains("https://two.example/hook"), "{message}");
    assert_eq!(
        targets(&app),
        sorted(vec![
            pair("MUTATION", "https://one.example/hook"),
            pair("MUTATION", "https://two.example/hook"),
        ])
    );
}

/// Runs the real binary with a complete environment except the host.
fn run_binary(app: &TestApp, host: Option<&str>) -> (i32, String) {
    let start = history_end().format("%Y-%m-%d").to_string();
    let mut command = Command::new(env!("CARGO_BIN_EXE_callback"));
    command
        .env_clear()
        .env("MONGO_URI", app.db.uri())
        .env("MONGO_DB", app.db.name())
        .env("BUNQ_ENVIRONMENT", "SANDBOX")
        .env("BUNQ_API_URL", app.sandbox.bunq_url())
        .env("YNAB_TOKEN", "sandbox-ynab-token")
        .env("YNAB_API_URL", app.sandbox.ynab_url())
        .env("START_SYNC_DATE", start)
        .env("CALLBACK_PORT", "0")
        .env("LOG_FORMAT", "pretty");
    if let Some(host) = host {
        command.env("BUNQ_CALLBACK_HOST", host);
    }
    let output = command.output().expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code().unwrap_or(-1), stderr)
}

#[tokio::test]
async fn an_unset_or_malformed_host_is_a_clear_start_up_error_and_registers_nothing() {
    let app = TestApp::spawn().await;

    let (unset_code, unset) = run_binary(&app, None);
    let (scheme_code, scheme) = run_binary(&app, Some("https://cb.example.com"));
    let (path_code, path) = run_binary(&app, Some("cb.example.com/payment"));

    assert_eq!(unset_code, 2, "{unset}");
    assert!(unset.contains("BUNQ_CALLBACK_HOST is not set"), "{unset}");
    assert_eq!(scheme_code, 2, "{scheme}");
    assert!(scheme.contains("without a scheme"), "{scheme}");
    assert_eq!(path_code, 2, "{path}");
    assert!(path.contains("without a path"), "{path}");
    assert!(targets(&app).is_empty(), "{:?}", targets(&app));
}
