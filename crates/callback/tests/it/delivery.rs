//! The sandbox's callback delivery: a MUTATION `NotificationUrl` to every
//! registered MUTATION target, from the configured source address, retried
//! per `callback_retry` until the receiver answers 2xx. The receiver here is
//! a small local stub (the sandbox does not play webhook receivers).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::routing::post;
use bunq::NotificationFilter;
use serde_json::Value;

use crate::helpers::{BUNQ_SOURCE, TestApp};

/// What the stub saw: the caller's address and the body.
type Seen = Arc<Mutex<Vec<(SocketAddr, Value)>>>;

/// A receiver answering 503 to its first `failures` calls, then 200.
async fn stub(failures: usize) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .route("/hook", post(receive))
        .with_state((seen.clone(), failures));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service).await
    });
    (format!("http://{addr}/hook"), seen)
}

async fn receive(
    State((seen, failures)): State<(Seen, usize)>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::Json(body): axum::Json<Value>,
) -> StatusCode {
    let mut seen = seen.lock().expect("lock");
    seen.push((peer, body));
    if seen.len() <= failures {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    }
}

async fn register(app: &TestApp, target: &str) {
    app.bunq_client()
        .set_notification_filters(&[NotificationFilter::mutation(target)])
        .await
        .expect("filters set");
}

#[tokio::test]
async fn a_failed_delivery_is_retried_until_the_receiver_accepts() {
    let app = TestApp::spawn().await;
    let (target, seen) = stub(2).await;
    register(&app, &target).await;

    let payment_id = app.create_payment(app.a_linked_account(), "-3.21").await;
    tokio::time::sleep(Duration::from_millis(800)).await;

    let statuses: Vec<Option<u16>> = app
        .sandbox
        .callbacks()
        .deliveries()
        .iter()
        .map(|d| d.status)
        .collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(200)]);
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 3);
    let (peer, body) = &seen[0];
    assert_eq!(peer.ip().to_string(), BUNQ_SOURCE);
    let notification = &body["NotificationUrl"];
    assert_eq!(notification["category"], "MUTATION");
    assert_eq!(notification["event_type"], "MUTATION_CREATED");
    assert_eq!(notification["target_url"], target.as_str());
    assert_eq!(notification["object"]["Payment"]["id"], payment_id);
    assert_eq!(
        notification["object"]["Payment"]["amount"]["value"],
        "-3.21"
    );
}

#[tokio::test]
async fn a_receiver_that_keeps_failing_gets_one_attempt_and_five_retries() {
    let app = TestApp::spawn().await;
    let (target, seen) = stub(usize::MAX).await;
    register(&app, &target).await;

    app.create_payment(app.a_linked_account(), "-1.00").await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;

    let deliveries = app.sandbox.callbacks().deliveries();
    assert_eq!(deliveries.len(), 6, "{deliveries:?}");
    assert_eq!(seen.lock().expect("lock").len(), 6);
    let gaps = deliveries.windows(2).map(|w| w[1].at - w[0].at);
    assert!(gaps.into_iter().all(|g| g.num_milliseconds() >= 90));
}
