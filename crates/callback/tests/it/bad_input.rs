//! Bad input gets 4xx, never a 5xx or a panic: empty, truncated, oversize,
//! non-JSON, wrong-typed and deeply nested bodies, then 10,000 generated
//! bodies (random bytes, random JSON, and notifications with fuzzed
//! fields) sent to a running service.

use futures::StreamExt;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

use crate::helpers::{BUNQ_SOURCE, TestApp, client_from, unlimited_sandbox_config};

/// Generated bodies sent by the fuzz test.
const GENERATED_BODIES: usize = 10_000;

async fn status_of(client: &reqwest::Client, url: &str, body: Vec<u8>) -> u16 {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("the service answers");
    response.status().as_u16()
}

#[tokio::test]
async fn malformed_bodies_get_4xx_and_the_service_stays_up() {
    let app = TestApp::spawn().await;
    let service = app.service().await;
    let client = client_from(BUNQ_SOURCE);
    let url = service.at("/payment");
    let valid = serde_json::to_string(&crate::helpers::mutation(1, 2)).expect("json");
    // 40 KB, under the body limit: the depth, not the size, is refused.
    let deep = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
    let oversize = format!(
        r#"{{"NotificationUrl": {{"category": "MUTATION", "object": {{"Payment": {{"id": 1, "monetary_account_id": 2, "description": "{}"}}}}}}}}"#,
        "x".repeat(70 * 1024)
    );
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("empty", Vec::new(), 400),
        ("truncated", valid.as_bytes()[..valid.len() / 2].to_vec(), 400),
        ("oversize", oversize.into_bytes(), 413),
        ("non-JSON", b"<xml>payment</xml>".to_vec(), 400),
        ("not UTF-8", vec![0xff, 0xfe, 0x00, 0x7b], 400),
        ("wrong-typed", br#"{"NotificationUrl": {"category": "MUTATION", "object": {"Payment": {"id": "1", "monetary_account_id": [2]}}}}"#.to_vec(), 400),
        ("wrong-typed envelope", br#"{"NotificationUrl": "MUTATION"}"#.to_vec(), 400),
        ("deeply nested", deep.into_bytes(), 400),
    ];

    for (name, body, expected) in cases {
        let status = status_of(&client, &url, body).await;
        assert_eq!(status, expected, "{name}");
    }
    let health = app
        .http
        .get(service.at("/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), 200);
    service.stop().await.expect("clean stop");
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map("[A-Za-z_]{0,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A notification whose fields are sometimes right and often not.
fn fuzzed_notification() -> impl Strategy<Value = Value> {
    let category = prop_oneof![Just(json!("MUTATION")), any_json()];
    let id = prop_oneof![(1_i64..1_000).prop_map(Value::from), any_json()];
    let object_key = prop_oneof![Just("Payment".to_owned()), "[A-Za-z]{0,12}"];
    (category, id.clone(), id, object_key, any_json()).prop_map(
        |(category, id, account, key, extra)| {
            json!({"NotificationUrl": {"category": category, "event_type": extra,
                "object": {key: {"id": id, "monetary_account_id": account}}}})
        },
    )
}

/// Raw bytes, random JSON, or a fuzzed notification, possibly cut short.
fn any_body() -> impl Strategy<Value = Vec<u8>> {
    let raw = prop::collection::vec(any::<u8>(), 0..256);
    let json = prop_oneof![any_json(), fuzzed_notification()]
        .prop_map(|v| serde_json::to_vec(&v).unwrap_or_default());
    let cut = (json.clone(), any::<prop::sample::Index>()).prop_map(|(bytes, at)| {
        let end = at.index(bytes.len().max(1));
        bytes[..end.min(bytes.len())].to_vec()
    });
    prop_oneof![1 => raw, 3 => json, 1 => cut]
}

#[tokio::test]
async fn ten_thousand_generated_bodies_never_get_a_5xx() {
    let app = TestApp::with(unlimited_sandbox_config()).await;
    let service = app.service().await;
    let client = client_from(BUNQ_SOURCE);
    let url = service.at("/payment");
    let mut runner = TestRunner::deterministic();
    let strategy = any_body();
    let bodies: Vec<Vec<u8>> = (0..GENERATED_BODIES)
        .map(|_| strategy.new_tree(&mut runner).expect("generated").current())
        .collect();

    let statuses: Vec<(u16, Vec<u8>)> = futures::stream::iter(bodies)
        .map(|body| {
            let (client, url) = (client.clone(), url.clone());
            async move { (status_of(&client, &url, body.clone()).await, body) }
        })
        .buffer_unordered(16)
        .collect()
        .await;

    assert_eq!(statuses.len(), GENERATED_BODIES);
    for (status, body) in &statuses {
        assert!(
            *status == 200 || (400..500).contains(status),
            "{status} for {}",
            String::from_utf8_lossy(body)
        );
    }
    let health = app
        .http
        .get(service.at("/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), 200);
    service.stop().await.expect("clean stop");
}
