//! Every batch service's `/health` and `/metrics` side listener, scraped
//! before and after its work: the counters an operator watches move when
//! the work happens. (The process shares one recorder, so each check is
//! "moved by at least", which holds even with other tests running.)

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::Utc;
use domain::run::{Outcome, RunRecord, Trigger};
use notify::NotifyConfig;
use runtime::metrics::MetricsConfig;

use crate::helpers::{TestApp, ingest_config, worker};

fn port_zero() -> MetricsConfig {
    MetricsConfig {
        address: SocketAddr::from(([127, 0, 0, 1], 0)),
    }
}

async fn scrape(app: &TestApp, address: SocketAddr) -> String {
    let response = app
        .http
        .get(format!("http://{address}/metrics"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(response.status(), 200);
    response.text().await.expect("body")
}

/// The sum of every sample of `name` whose labels contain all `labels`.
fn sample(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .filter(|(key, _)| {
            key.split('{').next() == Some(name) && labels.iter().all(|l| key.contains(l))
        })
        .filter_map(|(_, value)| value.parse::<f64>().ok())
        .sum()
}

async fn healthy(app: &TestApp, address: SocketAddr) {
    let health = app
        .http
        .get(format!("http://{address}/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn ingest_metrics_count_bunq_requests_and_the_run() {
    let app = TestApp::spawn().await;
    let mut ingest = ingest::Ingest::connect(ingest_config(&app.db, &app.sandbox))
        .await
        .expect("ingest");
    ingest::ops::observe(&mut ingest, NotifyConfig::default()).expect("observer");
    let ingest = Arc::new(ingest);
    let address = ingest::ops::serve_metrics(ingest.clone(), port_zero())
        .await
        .expect("listener");
    healthy(&app, address).await;
    let before = scrape(&app, address).await;

    ingest.run(Trigger::Manual).await.expect("ingest run");
    let after = scrape(&app, address).await;

    let runs = ["job=\"ingest\"", "outcome=\"succeeded\""];
    assert!(
        sample(&after, "bunqynab_bunq_requests_total", &[]) > 0.0,
        "{after}"
    );
    assert!(
        sample(&after, "bunqynab_runs_total", &runs)
            >= sample(&before, "bunqynab_runs_total", &runs) + 1.0,
        "{after}"
    );
    assert!(
        sample(&after, "bunqynab_run_duration_seconds_count", &runs) >= 1.0,
        "{after}"
    );
    assert!(
        sample(
            &after,
            "bunqynab_ynab_requests_last_hour",
            &["service=\"ingest\""]
        ) > 0.0
    );
    app.db.drop_now().await;
}

#[tokio::test]
async fn sync_worker_metrics_count_synced_and_failed_payments_predictions_and_queue_depth() {
    let app = TestApp::spawn().await;
    let (account, _) = app.linked_account().await;
    let mut worker = worker(&app.store, &app.sandbox);
    sync_worker::ops::observe(&mut worker, NotifyConfig::default()).expect("observer");
    let worker = Arc::new(worker);
    let address = sync_worker::ops::serve_metrics(worker.clone(), port_zero())
        .await
        .expect("listener");
    healthy(&app, address).await;
    let before = scrape(&app, address).await;

    app.add_payment(account, 980_000_001).await;
    worker.drain(Trigger::Manual).await.expect("drain");
    app.ynab_fault(Some(
        serde_json::json!({"method": "POST", "path_prefix": "/v1/plans",
        "action": {"status": 500}}),
    ))
    .await;
    app.add_payment(account, 980_000_002).await;
    let _ = worker.drain(Trigger::Manual).await;
    let after = scrape(&app, address).await;

    let moved =
        |name: &str, labels: &[&str]| sample(&after, name, labels) - sample(&before, name, labels);
    assert!(
        moved("bunqynab_payments_synced_total", &[]) >= 1.0,
        "{after}"
    );
    assert!(
        moved("bunqynab_payments_failed_total", &[]) >= 1.0,
        "{after}"
    );
    assert!(moved("bunqynab_predictions_total", &[]) >= 1.0, "{after}");
    assert!(
        moved("bunqynab_runs_total", &["job=\"sync\""]) >= 2.0,
        "{after}"
    );
    let synced = app.store.queue_counts().await.expect("counts")["synced"];
    assert_eq!(
        sample(&after, "bunqynab_queue_entries", &["state=\"synced\""]),
        synced as f64
    );
    assert!(
        sample(&after, "bunqynab_queue_entries", &["state=\"failed\""]) >= 1.0,
        "{after}"
    );
    assert!(
        sample(
            &after,
            "bunqynab_ynab_requests_last_hour",
            &["service=\"sync-worker\""]
        ) > 0.0
    );
    app.db.drop_now().await;
}

#[tokio::test]
async fn trainer_and_restarter_metrics_count_their_runs_by_outcome() {
    let app = TestApp::spawn().await;
    let mut trainer = trainer::Trainer {
        store: app.store.clone(),
        config: test_support::trainer_config(&app.db, 5),
    };
    trainer::ops::observe(&mut trainer, NotifyConfig::default()).expect("observer");
    let address = trainer::ops::serve_metrics(port_zero())
        .await
        .expect("listener");
    let restarter = restarter::ops::serve_metrics_on(port_zero())
        .await
        .expect("listener");
    healthy(&app, address).await;
    healthy(&app, restarter).await;
    let before = scrape(&app, address).await;

    trainer.run(Trigger::Manual, None).await.expect("training");
    let runs = restarter::runs::RunLog::new(Some(test_support::mongo_config(&app.db)))
        .with_observer(restarter::ops::observer().expect("observer"));
    let mut restart = RunRecord {
        run_id: format!(
            "restart-{}",
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ),
        job: "restart".into(),
        trigger: Trigger::Health,
        started_at: Utc::now(),
        ended_at: None,
        outcome: Outcome::Running,
        counts: Default::default(),
        error: None,
    };
    runs.start(&restart).await;
    restart.ended_at = Some(Utc::now());
    restart.outcome = Outcome::Failed;
    restart.error = Some("container model-server did not stop within 10s".into());
    runs.finish(&restart).await;
    let after = scrape(&app, restarter).await;

    let train = ["job=\"train\"", "outcome=\"succeeded\""];
    let failed_restart = ["job=\"restart\"", "outcome=\"failed\""];
    assert!(
        sample(&after, "bunqynab_runs_total", &train)
            >= sample(&before, "bunqynab_runs_total", &train) + 1.0
    );
    assert!(
        sample(&after, "bunqynab_runs_total", &failed_restart) >= 1.0,
        "{after}"
    );
    assert!(sample(&after, "bunqynab_run_duration_seconds_count", &train) >= 1.0);
    app.db.drop_now().await;
}
