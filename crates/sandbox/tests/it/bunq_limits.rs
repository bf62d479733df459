//! bunq's rate limits: per endpoint and method within a sliding window, and
//! one session-server call per window of its own.

use std::time::Duration;

use sandbox::{BunqLimits, Sandbox, SandboxConfig};
use serde_json::json;

use crate::helpers::{API_KEY, Bunq, device_body};

fn limited(session_window: Duration) -> SandboxConfig {
    let limits = BunqLimits {
        window: Duration::from_millis(1500),
        session_window,
        ..BunqLimits::default()
    };
    SandboxConfig {
        bunq_limits: limits,
        ..SandboxConfig::default()
    }
}

#[tokio::test]
async fn the_fourth_get_within_the_window_gets_429_with_bunqs_text() {
    let sandbox = Sandbox::start(limited(Duration::from_millis(10)))
        .await
        .expect("sandbox");
    let bunq = Bunq::connect(&sandbox).await;

    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(bunq.get("/user").await);
    }
    let other_endpoint = bunq.get(&bunq.user_path("/monetary-account")).await;
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let after_the_window = bunq.get("/user").await;

    let codes: Vec<u16> = statuses.iter().map(|a| a.status).collect();
    assert_eq!(codes, [200, 200, 200, 429]);
    assert_eq!(
        statuses[3].error(),
        "Too many requests. You can do a maximum of 3 calls per 1 second to this endpoint."
    );
    assert!(bunq.verifies(&statuses[3]));
    assert_eq!(other_endpoint.status, 200, "limits count per endpoint");
    assert_eq!(after_the_window.status, 200);
    let stats = crate::helpers::admin_get(&sandbox.bunq_root(), "/_sandbox/stats").await;
    assert_eq!(stats["bunq"]["too_many_requests"], 1);
}

#[tokio::test]
async fn a_second_session_within_thirty_seconds_gets_429() {
    let sandbox = Sandbox::start(limited(Duration::from_secs(30)))
        .await
        .expect("sandbox");
    let mut bunq = Bunq::new(&sandbox);
    bunq.token = Some(bunq.install().await);
    assert_eq!(
        bunq.post("/device-server", &device_body(API_KEY))
            .await
            .status,
        200
    );

    let first = bunq
        .post("/session-server", &json!({"secret": API_KEY}))
        .await;
    let second = bunq
        .post("/session-server", &json!({"secret": API_KEY}))
        .await;

    assert_eq!(first.status, 200);
    assert_eq!(second.status, 429);
    assert!(
        second.error().contains("maximum of 1 calls per 30 second"),
        "{}",
        second.error()
    );
}
