//! Exactly once under faults: YNAB answering 500 after storing, MongoDB
//! refusing writes for a while (the test server's fail points), and a
//! poison payment that YNAB refuses with 400.

use chrono::{Duration as Days, Utc};
use classifier::ClassifierConfig;
use domain::run::Trigger;
use mongodb::bson::doc;
use mongodb::options::ClientOptions;
use serde_json::json;
use store::Store;

use test_support::TestDb;

use crate::helpers::{TestApp, quick_queue, small_household, yesterday};

fn amounts(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("-{i}.{:02}", i % 100)).collect()
}

/// Drains until nothing is due any more (retries come due quickly).
async fn drain_until_settled(worker: &sync_worker::SyncWorker) {
    for _ in 0..50 {
        let _ = worker.drain(Trigger::Manual).await;
        let due = worker.store.next_due().await.expect("next due");
        let claimed = worker
            .store
            .queue_counts()
            .await
            .expect("counts")
            .get("claimed")
            .copied()
            .unwrap_or(0);
        if due.is_none() && claimed == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the queue did not settle");
}

#[tokio::test]
async fn ynab_answering_500_after_storing_the_batch_creates_no_duplicate() {
    let (app, account) = TestApp::synced().await;
    let worker = app.worker();
    let ids = app
        .add_payments(account, 910_000_000, &amounts(30), yesterday())
        .await;
    // The first create is stored, then answered with a 500.
    app.ynab_fault(json!({"method": "POST", "path_prefix": "/v1/plans", "times": 1,
        "action": {"status": 500, "body": "{\"error\":{\"id\":\"500\",\"name\":\"internal_server_error\",\"detail\":\"boom\"}}"}}))
        .await;

    let summary = worker.drain(Trigger::Manual).await.expect("drain");

    for id in &ids {
        assert_eq!(app.ynab_count(*id), 1, "payment {id}");
        let entry = app.entry(*id).await;
        assert_eq!(entry.state, "synced");
        assert_eq!(
            entry.ynab_transaction_id,
            app.ynab_transaction(*id).map(|t| t.id)
        );
    }
    assert_eq!(summary.already_in_ynab, 30, "{summary:?}");
    app.db.drop_now().await;
}

#[tokio::test]
async fn mongodb_refusing_writes_for_a_while_loses_and_duplicates_nothing() {
    let server = FailPointServer::start().await;
    let app = TestApp::on(TestDb::on(&server.uri).await, small_household()).await;
    let (account, _, _) = app.a_linked_account();
    app.worker()
        .drain(Trigger::Manual)
        .await
        .expect("the history first");
    let ids = app
        .add_payments(account, 920_000_000, &amounts(40), yesterday())
        .await;
    // A client of its own, so the fail point hits only this worker.
    let app_name = format!("sync-fp-{}", Utc::now().timestamp_micros());
    let mut options = ClientOptions::parse(app.db.uri()).await.expect("options");
    options.app_name = Some(app_name.clone());
    let client = mongodb::Client::with_options(options).expect("client");
    let store = Store::from_database(client.database(app.db.name()));
    let worker = app.worker_on(store, quick_queue(), ClassifierConfig::default());
    // The drain's first three updates (re-open, claim, classifications)
    // pass; from the one after YNAB's answer on, updates are refused (each
    // refusal is retried once by the driver) until six were refused.
    let fail_point = doc! {
        "configureFailPoint": "failCommand", "mode": { "skip": 3, "times": 6 },
        "data": { "failCommands": ["update"], "errorCode": 91, "appName": &app_name },
    };
    app.db
        .client()
        .database("admin")
        .run_command(fail_point)
        .await
        .expect("fail point set");

    let first = worker.drain(Trigger::Manual).await;
    let stored_meanwhile = ids.iter().filter(|id| app.ynab_count(**id) == 1).count();
    tokio::time::sleep(quick_queue().lease).await;
    drain_until_settled(&worker).await;

    assert!(first.is_err(), "the refused writes surfaced: {first:?}");
    assert_eq!(
        stored_meanwhile,
        ids.len(),
        "YNAB had the batch before MongoDB recovered"
    );
    for id in &ids {
        assert_eq!(app.ynab_count(*id), 1, "payment {id}");
        assert_eq!(app.entry(*id).await.state, "synced");
    }
    app.db.drop_now().await;
}

/// A private secantusdb with its test commands on, for this test alone: a
/// fail point is set server-wide, and a server that does not honour its
/// `appName` filter would refuse the writes of every other test running
/// at the same time (a stock mongod, like the shared server, may also have
/// test commands off).
struct FailPointServer {
    uri: String,
    _own: tokio::process::Child,
}

impl FailPointServer {
    async fn start() -> Self {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            probe.local_addr().expect("addr").port()
        };
        let child = tokio::process::Command::new("secantusd-py")
            .args([
                "--port",
                &port.to_string(),
                "--storage-path",
                ":memory:",
                "--enable-test-commands",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("secantusd-py (the fail-point server) could not be started");
        for _ in 0..150 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        Self {
            uri: format!("mongodb://127.0.0.1:{port}"),
            _own: child,
        }
    }
}

#[tokio::test]
async fn a_poison_payment_fails_alone_with_its_error_and_does_not_delay_the_others() {
    let (app, account) = TestApp::synced().await;
    let worker = app.worker();
    // Inside the batch, one payment is dated over five years back, which
    // YNAB refuses; the start date lets it through.
    let mut ids = app
        .add_payments(account, 930_000_000, &amounts(10), yesterday())
        .await;
    let poison = app
        .add_payment(
            account,
            930_000_100,
            "-1.01",
            Utc::now() - Days::days(6 * 366),
        )
        .await;
    ids.extend(
        app.add_payments(account, 930_000_200, &amounts(10), yesterday())
            .await,
    );
    let mut worker = worker;
    worker.settings.start = Utc::now() - Days::days(7 * 366);

    let first = worker.drain(Trigger::Manual).await.expect("drain");
    drain_until_settled(&worker).await;

    assert_eq!(
        first.created, 20,
        "the others went through in the first drain: {first:?}"
    );
    for id in &ids {
        assert_eq!(app.ynab_count(*id), 1);
    }
    let entry = app.entry(poison).await;
    assert_eq!(
        (entry.state.as_str(), entry.attempts, entry.next_attempt_at),
        ("failed", 3, None)
    );
    assert!(
        entry.last_error.unwrap_or_default().contains("date"),
        "the error is kept"
    );
    assert_eq!(app.ynab_count(poison), 0);
    app.db.drop_now().await;
}
