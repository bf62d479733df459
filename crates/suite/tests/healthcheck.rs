//! The `healthcheck` applet against real HTTP servers and the test
//! MongoDB: healthy only on a 2xx answer or a MongoDB ping, unhealthy with
//! a reason otherwise, always within the timeout.

use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use suite::healthcheck::{HealthError, probe_mongo, probe_url};
use tokio::net::TcpListener;

/// Serves `/ok` (200), `/down` (503) and `/slow` (answers after 10 s).
async fn server() -> String {
    let app = Router::new()
        .route("/ok", get(|| async { "ok" }))
        .route("/down", get(|| async { StatusCode::SERVICE_UNAVAILABLE }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(10)).await;
                "late"
            }),
        );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let address = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

#[tokio::test]
async fn a_2xx_answer_is_healthy() {
    let base = server().await;
    let status = probe_url(&format!("{base}/ok"), Duration::from_secs(2)).await;
    assert_eq!(status.ok(), Some(200));
}

#[tokio::test]
async fn an_error_status_is_unhealthy_and_named() {
    let base = server().await;
    let error = probe_url(&format!("{base}/down"), Duration::from_secs(2))
        .await
        .unwrap_err();
    assert!(
        matches!(error, HealthError::Status { status: 503, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("answered 503"));
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_is_unhealthy_in_time() {
    let base = server().await;
    let started = Instant::now();
    let error = probe_url(&format!("{base}/slow"), Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(
        matches!(error, HealthError::Timeout { seconds: 1, .. }),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let address = listener.local_addr().expect("an address");
    drop(listener);
    let error = probe_url(&format!("http://{address}/health"), Duration::from_secs(2))
        .await
        .unwrap_err();
    assert!(matches!(error, HealthError::Unreachable { .. }), "{error}");
}

#[tokio::test]
async fn credentials_and_queries_never_appear_in_the_reason() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let address = listener.local_addr().expect("an address");
    drop(listener);
    let url = format!("http://user:s3cret@{address}/health?token=t0ken");
    let error = probe_url(&url, Duration::from_secs(2)).await.unwrap_err();
    let text = error.to_string();
    assert!(
        !text.contains("s3cret") && !text.contains("t0ken"),
        "{text}"
    );
}

#[tokio::test]
async fn anything_but_an_http_url_is_refused() {
    let error = probe_url("ftp://example.com/", Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(matches!(error, HealthError::BadUrl(_)));
    let error = probe_url("not a url", Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("\"not a url\""));
}

#[tokio::test]
async fn the_mongodb_probe_pings_the_configured_server() {
    // SAFETY: this test binary sets MONGO_URI once, to the same value,
    // before any thread reads it.
    unsafe { std::env::set_var("MONGO_URI", test_support::mongo_uri()) };
    probe_mongo(Duration::from_secs(10))
        .await
        .expect("the test MongoDB answers");
}
