//! Throttling, retries, timeouts, and answers that must not be believed.

use std::time::{Duration, Instant};

use bunq::{BunqClient, BunqError, DecodeError, NotificationFilter};
use serde_json::json;
use store::context::ContextRepo;

use crate::helpers::{Bench, WINDOW, client_limits, config, rule};

fn accounts_path(user: i64) -> String {
    format!("/v1/user/{user}/monetary-account")
}

#[tokio::test]
async fn rate_limited_answers_are_retried_until_bunq_lets_the_request_through() {
    let bench = Bench::exchanged().await;
    let user = bench.client.user_id().await.expect("user");
    bench.fault(rule("GET", 2, json!({"status": 429}))).await;

    let accounts = bench.client.monetary_accounts().await.expect("accounts");

    assert!(!accounts.is_empty());
    assert_eq!(bench.statuses("GET", &accounts_path(user)), [429, 429, 200]);
    let stats = bench.client.stats();
    assert_eq!((stats.rate_limited, stats.retries), (2, 2));
    bench.finish().await;
}

#[tokio::test]
async fn a_429_that_never_ends_is_a_rate_limited_error() {
    let bench = Bench::exchanged().await;
    bench
        .fault(json!({"method": "GET", "path_prefix": "/v1/user/", "action": {"status": 429}}))
        .await;

    let err = bench.client.monetary_accounts().await.expect_err("limited");

    assert!(matches!(err, BunqError::RateLimited { .. }), "{err}");
    assert_eq!(bench.client.stats().rate_limited, 4, "one per attempt");
    bench.finish().await;
}

#[tokio::test]
async fn server_errors_on_reads_are_retried() {
    let bench = Bench::exchanged().await;
    let user = bench.client.user_id().await.expect("user");
    bench.fault(rule("GET", 2, json!({"status": 500}))).await;

    bench.client.monetary_accounts().await.expect("accounts");

    assert_eq!(bench.statuses("GET", &accounts_path(user)), [500, 500, 200]);
    assert_eq!(bench.client.stats().retries, 2);
    bench.finish().await;
}

#[tokio::test]
async fn a_server_error_on_a_post_is_not_retried() {
    let bench = Bench::exchanged().await;
    let user = bench.client.user_id().await.expect("user");
    bench.fault(rule("POST", 1, json!({"status": 500}))).await;

    let filters = [NotificationFilter::mutation(
        "https://callback.example/payment",
    )];
    let err = bench
        .client
        .set_notification_filters(&filters)
        .await
        .expect_err("500");

    assert!(matches!(err, BunqError::Api { status: 500, .. }), "{err}");
    let path = format!("/v1/user/{user}/notification-filter-url");
    assert_eq!(bench.statuses("POST", &path), [500]);
    assert_eq!(bench.client.stats().retries, 0);
    bench.finish().await;
}

#[tokio::test]
async fn a_503_on_a_post_is_retried_because_bunq_did_not_process_it() {
    let bench = Bench::exchanged().await;
    let user = bench.client.user_id().await.expect("user");
    bench.fault(rule("POST", 1, json!({"status": 503}))).await;

    let filters = [NotificationFilter::mutation(
        "https://callback.example/payment",
    )];
    bench
        .client
        .set_notification_filters(&filters)
        .await
        .expect("second attempt");

    let path = format!("/v1/user/{user}/notification-filter-url");
    assert_eq!(bench.statuses("POST", &path), [503, 200]);
    bench.finish().await;
}

#[tokio::test]
async fn a_read_that_times_out_is_retried_and_a_post_that_times_out_is_not() {
    let bench = Bench::exchanged().await;
    let mut quick = config(&bench.sandbox);
    quick.timeout = Duration::from_millis(400);
    let client = BunqClient::with_rate_limits(
        quick,
        ContextRepo::new(bench.db.database()),
        client_limits(),
    )
    .expect("client");
    let stall = |method: &str| rule(method, 1, json!({"delay_ms": 1000}));

    bench.fault(stall("GET")).await;
    client.monetary_accounts().await.expect("retried read");
    bench.fault(stall("POST")).await;
    let filters = [NotificationFilter::mutation(
        "https://callback.example/payment",
    )];
    let err = client
        .set_notification_filters(&filters)
        .await
        .expect_err("timeout");

    assert!(matches!(err, BunqError::Timeout { .. }), "{err}");
    let stats = client.stats();
    assert_eq!(
        (stats.requests_sent, stats.retries),
        (3, 1),
        "two reads, one post"
    );
    bench.finish().await;
}

#[tokio::test]
async fn a_bad_server_signature_is_an_error_and_not_retried() {
    let bench = Bench::exchanged().await;
    let user = bench.client.user_id().await.expect("user");
    bench
        .fault(rule("GET", 1, json!({"bad_signature": true})))
        .await;

    let err = bench
        .client
        .monetary_accounts()
        .await
        .expect_err("bad signature");

    let BunqError::Signature { path } = &err else {
        panic!("expected a signature error, got {err}")
    };
    assert_eq!(path, &format!("/user/{user}/monetary-account"));
    assert_eq!(bench.statuses("GET", &accounts_path(user)).len(), 1);
    bench.finish().await;
}

#[tokio::test]
async fn a_signed_error_answer_with_a_bad_signature_is_still_a_signature_error() {
    let bench = Bench::exchanged().await;
    bench
        .fault(rule(
            "GET",
            1,
            json!({"status": 404, "bad_signature": true}),
        ))
        .await;

    let err = bench
        .client
        .monetary_accounts()
        .await
        .expect_err("bad signature");

    assert!(matches!(err, BunqError::Signature { .. }), "{err}");
    bench.finish().await;
}

#[tokio::test]
async fn truncated_or_malformed_answers_are_decode_errors() {
    let bench = Bench::exchanged().await;

    bench.fault(rule("GET", 1, json!({"truncate": true}))).await;
    let truncated = bench
        .client
        .monetary_accounts()
        .await
        .expect_err("truncated");
    bench
        .fault(rule(
            "GET",
            1,
            json!({"body": "{\"Response\": {}}", "status": 200}),
        ))
        .await;
    let misshapen = bench
        .client
        .monetary_accounts()
        .await
        .expect_err("misshapen");

    assert!(
        matches!(
            truncated,
            BunqError::Decode {
                source: DecodeError::Json(_),
                ..
            }
        ),
        "{truncated}"
    );
    assert!(
        matches!(
            misshapen,
            BunqError::Decode {
                source: DecodeError::Shape(_),
                ..
            }
        ),
        "{misshapen}"
    );
    bench.finish().await;
}

#[tokio::test]
async fn a_burst_of_requests_never_exceeds_bunqs_limits() {
    let bench = Bench::exchanged().await;
    let account = bench.sandbox.bunq().accounts()[0].id;
    let ids: Vec<i64> = bench
        .sandbox
        .bunq()
        .payments(account)
        .iter()
        .take(12)
        .map(|p| p.id)
        .collect();
    let started = Instant::now();

    let reads = ids.iter().map(|id| bench.client.payment(account, *id));
    let results = futures::future::join_all(reads).await;

    assert!(results.iter().all(Result::is_ok));
    assert_eq!(bench.too_many_requests_sent(), 0);
    assert_eq!(bench.client.stats().rate_limited, 0);
    // Twelve GETs at three per window need at least three full windows.
    assert!(started.elapsed() >= WINDOW * 3, "{:?}", started.elapsed());
    bench.finish().await;
}
