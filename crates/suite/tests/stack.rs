//! The whole suite on this machine's Docker engine: `docker/development.yml`
//! with the `sandbox` profile and the test override `docker/test/stack.yml`
//! (a locally made MongoDB-compatible image; Mongo Express left out), the
//! application image made from the binary this `cargo test` built. A
//! payment made in the sandbox reaches sandbox YNAB through the containers;
//! a sync worker killed mid-run is restarted by Docker and nothing is
//! duplicated; the stack comes down with its volumes.

mod stack {
    pub mod compose;
    pub mod sandbox;
}

use std::time::{Duration, Instant};

use serde_json::Value;
use stack::compose::{Stack, crash, inspect};
use stack::sandbox::Sandbox;

/// Services that must become healthy.
const HEALTHY: [&str; 4] = ["ingest", "sync-worker", "model-server", "sandbox"];

fn environment() -> Vec<(String, String)> {
    vec![
        // Only payments from now on reach YNAB (the household's history
        // stays where it is).
        ("START_SYNC_DATE".into(), chrono::Utc::now().to_rfc3339()),
        ("INGEST_SCHEDULE".into(), "* * * * *".into()),
        ("SYNC_LEASE_SECS".into(), "15".into()),
    ]
}

/// Polls YNAB until `count` transactions with the memo prefix exist.
async fn wait_for_transactions(
    sandbox: &Sandbox,
    budget: &str,
    prefix: &str,
    count: usize,
    within: Duration,
) -> Vec<Value> {
    let deadline = Instant::now() + within;
    loop {
        let found = sandbox.transactions(budget, prefix).await;
        if found.len() >= count || Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

fn memos(transactions: &[Value]) -> Vec<String> {
    let mut memos: Vec<String> = transactions
        .iter()
        .filter_map(|t| t["memo"].as_str().map(str::to_owned))
        .collect();
    memos.sort();
    memos
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sandbox_payment_reaches_ynab_through_the_containers_once_even_when_the_worker_is_killed()
{
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let stack = Stack::up(environment());

    // The one-shot services did their job; the long-running ones are healthy.
    stack.wait_for(
        "bunq-setup",
        "{{.State.Status}} {{.State.ExitCode}}",
        |s| s == "exited 0",
        Duration::from_secs(120),
    );
    stack.wait_for(
        "first-load",
        "{{.State.Status}} {{.State.ExitCode}}",
        |s| s == "exited 0",
        Duration::from_secs(300),
    );
    for service in HEALTHY {
        stack.wait_for(
            service,
            "{{.State.Health.Status}}",
            |s| s == "healthy",
            Duration::from_secs(120),
        );
    }

    let sandbox = Sandbox::new(
        &stack.published("sandbox", 12010),
        &stack.published("sandbox", 12011),
    );
    let link = sandbox.linked_account().await;

    // One payment, through ingest (every minute) and the sync worker.
    let first = format!("stack {run} first");
    sandbox.pay(link.account_id, "-12.34", &first).await;
    let found = wait_for_transactions(
        &sandbox,
        &link.budget_id,
        &first,
        1,
        Duration::from_secs(180),
    )
    .await;
    assert_eq!(
        memos(&found),
        vec![first.clone()],
        "the payment is in YNAB exactly once"
    );
    assert_eq!(
        found[0]["amount"].as_i64(),
        Some(-12_340),
        "amount in milliunits: {}",
        found[0]
    );

    // Ten more; the worker is killed as soon as the first of them is in
    // YNAB (its outcomes possibly unrecorded), Docker restarts it, and
    // one payment made afterwards still arrives.
    let prefix = format!("stack {run} batch");
    for i in 0..10 {
        sandbox
            .pay(link.account_id, "-1.00", &format!("{prefix} {i:02}"))
            .await;
    }
    wait_for_transactions(
        &sandbox,
        &link.budget_id,
        &prefix,
        1,
        Duration::from_secs(180),
    )
    .await;
    let worker = stack.container("sync-worker");
    let restarts_before: u32 = inspect(&worker, "{{.RestartCount}}").parse().unwrap_or(0);
    crash(&worker);
    stack.wait_for(
        "sync-worker",
        "{{.RestartCount}} {{.State.Status}}",
        |s| s == format!("{} running", restarts_before + 1),
        Duration::from_secs(60),
    );
    sandbox
        .pay(link.account_id, "-2.00", &format!("{prefix} after"))
        .await;

    let found = wait_for_transactions(
        &sandbox,
        &link.budget_id,
        &prefix,
        11,
        Duration::from_secs(180),
    )
    .await;
    assert_eq!(
        found.len(),
        11,
        "every payment arrived: {:?}",
        memos(&found)
    );
    // Past the worker's lease (15 s), any payment it had claimed when it
    // died has been claimed and sent again; YNAB still holds each once.
    tokio::time::sleep(Duration::from_secs(30)).await;
    let found = sandbox.transactions(&link.budget_id, &prefix).await;
    let mut expected: Vec<String> = (0..10).map(|i| format!("{prefix} {i:02}")).collect();
    expected.push(format!("{prefix} after"));
    expected.sort();
    assert_eq!(memos(&found), expected, "each payment exactly once");
    let first_again = sandbox.transactions(&link.budget_id, &first).await;
    assert_eq!(
        first_again.len(),
        1,
        "the first payment is still there once"
    );

    // The stack comes down with its volumes (Drop), under a name no other
    // run used.
    let project = stack.project.clone();
    drop(stack);
    let left = std::process::Command::new("docker")
        .args([
            "ps",
            "-aq",
            "--filter",
            &format!("label=com.docker.compose.project={project}"),
        ])
        .output()
        .expect("docker ps");
    assert!(
        String::from_utf8_lossy(&left.stdout).trim().is_empty(),
        "containers left behind"
    );
    let volumes = std::process::Command::new("docker")
        .args([
            "volume",
            "ls",
            "-q",
            "--filter",
            &format!("label=com.docker.compose.project={project}"),
        ])
        .output()
        .expect("docker volume ls");
    assert!(
        String::from_utf8_lossy(&volumes.stdout).trim().is_empty(),
        "volumes left behind"
    );
}
