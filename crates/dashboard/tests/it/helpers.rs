//! A dashboard on sandbox data: a fresh database, the sandbox on port 0
//! (history ending yesterday noon), one ingest run and one drain, and the
//! dashboard itself on port 0 with the jobs wired to both.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, Duration as Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use classifier::{ClassifierClient, ClassifierConfig};
use dashboard::{Actions, AppState, ScheduledJob};
use domain::bunq::Payment;
use domain::run::Trigger;
use domain::sync::SyncSettings;
use ingest::{Ingest, IngestConfig};
use runtime::backoff::Backoff;
use runtime::schedule::Schedule;
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use serde_json::{Value, json};
use store::{QueueEntry, Store};
use sync_worker::{QueueConfig, SyncWorker};
use test_support::TestDb;
use trainer::{LearningSettings, Trainer, TrainerConfig};

/// The dashboard password in tests.
pub const PASSWORD: &str = "test-dashboard-password";

pub struct TestApp {
    pub db: TestDb,
    pub sandbox: Sandbox,
    pub store: Store,
    pub address: SocketAddr,
    pub http: reqwest::Client,
}

fn history_end() -> DateTime<Utc> {
    let yesterday = (Utc::now() - Days::days(1)).date_naive();
    Utc.from_utc_datetime(&yesterday.and_hms_opt(12, 0, 0).expect("valid"))
}

fn household(months: u32, payments_per_month: u32) -> SandboxConfig {
    let mut config = SandboxConfig::with_seed(23);
    config.household.end = history_end();
    config.household.months = months;
    config.household.payments_per_month = payments_per_month;
    config.bunq_limits.window = Duration::from_millis(300);
    config.bunq_limits.session_window = Duration::from_millis(500);
    config
}

fn quick_backoff() -> Backoff {
    Backoff {
        max_attempts: 3,
        base: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
    }
}

fn mongo(db: &TestDb) -> store::MongoConfig {
    let mut mongo = store::MongoConfig::new(db.uri());
    mongo.database = db.name().to_owned();
    mongo
}

fn ynab_config(sandbox: &Sandbox) -> ynab::YnabConfig {
    let mut ynab = ynab::YnabConfig::new(SecretString::from("sandbox-ynab-token"));
    ynab.base_url = sandbox.ynab_url();
    ynab.timeout = Duration::from_secs(5);
    ynab.backoff = quick_backoff();
    ynab
}

pub fn ingest_config(db: &TestDb, sandbox: &Sandbox) -> IngestConfig {
    let mut bunq = bunq::BunqConfig::new(bunq::Environment::Sandbox);
    bunq.base_url = sandbox.bunq_url();
    bunq.timeout = Duration::from_secs(5);
    bunq.backoff = quick_backoff();
    IngestConfig {
        mongo: mongo(db),
        bunq,
        ynab: ynab_config(sandbox),
        timezone: Amsterdam,
        schedule: Schedule::parse(ingest::config::DEFAULT_SCHEDULE, Amsterdam).expect("valid"),
        ynab_history_since: NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid"),
        bunq_overlap: Duration::from_secs(600),
    }
}

pub fn trainer_config(db: &TestDb) -> TrainerConfig {
    TrainerConfig {
        mongo: mongo(db),
        schedule: Schedule::parse(trainer::config::DEFAULT_SCHEDULE, Amsterdam).expect("valid"),
        learning: LearningSettings {
            timezone: Amsterdam,
            threshold: 0.6,
        },
        match_window_days: 2,
        promotion_tolerance: 0.025,
        keep_models: 5,
    }
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
        let config = household(months, payments_per_month);
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        let store = Store::from_database(db.database().clone());
        store.ensure_indexes().await.expect("indexes");

        let ingest = Ingest::connect(ingest_config(&db, &sandbox))
            .await
            .expect("ingest");
        ingest
            .bunq
            .exchange_api_key(SecretString::from("sandbox-api-key"), "dashboard-test", &[])
            .await
            .expect("API key accepted");
        ingest.run(Trigger::Schedule).await.expect("first ingest");
        let worker = worker(&store, &sandbox);
        worker.drain(Trigger::Schedule).await.expect("first drain");

        let trainer = Trainer {
            store: store.clone(),
            config: trainer_config(&db),
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
        let at = domain::time::format_bunq_timestamp(created);
        let payment = Payment::from_json(&json!({
            "id": id, "monetary_account_id": account_id, "created": at, "updated": at,
            "amount": {"value": "-12.34", "currency": "EUR"}, "description": "Dashboard test payment",
            "type": "MASTERCARD", "sub_type": "PAYMENT",
            "counterparty_alias": {"display_name": "Bakkerij de Test"}
        }))
        .expect("valid payment");
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
        let url = format!("{}/_sandbox/faults", self.sandbox.ynab_root());
        let request = match rule {
            Some(rule) => self.http.post(url).json(&rule),
            None => self.http.delete(url),
        };
        let response = request.send().await.expect("admin reachable");
        assert!(response.status().is_success(), "fault call refused");
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
    let ynab = ynab::YnabClient::new(ynab_config(sandbox)).expect("YNAB client");
    let classifier = ClassifierClient::new(ClassifierConfig::default()).expect("classifier");
    let settings = SyncSettings {
        start: history_end() - Days::days(30),
        zone: Amsterdam,
    };
    SyncWorker::new(store.clone(), ynab, classifier, settings, quick_queue())
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
