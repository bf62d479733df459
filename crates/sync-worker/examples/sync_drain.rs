//! Benchmark (not a test): drains 2,000 queued payments into the sandbox
//! and prints the time, the YNAB requests used and payments per request.
//!
//! `cargo run -p sync-worker --example sync_drain` (needs the MongoDB of
//! `MONGO_URI`, default `mongodb://127.0.0.1:27017`).

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Duration as Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use classifier::{ClassifierClient, ClassifierConfig};
use domain::bunq::Payment;
use domain::run::Trigger;
use domain::sync::{SyncSettings, import_id};
use ingest::{Ingest, IngestConfig};
use runtime::schedule::Schedule;
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use serde_json::json;
use store::Store;
use sync_worker::{QueueConfig, SyncWorker};
use test_support::TestDb;

const PAYMENTS: i64 = 2_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let db = TestDb::new().await;
    let noon = (Utc::now() - Days::days(1))
        .date_naive()
        .and_hms_opt(12, 0, 0)
        .context("noon")?;
    let end = Utc.from_utc_datetime(&noon);
    let mut config = SandboxConfig::with_seed(3);
    config.household.end = end;
    config.household.months = 1;
    let sandbox = Sandbox::start(config).await?;
    ingest(&db, &sandbox).await?;

    // The ingested history goes first, so that only the 2,000 are measured.
    let store = Store::from_database(db.database().clone());
    let settings = SyncSettings {
        start: end - Days::days(2),
        zone: Amsterdam,
    };
    let worker = SyncWorker::new(
        store.clone(),
        ynab::YnabClient::new(ynab_config(&sandbox))?,
        ClassifierClient::new(ClassifierConfig::default())?,
        settings,
        QueueConfig::default(),
    );
    worker.drain(Trigger::Manual).await?;
    let ids = enqueue(&store, &sandbox, end - Days::hours(3)).await?;

    let before = sandbox.ynab().requests_used();
    let started = Instant::now();
    let summary = worker.drain(Trigger::Manual).await?;
    let elapsed = started.elapsed();
    let used = sandbox.ynab().requests_used() - before;

    let once = ids
        .iter()
        .filter(|id| sandbox.ynab().count_by_import_id(&import_id(**id)) == 1)
        .count();
    anyhow::ensure!(
        once == ids.len(),
        "only {once} of {} payments are in YNAB exactly once",
        ids.len()
    );
    println!(
        "drained {} payments in {:.2} s",
        ids.len(),
        elapsed.as_secs_f64()
    );
    println!(
        "YNAB requests: {used} ({:.1} payments per request)",
        ids.len() as f64 / used.max(1) as f64
    );
    println!("summary: {:?}", summary.counts());
    db.drop_now().await;
    Ok(())
}

/// Stores 2,000 payments on a linked account and enqueues them.
async fn enqueue(store: &Store, sandbox: &Sandbox, at: DateTime<Utc>) -> anyhow::Result<Vec<i64>> {
    let account = linked_account(sandbox)?;
    let payments = (0..PAYMENTS)
        .map(|n| payment(700_000_000 + n, account, n, at + Days::milliseconds(n)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    store.upsert_bunq_payments(&payments).await?;
    let queued: Vec<_> = payments.iter().map(|p| (p.id, p.created)).collect();
    store.enqueue_payments(&queued, Utc::now()).await?;
    Ok(payments.iter().map(|p| p.id).collect())
}

fn payment(id: i64, account: i64, n: i64, at: DateTime<Utc>) -> anyhow::Result<Payment> {
    let at = domain::time::format_bunq_timestamp(at);
    Ok(Payment::from_json(&json!({
        "id": id, "monetary_account_id": account, "created": at, "updated": at,
        "amount": {"value": format!("-{}.{:02}", 1 + n % 90, n % 100), "currency": "EUR"},
        "description": format!("Benchmark payment {n}"), "type": "MASTERCARD", "sub_type": "PAYMENT",
        "counterparty_alias": {"display_name": "ALBERT HEIJN 1234"}
    }))?)
}

/// A bunq account whose IBAN is in an open YNAB account's note.
fn linked_account(sandbox: &Sandbox) -> anyhow::Result<i64> {
    let household = sandbox.household();
    household
        .accounts
        .iter()
        .find(|a| {
            household
                .budgets
                .iter()
                .flat_map(|b| &b.accounts)
                .any(|y| !y.closed && y.note.as_deref().is_some_and(|n| a.iban.appears_in(n)))
        })
        .map(|a| a.id)
        .context("the household has no linked account")
}

fn ynab_config(sandbox: &Sandbox) -> ynab::YnabConfig {
    let mut ynab = ynab::YnabConfig::new(SecretString::from("sandbox-ynab-token"));
    ynab.base_url = sandbox.ynab_url();
    ynab
}

async fn ingest(db: &TestDb, sandbox: &Sandbox) -> anyhow::Result<()> {
    let mut mongo = store::MongoConfig::new(db.uri());
    mongo.database = db.name().to_owned();
    let mut bunq = bunq::BunqConfig::new(bunq::Environment::Sandbox);
    bunq.base_url = sandbox.bunq_url();
    let config = IngestConfig {
        mongo,
        bunq,
        ynab: ynab_config(sandbox),
        timezone: Amsterdam,
        schedule: Schedule::parse(ingest::config::DEFAULT_SCHEDULE, Amsterdam)?,
        ynab_history_since: NaiveDate::from_ymd_opt(2000, 1, 1).context("date")?,
        bunq_overlap: Duration::from_secs(600),
    };
    let ingest = Ingest::connect(config).await?;
    ingest
        .bunq
        .exchange_api_key(SecretString::from("sandbox-api-key"), "bench", &[])
        .await?;
    ingest.run(Trigger::Manual).await?;
    Ok(())
}
