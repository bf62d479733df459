//! Benchmark (not a test): the time from a payment's creation in the
//! sandbox to its transaction in sandbox YNAB, through the bunq callback,
//! over 200 payments created one after another; prints p50, p90, p99 and
//! the maximum.
//!
//! `cargo run -p callback --example callback_latency` (needs the MongoDB of
//! `MONGO_URI`, default `mongodb://127.0.0.1:27017`).

use std::time::{Duration, Instant};

use anyhow::Context;
use callback::CallbackConfig;
use callback::trust::{Networks, Trust};
use chrono::{Duration as Days, NaiveDate, Utc};
use chrono_tz::Europe::Amsterdam;
use classifier::ClassifierConfig;
use domain::sync::{SyncSettings, import_id};
use ingest::{Ingest, IngestConfig};
use runtime::schedule::Schedule;
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use serde_json::{Value, json};
use sync_worker::{QueueConfig, SyncConfig};
use test_support::TestDb;

const WARM_UP: usize = 10;
const PAYMENTS: usize = 200;
const SOURCE: &str = "127.0.0.2";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let db = TestDb::new().await;
    let sandbox = Sandbox::start(sandbox_config()?).await?;
    ingest(&db, &sandbox).await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let config = service_config(&db, &sandbox, &listener.local_addr()?.to_string())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let service = tokio::spawn(callback::serve(config, listener, async move {
        let _ = stopped.await;
    }));
    wait_for_registration(&sandbox).await?;

    let account = linked_account(&sandbox)?;
    let http = reqwest::Client::new();
    let mut latencies = Vec::with_capacity(PAYMENTS);
    for n in 0..WARM_UP + PAYMENTS {
        let latency = one_payment(&http, &sandbox, account, n).await?;
        if n >= WARM_UP {
            latencies.push(latency);
        }
    }

    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("payments: {} (after {WARM_UP} warm-up)", latencies.len());
    println!(
        "creation to YNAB transaction: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(at(0.50)),
        ms(at(0.90)),
        ms(at(0.99)),
        ms(at(1.0))
    );
    let _ = stop.send(());
    service.await??;
    db.drop_now().await;
    Ok(())
}

/// Creates one payment through the admin API and waits for YNAB.
async fn one_payment(
    http: &reqwest::Client,
    sandbox: &Sandbox,
    account: i64,
    n: usize,
) -> anyhow::Result<Duration> {
    let body = json!({"account_id": account, "amount": format!("-{}.{:02}", 1 + n % 40, n % 100),
        "description": format!("Latency {n}"), "counterparty_name": "Bakkerij de Test",
        // Booked three hours ago: a local date ahead of UTC's would wait
        // for UTC midnight (YNAB refuses future dates).
        "created": (Utc::now() - Days::hours(3)).to_rfc3339()});
    let started = Instant::now();
    let created: Value = http
        .post(format!("{}/_sandbox/bunq/payments", sandbox.bunq_root()))
        .json(&body)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = created["Payment"]["id"].as_i64().context("payment id")?;
    let import_id = import_id(id);
    while sandbox.ynab().count_by_import_id(&import_id) == 0 {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "payment {id} did not reach YNAB"
        );
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
    Ok(started.elapsed())
}

/// No rate limits: bunq's real GET limit (3 per 3 s) would pace the
/// benchmark, not the service. Callbacks come from 127.0.0.2 over HTTP.
fn sandbox_config() -> anyhow::Result<SandboxConfig> {
    let mut config = SandboxConfig::without_rate_limits();
    config.household.end = Utc::now() - Days::days(1);
    config.household.months = 1;
    config.ynab_hourly_limit = 1_000_000;
    config.callback_source = Some(SOURCE.parse()?);
    config.callback_over_http = true;
    Ok(config)
}

fn mongo(db: &TestDb) -> store::MongoConfig {
    let mut mongo = store::MongoConfig::new(db.uri());
    mongo.database = db.name().to_owned();
    mongo
}

fn bunq_config(sandbox: &Sandbox) -> bunq::BunqConfig {
    let mut bunq = bunq::BunqConfig::new(bunq::Environment::Sandbox);
    bunq.base_url = sandbox.bunq_url();
    bunq
}

fn ynab_config(sandbox: &Sandbox) -> ynab::YnabConfig {
    let mut ynab = ynab::YnabConfig::new(SecretString::from("sandbox-ynab-token"));
    ynab.base_url = sandbox.ynab_url();
    ynab.hourly_limit = 1_000_000;
    ynab
}

fn service_config(db: &TestDb, sandbox: &Sandbox, host: &str) -> anyhow::Result<CallbackConfig> {
    let unlimited = bunq::Limit::new(1_000_000, Duration::from_secs(1));
    let sync = SyncConfig {
        mongo: mongo(db),
        ynab: ynab_config(sandbox),
        classifier: ClassifierConfig::default(),
        settings: SyncSettings {
            start: Utc::now() - Days::days(2),
            zone: Amsterdam,
        },
        queue: QueueConfig::default(),
    };
    Ok(CallbackConfig {
        sync,
        bunq: bunq_config(sandbox),
        bunq_rate_limits: bunq::RateLimits {
            get: unlimited,
            post: unlimited,
            put: unlimited,
            session_server: unlimited,
        },
        host: host.to_owned(),
        trust: Trust {
            allowed: Networks::parse(&format!("{SOURCE}/32")).map_err(anyhow::Error::msg)?,
            proxies: Networks::default(),
        },
        port: 0,
        body_limit: callback::config::DEFAULT_BODY_LIMIT_BYTES,
        sync_queue: 1000,
        sync_concurrency: 4,
        notify: notify::NotifyConfig::default(),
    })
}

async fn ingest(db: &TestDb, sandbox: &Sandbox) -> anyhow::Result<()> {
    let config = IngestConfig {
        mongo: mongo(db),
        bunq: bunq_config(sandbox),
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
    ingest.run(domain::run::Trigger::Manual).await?;
    Ok(())
}

async fn wait_for_registration(sandbox: &Sandbox) -> anyhow::Result<()> {
    for _ in 0..600 {
        if !sandbox.bunq().mutation_targets().is_empty() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the callback service did not register")
}

/// A bunq account whose IBAN a YNAB account's note carries.
fn linked_account(sandbox: &Sandbox) -> anyhow::Result<i64> {
    let household = sandbox.household();
    household
        .accounts
        .iter()
        .find(|a| {
            household.budgets.iter().any(|b| {
                b.accounts
                    .iter()
                    .any(|y| !y.closed && y.note.as_deref().is_some_and(|n| a.iban.appears_in(n)))
            })
        })
        .map(|a| a.id)
        .context("no linked account")
}
