//! Exchanging an API key and sharing the resulting context.

use std::collections::HashSet;

use bunq::BunqError;
use domain::bunq_context::UserKind;
use sandbox::SandboxConfig;
use sandbox::faults::Side;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::helpers::{API_KEY, Bench, exchange};

#[tokio::test]
async fn a_client_without_a_stored_context_says_to_exchange_first() {
    let bench = Bench::start().await;

    let err = bench
        .client
        .monetary_accounts()
        .await
        .expect_err("no context");

    assert!(matches!(err, BunqError::NoContext), "{err}");
    assert!(err.to_string().contains("exchange-pat"), "{err}");
    bench.finish().await;
}

#[tokio::test]
async fn exchanging_the_api_key_stores_a_complete_context() {
    let bench = Bench::start().await;

    exchange(&bench.client).await;

    let stored = bench.stored().await;
    let context = &stored.value;
    assert_eq!(stored.version, 1);
    assert_eq!(context.api_key.expose_secret(), API_KEY);
    assert!(
        context
            .private_key_pem
            .expose_secret()
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    assert!(
        context
            .server_public_key_pem
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    assert!(context.device_server_id > 0);
    assert_eq!(context.user_id, bench.sandbox.household().user.id);
    assert_eq!(context.user_kind, UserKind::Person);
    let lifetime = context.session_expires_at - chrono::Utc::now();
    assert!(lifetime > chrono::Duration::seconds(3500), "{lifetime}");
    assert!(lifetime <= chrono::Duration::seconds(3540), "{lifetime}");
    for path in [
        "/v1/installation",
        "/v1/device-server",
        "/v1/session-server",
    ] {
        assert_eq!(bench.statuses("POST", path), [200], "{path}");
    }
    assert_eq!(
        bench.client.user_id().await.expect("user id"),
        context.user_id
    );
    bench.finish().await;
}

#[tokio::test]
async fn every_request_carries_bunqs_headers_and_every_body_is_signed() {
    let bench = Bench::exchanged().await;
    bench.client.monetary_accounts().await.expect("accounts");

    let requests = bench.sandbox.recorder().requests(Some(Side::Bunq));

    let expected = [
        ("cache-control", "no-cache"),
        ("x-bunq-language", "en_US"),
        ("x-bunq-region", "nl_NL"),
        ("x-bunq-geolocation", "0 0 0 0 000"),
    ];
    let mut request_ids = HashSet::new();
    for request in &requests {
        let header = |name: &str| request.headers.get(name).map(String::as_str);
        for (name, value) in expected {
            assert_eq!(header(name), Some(value), "{name} on {}", request.path);
        }
        assert!(header("user-agent").is_some_and(|ua| ua.starts_with("bunq-ynab-connect/")));
        assert!(request_ids.insert(header("x-bunq-client-request-id").expect("id").to_owned()));
        let installation = request.path == "/v1/installation";
        assert_eq!(
            header("x-bunq-client-authentication").is_some(),
            !installation
        );
        assert_eq!(
            header("x-bunq-client-signature").is_some(),
            request.method == "POST"
        );
    }
    assert_eq!(requests.len(), 4);
    bench.finish().await;
}

#[tokio::test]
async fn the_device_is_registered_with_the_permitted_ips() {
    let bench = Bench::start().await;

    exchange(&bench.client).await;

    let requests = bench.sandbox.recorder().requests(Some(Side::Bunq));
    let device = requests
        .iter()
        .find(|r| r.path == "/v1/device-server")
        .expect("device-server");
    assert_eq!(device.body["permitted_ips"], json!(["*"]));
    assert_eq!(device.body["description"], "integration test");
    bench.finish().await;
}

#[tokio::test]
async fn a_failed_exchange_leaves_the_previous_context_in_force() {
    let bench = Bench::exchanged().await;
    let before = bench.stored().await;

    let err = bench
        .client
        .exchange_api_key(SecretString::from("wrong-key"), "again", &[])
        .await
        .expect_err("wrong key");

    assert!(matches!(err, BunqError::Api { status: 400, .. }), "{err}");
    assert!(
        err.to_string().contains("User credentials are incorrect"),
        "{err}"
    );
    let after = bench.stored().await;
    assert_eq!(after.version, before.version);
    assert_eq!(
        after.value.session_token.expose_secret(),
        before.value.session_token.expose_secret()
    );
    assert!(
        !bench
            .client
            .monetary_accounts()
            .await
            .expect("still works")
            .is_empty()
    );
    bench.finish().await;
}

#[tokio::test]
async fn a_new_exchange_replaces_the_stored_context() {
    let bench = Bench::exchanged().await;
    let before = bench.stored().await;

    exchange(&bench.client).await;

    let after = bench.stored().await;
    assert_eq!(after.version, before.version + 1);
    assert_ne!(after.value.device_server_id, before.value.device_server_id);
    assert_ne!(
        after.value.installation_token.expose_secret(),
        before.value.installation_token.expose_secret()
    );
    assert!(
        !bench
            .client
            .monetary_accounts()
            .await
            .expect("works")
            .is_empty()
    );
    bench.finish().await;
}

#[tokio::test]
async fn person_company_and_api_key_users_all_work() {
    let kinds = [
        (sandbox::household::UserKind::Person, UserKind::Person),
        (sandbox::household::UserKind::Company, UserKind::Company),
        (sandbox::household::UserKind::ApiKey, UserKind::ApiKey),
    ];
    for (sandbox_kind, expected) in kinds {
        let bench = Bench::with(SandboxConfig {
            user_kind: sandbox_kind,
            ..Default::default()
        })
        .await;

        exchange(&bench.client).await;
        let accounts = bench.client.monetary_accounts().await.expect("accounts");

        let stored = bench.stored().await.value;
        assert_eq!(stored.user_kind, expected);
        assert_eq!(stored.user_id, bench.sandbox.household().user.id);
        assert_eq!(
            accounts.len(),
            bench.sandbox.household().accounts.len(),
            "{expected:?}"
        );
        bench.finish().await;
    }
}

#[tokio::test]
async fn a_second_process_uses_the_stored_session_without_creating_one() {
    let bench = Bench::exchanged().await;
    let second = bench.second_client();

    let accounts = second.monetary_accounts().await.expect("accounts");

    assert!(!accounts.is_empty());
    assert_eq!(second.stats().sessions_created, 0);
    assert_eq!(bench.statuses("POST", "/v1/session-server"), [200]);
    assert_eq!(
        second.user_id().await.expect("user"),
        bench.sandbox.household().user.id
    );
    bench.finish().await;
}
