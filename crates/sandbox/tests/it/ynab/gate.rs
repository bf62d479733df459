//! The token check (401) and the hourly request allowance (429), with the
//! `X-Rate-Limit` header on every authenticated answer.

use chrono::Duration;
use reqwest::Method;
use serde_json::json;

use super::support::*;

#[tokio::test]
async fn a_missing_or_wrong_token_is_401_unauthorized() {
    let ynab = TestYnab::start().await;

    let missing = ynab.call_as(None, Method::GET, "/user", None).await;
    let wrong = ynab
        .call_as(Some("stolen"), Method::GET, "/plans", None)
        .await;
    let right = ynab.get("/user").await;

    let expected =
        json!({"error": {"id": "401", "name": "unauthorized", "detail": "Unauthorized"}});
    assert_eq!((missing.status, &missing.body), (401, &expected));
    assert_eq!((wrong.status, &wrong.body), (401, &expected));
    assert_eq!(right.status, 200);
    assert!(right.data()["user"]["id"].is_string());
    assert_eq!(
        ynab.state.requests_used(),
        1,
        "refused requests are not counted"
    );
}

#[tokio::test]
async fn every_answer_reports_the_hourly_usage_and_the_request_past_the_limit_is_429() {
    let ynab = TestYnab::start_with_limit(3).await;

    let mut usage = Vec::new();
    for _ in 0..3 {
        usage.push(ynab.get("/plans").await.rate_limit);
    }
    let refused = ynab.get("/plans").await;

    assert_eq!(
        usage,
        vec![
            Some("1/3".to_owned()),
            Some("2/3".to_owned()),
            Some("3/3".to_owned())
        ]
    );
    assert_eq!(refused.status, 429);
    assert_eq!(refused.rate_limit.as_deref(), Some("3/3"));
    assert_eq!(
        refused.body,
        json!({"error": {"id": "429", "name": "too_many_requests", "detail": "Too many requests"}})
    );
}

#[tokio::test]
async fn the_allowance_comes_back_as_the_hour_rolls_on() {
    let ynab = TestYnab::start_with_limit(2).await;
    ynab.get("/plans").await;
    ynab.clock.advance(Duration::minutes(30));
    ynab.get("/plans").await;

    ynab.clock.advance(Duration::minutes(29));
    let still_full = ynab.get("/plans").await;
    ynab.clock.advance(Duration::minutes(1));
    let one_freed = ynab.get("/plans").await;

    assert_eq!(still_full.status, 429);
    assert_eq!(
        (one_freed.status, one_freed.rate_limit.as_deref()),
        (200, Some("2/2"))
    );
}

#[tokio::test]
async fn errors_count_against_the_allowance_like_any_request() {
    let ynab = TestYnab::start_with_limit(200).await;

    let not_found = ynab.get("/plans/nope").await;
    let bad = ynab
        .post(&format!("/plans/{BUDGET}/transactions"), json!({}))
        .await;

    assert_eq!(
        (not_found.status, not_found.rate_limit.as_deref()),
        (404, Some("1/200"))
    );
    assert_eq!(
        (bad.status, bad.rate_limit.as_deref()),
        (400, Some("2/200"))
    );
}
