use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::Utc;
use domain::run::{Outcome, RunRecord, Trigger};
use notify::{Notice, Notifier, NotifyConfig, NotifyError, OpsObserver, WebhookFormat};
use store::{EntryOutcome, Lease, Store};
use test_support::TestDb;

/// What the listener received: the `Title` header and the body.
type Received = Arc<Mutex<Vec<(Option<String>, String)>>>;

/// A webhook on port 0 answering `status` to every POST.
async fn listener(status: StatusCode) -> (SocketAddr, Received) {
    let received: Received = Arc::default();
    let app = Router::new()
        .route(
            "/hook",
            post(
                move |State(seen): State<Received>, headers: HeaderMap, body: Bytes| async move {
                    let title = headers
                        .get("title")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let body = String::from_utf8_lossy(&body).into_owned();
                    seen.lock().expect("lock").push((title, body));
                    status
                },
            ),
        )
        .with_state(received.clone());
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = socket.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(socket, app).await.expect("serve") });
    (address, received)
}

fn config(address: SocketAddr, format: WebhookFormat) -> NotifyConfig {
    let mut config = NotifyConfig::webhook(format!("http://{address}/hook"), format);
    config.timeout = Duration::from_secs(2);
    config.backoff.base = Duration::from_millis(10);
    config.backoff.max_delay = Duration::from_millis(20);
    config
}

fn observed_store(db: &TestDb, config: NotifyConfig) -> Store {
    let notifier = Notifier::new(config).expect("notifier");
    Store::from_database(db.database().clone()).with_observer(Arc::new(OpsObserver::new(notifier)))
}

fn failed_run(job: &str, error: &str) -> RunRecord {
    RunRecord {
        run_id: format!("run-{}", uuid_like()),
        job: job.into(),
        trigger: Trigger::Schedule,
        started_at: Utc::now(),
        ended_at: Some(Utc::now()),
        outcome: Outcome::Failed,
        counts: Default::default(),
        error: Some(error.into()),
    }
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

async fn wait_for(received: &Received, count: usize) -> Vec<(Option<String>, String)> {
    for _ in 0..100 {
        let seen = received.lock().expect("lock").clone();
        if seen.len() >= count {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the webhook got fewer than {count} calls");
}

#[tokio::test]
async fn a_failed_run_reaches_the_webhook_with_the_run_and_its_error() {
    let db = TestDb::new().await;
    let (address, received) = listener(StatusCode::OK).await;
    let store = observed_store(&db, config(address, WebhookFormat::Ntfy));
    let run = failed_run("ingest", "could not list YNAB budgets: YNAB answered 503");

    store.finish_run(&run).await.expect("recorded");
    let seen = wait_for(&received, 1).await;

    let (title, body) = &seen[0];
    assert_eq!(
        title.as_deref(),
        Some("bunq-ynab-connect: ingest run failed")
    );
    assert!(body.contains(&run.run_id), "{body}");
    assert!(body.contains("YNAB answered 503"), "{body}");
    db.drop_now().await;
}

#[tokio::test]
async fn slack_format_posts_the_notice_as_text_json() {
    let db = TestDb::new().await;
    let (address, received) = listener(StatusCode::OK).await;
    let store = observed_store(&db, config(address, WebhookFormat::Slack));
    let run = failed_run("train", "1 budget(s) failed");

    store.finish_run(&run).await.expect("recorded");
    let seen = wait_for(&received, 1).await;

    let body: serde_json::Value = serde_json::from_str(&seen[0].1).expect("JSON body");
    let text = body["text"].as_str().expect("text");
    assert!(
        text.starts_with("*bunq-ynab-connect: train run failed*"),
        "{text}"
    );
    assert!(
        text.contains(&run.run_id) && text.contains("1 budget(s) failed"),
        "{text}"
    );
    db.drop_now().await;
}

#[tokio::test]
async fn a_payment_that_fails_for_good_is_announced() {
    let db = TestDb::new().await;
    let (address, received) = listener(StatusCode::OK).await;
    let store = observed_store(&db, config(address, WebhookFormat::Ntfy));
    let now = Utc::now();
    store.enqueue_pending(&[4242], now).await.expect("enqueue");
    let lease = Lease {
        owner: "test-worker/1".into(),
        until: now + chrono::Duration::minutes(1),
    };
    store
        .claim_payment(4242, &lease, now, false)
        .await
        .expect("claim")
        .expect("claimed");
    let outcome = EntryOutcome::Failed {
        payment_id: 4242,
        attempts: 5,
        error: "YNAB answered 400: date is too old".into(),
        retry_at: None,
    };

    store
        .finish_entries(&lease.owner, &[outcome], now)
        .await
        .expect("finished");
    let seen = wait_for(&received, 1).await;

    assert_eq!(
        seen[0].0.as_deref(),
        Some("bunq-ynab-connect: payment 4242 failed for good")
    );
    assert!(seen[0].1.contains("date is too old"), "{}", seen[0].1);
    db.drop_now().await;
}

#[tokio::test]
async fn a_refused_bunq_key_gets_a_notice_of_its_own() {
    let db = TestDb::new().await;
    let (address, received) = listener(StatusCode::OK).await;
    let store = observed_store(&db, config(address, WebhookFormat::Ntfy));
    let run = failed_run(
        "ingest",
        "could not list bunq accounts: bunq answered 401 to POST /v1/session-server: Insufficient authentication.",
    );

    store.finish_run(&run).await.expect("recorded");
    let seen = wait_for(&received, 2).await;

    let titles: Vec<&str> = seen.iter().filter_map(|(t, _)| t.as_deref()).collect();
    assert!(
        titles.contains(&"bunq-ynab-connect: the bunq API key stopped working"),
        "{titles:?}"
    );
    assert!(seen.iter().any(|(_, b)| b.contains("ingest exchange-pat")));
    db.drop_now().await;
}

#[tokio::test]
async fn a_broken_webhook_is_retried_a_bounded_number_of_times_and_never_holds_the_job() {
    let db = TestDb::new().await;
    let (address, received) = listener(StatusCode::SERVICE_UNAVAILABLE).await;
    let store = observed_store(&db, config(address, WebhookFormat::Ntfy));
    let notifier = Notifier::new(config(address, WebhookFormat::Ntfy)).expect("notifier");

    let started = Instant::now();
    store
        .finish_run(&failed_run("sync", "boom"))
        .await
        .expect("recorded");
    let recording_took = started.elapsed();
    let direct = notifier
        .send(&Notice::payment_failed(1, 1, "boom"))
        .await
        .expect_err("the webhook keeps failing");

    assert!(
        recording_took < Duration::from_secs(1),
        "{recording_took:?}"
    );
    assert!(
        matches!(
            direct,
            NotifyError::Status {
                status: 503,
                attempts: 3
            }
        ),
        "{direct}"
    );
    let seen = wait_for(&received, 6).await;
    assert_eq!(seen.len(), 6, "three attempts each, no more");
    db.drop_now().await;
}

#[tokio::test]
async fn equal_notices_within_the_interval_are_sent_once() {
    let (address, received) = listener(StatusCode::OK).await;
    let notifier = Notifier::new(config(address, WebhookFormat::Ntfy)).expect("notifier");

    for _ in 0..3 {
        notifier.spawn(Notice::payment_failed(7, 5, "boom"));
    }
    notifier.spawn(Notice::payment_failed(8, 5, "boom"));
    let seen = wait_for(&received, 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let seen_now = received.lock().expect("lock").len();
    assert_eq!(seen_now, 2, "{seen:?}");
}
