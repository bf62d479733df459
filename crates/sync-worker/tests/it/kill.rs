//! Real `sync-worker` processes: one is SIGKILLed after YNAB accepted its
//! batch but before the queue was updated; a second run finishes the job
//! without duplicating anything. `serve` reacts to new entries within a
//! second or two and stops cleanly on SIGTERM.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::process::{Child, Command};

use crate::helpers::{TestApp, yesterday};

/// The binary with the app's settings in its environment, short leases
/// and polls, and its output captured.
fn sync_worker(app: &TestApp, args: &[&str]) -> Command {
    let mut command = app.command(args);
    command
        .env("TIMEZONE", "Europe/Amsterdam")
        .env("SYNC_LEASE_SECS", "1")
        .env("SYNC_POLL_INTERVAL_MS", "200")
        .env("LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

async fn wait_for(what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) -> Duration {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done().await {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn finish(child: Child) -> std::process::Output {
    child.wait_with_output().await.expect("the process ends")
}

#[tokio::test]
async fn a_worker_killed_after_ynab_stored_its_batch_leaves_no_duplicate_after_the_next_run() {
    let (app, account) = TestApp::synced().await;
    let amounts: Vec<String> = (1..=50).map(|i| format!("-{i}.50")).collect();
    let ids = app
        .add_payments(account, 960_000_000, &amounts, yesterday())
        .await;
    // YNAB stores the batch, then holds the answer back.
    app.ynab_fault(
        json!({"method": "POST", "path_prefix": "/v1/plans", "times": 1,
        "action": {"delay_after_ms": 30000}}),
    )
    .await;

    let mut victim = sync_worker(&app, &["run"])
        .spawn()
        .expect("the worker starts");
    wait_for(
        "YNAB to store the batch",
        Duration::from_secs(30),
        async || app.ynab_count(ids[0]) == 1,
    )
    .await;
    victim.kill().await.expect("SIGKILL");
    let killed = finish(victim).await;
    let states: Vec<String> = app
        .store
        .queue_entries(Some(&ids))
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.state)
        .collect();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let rerun = finish(
        sync_worker(&app, &["run"])
            .spawn()
            .expect("the worker starts"),
    )
    .await;

    assert!(!killed.status.success(), "the first worker was killed");
    assert!(
        states.iter().all(|s| s == "claimed"),
        "the kill came before the queue update: {states:?}"
    );
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    for id in &ids {
        assert_eq!(app.ynab_count(*id), 1, "payment {id}");
        let entry = app.entry(*id).await;
        assert_eq!(entry.state, "synced", "{entry:?}");
    }
    let counts: serde_json::Value =
        serde_json::from_slice(&rerun.stdout).expect("counts on stdout");
    assert_eq!(counts["already_in_ynab"], 50, "{counts}");
    let runs = app.runs().await;
    assert!(
        runs.iter().any(|r| r.get_str("outcome") == Ok("running")),
        "the killed run stays visible"
    );
    app.db.drop_now().await;
}

#[tokio::test]
async fn serve_syncs_a_new_entry_within_two_seconds_and_stops_on_sigterm() {
    let app = TestApp::spawn().await;
    let (account, _, _) = app.a_linked_account();
    let server = sync_worker(&app, &["serve"]).spawn().expect("serve starts");
    wait_for(
        "the history to drain",
        Duration::from_secs(30),
        async || {
            !app.store
                .queue_counts()
                .await
                .expect("counts")
                .contains_key("pending")
        },
    )
    .await;

    let id = app
        .add_payment(account, 970_000_000, "-3.33", yesterday())
        .await;
    let took = wait_for("the new payment", Duration::from_secs(10), async || {
        app.ynab_count(id) == 1
    })
    .await;
    let pid = server.id().expect("still running").to_string();
    let term = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill runs");
    let output = finish(server).await;

    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert!(term.success());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    app.db.drop_now().await;
}
