//! A dashboard on sandbox data: a fresh database, the sandbox on port 0
//! (history ending yesterday noon), one ingest run and one drain, and the
//! dashboard itself on port 0 with the jobs wired to both.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::{Duration as Days, Utc};
use chrono_tz::Europe::Amsterdam;
use classifier::ClassifierConfig;
use dashboard::{Actions, AppState, ScheduledJob};
use domain::run::Trigger;
use runtime::schedule::Schedule;
use sandbox::Sandbox;
use secrecy::SecretString;
use serde_json::Value;
use store::{QueueEntry, Store};
use sync_worker::{QueueConfig, SyncWorker};
use test_support::{TestDb, history_end};
use trainer::Trainer;

/// The dashboard password in tests.
pub const PASSWORD: &str = "test-dashboard-password";

pub struct TestApp {
    pub db: TestDb,
    pub sandbox: Sandbox,
    pub store: Store,
    pub address: SocketAddr,
    pub http: reqwest::Client,
}

/// Fewer YNAB retries than the shared clients make: a refused payment
/// fails its attempt sooner.
fn ynab_config(sandbox: &Sandbox) -> ynab::YnabConfig {
    let mut ynab = test_support::ynab_config(sandbox);
    ynab.backoff.max_attempts = 3;
    ynab
}

/// Ingest with [`ynab_config`].
pub fn ingest_config(db: &TestDb, sandbox: &Sandbox) -> ingest::IngestConfig {
    let mut config = test_support::ingest_config(db, sandbox);
    config.bunq.backoff.max_attempts = 3;
    config.ynab = ynab_config(sandbox);
    config
}

/// Short retries, so a failing payment fails for good within one drain.
fn quick_queue() -> QueueConfig {
    QueueConfig {
        lease: Duration::from_secs(5),
        batch_size: 100,
        max_attempts: 2,
        retry_base: Duration::from_millis(10),
        retry_max: Duration::from_millis(20),
        poll_interval: Duration::from_millis(100),
    }
}

impl TestApp {
    /// Sandbox (three months of 40 payments), database, first ingest and
    /// drain, then the dashboard.
    pub async fn spawn() -> Self {
        Self::with_history(3, 40).await
    }

    /// Like [`TestApp::spawn`] with a history of this size.
    pub async fn with_history(months: u32, payments_per_month: u32) -> Self {
        let db = TestDb::new().await;
        let config = test_support::household(23, months, payments_per_month);
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        let store = Store::from_database(db.database().clone());
        store.ensure_indexes().await.expect("indexes");

        let ingest = test_support::connect_ingest(ingest_config(&db, &sandbox)).await;
        ingest.run(Trigger::Schedule).await.expect("first ingest");
        let worker = worker(&store, &sandbox);
        worker.drain(Trigger::Schedule).await.expect("first drain");

        let trainer = Trainer {
            store: store.clone(),
            config: test_support::trainer_config(&db, 5),
        };
        let actions = Actions::new(ingest, worker, trainer);
        let state = AppState::new(
            store.clone(),
            &SecretString::from(PASSWORD),
            actions,
            schedules(),
            Amsterdam,
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move {
            axum::serve(listener, dashboard::app(state))
                .await
                .expect("serve");
        });
        Self {
            db,
            sandbox,
            store,
            address,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// A linked bunq account: its id and IBAN.
    pub async fn linked_account(&self) -> (i64, String) {
        let ynab = self.store.ynab_accounts().await.expect("ynab accounts");
        self.store
            .bunq_accounts()
            .await
            .expect("bunq accounts")
            .into_iter()
            .find_map(|a| {
                domain::linking::link_account(&a, &ynab)
                    .ok()
                    .map(|l| (a.id, l.iban.to_string()))
            })
            .expect("a linked account")
    }

    /// Stores a new payment on `account_id` (as ingest would) and
    /// enqueues it.
    pub async fn add_payment(&self, account_id: i64, id: i64) {
        let created = history_end() - Days::hours(2);
        let payment = test_support::payment(id, account_id, "-12.34", created);
        self.store
            .upsert_bunq_payments(&[payment])
            .await
            .expect("store");
        self.store
            .enqueue_payments(&[(id, created)], Utc::now())
            .await
            .expect("enqueue");
    }

    /// A worker of its own on this app's store and sandbox.
    pub fn worker(&self) -> SyncWorker {
        worker(&self.store, &self.sandbox)
    }

    /// Adds (or with `None`, clears) a fault on the YNAB half.
    pub async fn ynab_fault(&self, rule: Option<Value>) {
        let root = self.sandbox.ynab_root();
        match rule {
            Some(rule) => test_support::add_fault(&self.http, &root, &rule).await,
            None => test_support::clear_faults(&self.http, &root).await,
        }
    }

    pub async fn entry(&self, payment_id: i64) -> QueueEntry {
        self.store
            .queue_entries(Some(&[payment_id]))
            .await
            .expect("entries")
            .into_iter()
            .next()
            .expect("an entry")
    }

    /// Polls until `check` holds, for up to 30 seconds.
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        for _ in 0..300 {
            if check().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("timed out waiting until {what}");
    }
}

pub fn worker(store: &Store, sandbox: &Sandbox) -> SyncWorker {
    test_support::sync_worker(
        store.clone(),
        ynab_config(sandbox),
        ClassifierConfig::default(),
        quick_queue(),
    )
}

fn schedules() -> Vec<ScheduledJob> {
    vec![
        ScheduledJob {
            job: "ingest".into(),
            service: "ingest".into(),
            description: "INGEST_SCHEDULE".into(),
            schedule: Some(
                Schedule::parse(ingest::config::DEFAULT_SCHEDULE, Amsterdam).expect("valid"),
            ),
        },
        ScheduledJob {
            job: "sync".into(),
            service: "sync-worker".into(),
            description: "continuously".into(),
            schedule: None,
        },
        ScheduledJob {
            job: "train".into(),
            service: "trainer".into(),
            description: "TRAINER_SCHEDULE".into(),
            schedule: Some(
                Schedule::parse(trainer::config::DEFAULT_SCHEDULE, Amsterdam).expect("valid"),
            ),
        },
    ]
}
