//! The services' configurations pointed at a test's database and sandbox,
//! and an ingest run to fill the database (feature `ingest`); the trainer's
//! configuration (feature `trainer`) and sync workers (feature
//! `sync-worker`) on top.
//!
//! The bunq and YNAB clients get a 5 s timeout and quick retries: a test
//! that injects faults waits for milliseconds, not the production backoff.

use std::time::Duration;

use chrono::NaiveDate;
use chrono_tz::Europe::Amsterdam;
use domain::run::Trigger;
use ingest::{Ingest, IngestConfig};
use runtime::backoff::Backoff;
use runtime::schedule::Schedule;
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use store::Store;

use crate::TestDb;
use crate::household::{BUNQ_API_KEY, YNAB_TOKEN};

/// The per-request timeout of the bunq and YNAB clients.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);

/// Four attempts, 20 ms doubling to at most 100 ms: a fault that clears
/// after a few answers is ridden out within half a second.
pub fn quick_backoff() -> Backoff {
    Backoff {
        max_attempts: 4,
        base: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
    }
}

/// MongoDB settings for the test's database.
pub fn mongo_config(db: &TestDb) -> store::MongoConfig {
    let mut mongo = store::MongoConfig::new(db.uri());
    mongo.database = db.name().to_owned();
    mongo
}

/// A bunq client config for the sandbox's bunq half.
pub fn bunq_config(sandbox: &Sandbox) -> bunq::BunqConfig {
    let mut bunq = bunq::BunqConfig::new(bunq::Environment::Sandbox);
    bunq.base_url = sandbox.bunq_url();
    bunq.timeout = CLIENT_TIMEOUT;
    bunq.backoff = quick_backoff();
    bunq
}

/// A YNAB client config for the sandbox's YNAB half, with its token.
pub fn ynab_config(sandbox: &Sandbox) -> ynab::YnabConfig {
    let mut ynab = ynab::YnabConfig::new(SecretString::from(YNAB_TOKEN));
    ynab.base_url = sandbox.ynab_url();
    ynab.timeout = CLIENT_TIMEOUT;
    ynab.backoff = quick_backoff();
    ynab
}

/// `ingest` on the test's database and sandbox: Amsterdam time, the
/// default schedule, all YNAB history.
pub fn ingest_config(db: &TestDb, sandbox: &Sandbox) -> IngestConfig {
    IngestConfig {
        mongo: mongo_config(db),
        bunq: bunq_config(sandbox),
        ynab: ynab_config(sandbox),
        timezone: Amsterdam,
        schedule: Schedule::parse(ingest::config::DEFAULT_SCHEDULE, Amsterdam)
            .expect("the default schedule parses"),
        ynab_history_since: NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date"),
        bunq_overlap: Duration::from_secs(600),
    }
}

/// Connects an [`Ingest`] and exchanges the sandbox's bunq API key, unless
/// an earlier ingest on the same database already did.
///
/// # Panics
/// When MongoDB or the sandbox refuse.
pub async fn connect_ingest(config: IngestConfig) -> Ingest {
    let ingest = Ingest::connect(config).await.expect("ingest connects");
    let ingested_before = ingest
        .store
        .runmoment("bunq_accounts")
        .await
        .expect("run moments readable")
        .is_some();
    if !ingested_before {
        ingest
            .bunq
            .exchange_api_key(SecretString::from(BUNQ_API_KEY), "integration-test", &[])
            .await
            .expect("the sandbox API key is accepted");
    }
    ingest
}

/// One manual ingest run with [`ingest_config`]: the sandbox's accounts,
/// payments and YNAB data into the database, new payments into the queue.
///
/// # Panics
/// When the run fails.
pub async fn ingest_once(db: &TestDb, sandbox: &Sandbox) {
    connect_ingest(ingest_config(db, sandbox))
        .await
        .run(Trigger::Manual)
        .await
        .expect("ingest run");
}

/// Starts the sandbox on port 0, makes the store's indexes on the test's
/// database and fills it with one [`ingest_once`] run.
///
/// # Panics
/// When the sandbox does not start or MongoDB refuses.
pub async fn start_ingested(db: &TestDb, config: SandboxConfig) -> (Sandbox, Store) {
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let store = Store::from_database(db.database().clone());
    store.ensure_indexes().await.expect("indexes");
    ingest_once(db, &sandbox).await;
    (sandbox, store)
}

/// The trainer on the test's database, with the production defaults and
/// `keep_models` versions kept per budget.
#[cfg(feature = "trainer")]
pub fn trainer_config(db: &TestDb, keep_models: usize) -> trainer::TrainerConfig {
    trainer::TrainerConfig {
        mongo: mongo_config(db),
        schedule: Schedule::parse(trainer::config::DEFAULT_SCHEDULE, Amsterdam)
            .expect("the default schedule parses"),
        learning: trainer::LearningSettings {
            timezone: Amsterdam,
            threshold: 0.6,
        },
        match_window_days: 2,
        promotion_tolerance: 0.025,
        keep_models,
    }
}

/// Syncing starts 30 days before [`crate::history_end`], in Amsterdam
/// time: older payments are skipped.
#[cfg(feature = "sync-worker")]
pub fn sync_settings() -> domain::sync::SyncSettings {
    domain::sync::SyncSettings {
        start: crate::history_end() - chrono::Duration::days(30),
        zone: Amsterdam,
    }
}

/// A sync worker on `store` with [`sync_settings`] and clients of its own.
///
/// # Panics
/// When a client cannot be built from its config.
#[cfg(feature = "sync-worker")]
pub fn sync_worker(
    store: Store,
    ynab: ynab::YnabConfig,
    classifier: classifier::ClassifierConfig,
    queue: sync_worker::QueueConfig,
) -> sync_worker::SyncWorker {
    let ynab = ynab::YnabClient::new(ynab).expect("YNAB client");
    let classifier = classifier::ClassifierClient::new(classifier).expect("classifier client");
    sync_worker::SyncWorker::new(store, ynab, classifier, sync_settings(), queue)
}
