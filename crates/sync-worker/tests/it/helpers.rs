//! A test app: a fresh database, a sandbox on port 0 (its history ending
//! yesterday noon, so no payment is in YNAB's future), an ingest run to fill
//! MongoDB, and sync workers wired to both.

use std::time::Duration;

use chrono::{DateTime, Duration as Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use classifier::{ClassifierClient, ClassifierConfig};
use domain::bunq::Payment;
use domain::sync::SyncSettings;
use ingest::{Ingest, IngestConfig};
use mongodb::bson::{Document, doc};
use runtime::backoff::Backoff;
use runtime::schedule::Schedule;
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use serde_json::{Value, json};
use store::{QueueEntry, Store};
use sync_worker::{QueueConfig, SyncWorker};
use test_support::TestDb;

pub const YNAB_TOKEN: &str = "sandbox-ynab-token";

pub struct TestApp {
    pub db: TestDb,
    pub sandbox: Sandbox,
    pub store: Store,
    pub start: DateTime<Utc>,
    pub http: reqwest::Client,
}

/// Yesterday 12:00 UTC: the end of the generated history.
pub fn history_end() -> DateTime<Utc> {
    let yesterday = (Utc::now() - Days::days(1)).date_naive();
    Utc.from_utc_datetime(&yesterday.and_hms_opt(12, 0, 0).expect("valid"))
}

pub fn small_household() -> SandboxConfig {
    let mut config = SandboxConfig::with_seed(11);
    config.household.end = history_end();
    config.household.months = 3;
    config.household.payments_per_month = 40;
    config.bunq_limits.window = Duration::from_millis(300);
    config.bunq_limits.session_window = Duration::from_millis(500);
    config
}

pub fn quick_backoff() -> Backoff {
    Backoff {
        max_attempts: 4,
        base: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
    }
}

/// Short leases and retries so fault tests finish in seconds.
pub fn quick_queue() -> QueueConfig {
    QueueConfig {
        lease: Duration::from_secs(2),
        batch_size: 100,
        max_attempts: 3,
        retry_base: Duration::from_millis(10),
        retry_max: Duration::from_millis(50),
        poll_interval: Duration::from_millis(100),
    }
}

pub fn ynab_config(sandbox: &Sandbox) -> ynab::YnabConfig {
    let mut ynab = ynab::YnabConfig::new(SecretString::from(YNAB_TOKEN));
    ynab.base_url = sandbox.ynab_url();
    ynab.timeout = Duration::from_secs(5);
    ynab.backoff = quick_backoff();
    ynab
}

fn ingest_config(db: &TestDb, sandbox: &Sandbox) -> IngestConfig {
    let mut mongo = store::MongoConfig::new(db.uri());
    mongo.database = db.name().to_owned();
    let mut bunq = bunq::BunqConfig::new(bunq::Environment::Sandbox);
    bunq.base_url = sandbox.bunq_url();
    bunq.timeout = Duration::from_secs(5);
    bunq.backoff = quick_backoff();
    IngestConfig {
        mongo,
        bunq,
        ynab: ynab_config(sandbox),
        timezone: Amsterdam,
        schedule: Schedule::parse(ingest::config::DEFAULT_SCHEDULE, Amsterdam).expect("valid"),
        ynab_history_since: NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid"),
        bunq_overlap: Duration::from_secs(600),
    }
}

impl TestApp {
    /// A sandbox and database, filled by one ingest run; the start date 30
    /// days before the end of the history.
    pub async fn spawn() -> Self {
        Self::with(small_household()).await
    }

    pub async fn with(config: SandboxConfig) -> Self {
        Self::on(TestDb::new().await, config).await
    }

    /// A test app on a given database (of a server the test started).
    pub async fn on(db: TestDb, config: SandboxConfig) -> Self {
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        let app = Self {
            store: Store::from_database(db.database().clone()),
            start: history_end() - Days::days(30),
            http: reqwest::Client::new(),
            db,
            sandbox,
        };
        app.store.ensure_indexes().await.expect("indexes");
        app.ingest().await;
        app
    }

    /// Runs one ingest (fills MongoDB and the queue from the sandbox).
    pub async fn ingest(&self) {
        let ingest = Ingest::connect(ingest_config(&self.db, &self.sandbox))
            .await
            .expect("ingest connects");
        let key = SecretString::from("sandbox-api-key");
        if ingest
            .store
            .runmoment("bunq_accounts")
            .await
            .expect("read")
            .is_none()
        {
            ingest
                .bunq
                .exchange_api_key(key, "sync-test", &[])
                .await
                .expect("API key accepted");
        }
        ingest
            .run(domain::run::Trigger::Manual)
            .await
            .expect("ingest run");
    }

    pub fn settings(&self) -> SyncSettings {
        SyncSettings {
            start: self.start,
            zone: Amsterdam,
        }
    }

    /// A worker on this app's database with its own YNAB client.
    pub fn worker(&self) -> SyncWorker {
        self.worker_with(quick_queue(), ClassifierConfig::default())
    }

    pub fn worker_with(&self, queue: QueueConfig, classifier: ClassifierConfig) -> SyncWorker {
        self.worker_on(self.store.clone(), queue, classifier)
    }

    pub fn worker_on(
        &self,
        store: Store,
        queue: QueueConfig,
        classifier: ClassifierConfig,
    ) -> SyncWorker {
        let ynab = ynab::YnabClient::new(ynab_config(&self.sandbox)).expect("YNAB client");
        let classifier = ClassifierClient::new(classifier).expect("classifier");
        SyncWorker::new(store, ynab, classifier, self.settings(), queue)
    }

    pub fn collection(&self, name: &str) -> mongodb::Collection<Document> {
        self.db.database().collection(name)
    }

    pub async fn entry(&self, payment_id: i64) -> QueueEntry {
        let found = self
            .store
            .queue_entries(Some(&[payment_id]))
            .await
            .expect("entries");
        found
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no entry for {payment_id}"))
    }

    /// Live YNAB transactions carrying the payment's import id.
    pub fn ynab_count(&self, payment_id: i64) -> usize {
        self.sandbox
            .ynab()
            .count_by_import_id(&domain::sync::import_id(payment_id))
    }

    /// The live YNAB transaction of a payment.
    pub fn ynab_transaction(&self, payment_id: i64) -> Option<sandbox::ynab::StoredTransaction> {
        let import_id = domain::sync::import_id(payment_id);
        self.sandbox
            .household()
            .budgets
            .iter()
            .flat_map(|b| self.sandbox.ynab().transactions(&b.id))
            .find(|t| !t.deleted && t.import_id.as_deref() == Some(import_id.as_str()))
    }

    /// The YNAB account linked to a bunq account (by IBAN in the note).
    pub fn linked_account(&self, bunq_account_id: i64) -> Option<(String, String)> {
        let account = self
            .sandbox
            .household()
            .accounts
            .iter()
            .find(|a| a.id == bunq_account_id)?;
        self.sandbox.household().budgets.iter().find_map(|b| {
            b.accounts
                .iter()
                .find(|a| {
                    !a.closed
                        && a.note
                            .as_deref()
                            .is_some_and(|n| account.iban.appears_in(n))
                })
                .map(|a| (b.id.clone(), a.id.clone()))
        })
    }

    /// A linked bunq account and its YNAB budget and account.
    pub fn a_linked_account(&self) -> (i64, String, String) {
        self.sandbox
            .household()
            .accounts
            .iter()
            .find_map(|a| self.linked_account(a.id).map(|(b, y)| (a.id, b, y)))
            .expect("a linked account")
    }

    pub fn an_unlinked_account(&self) -> i64 {
        let household = self.sandbox.household();
        household
            .accounts
            .iter()
            .find(|a| self.linked_account(a.id).is_none())
            .expect("an unlinked account")
            .id
    }

    /// Stores payments straight into MongoDB (as ingest would) and
    /// enqueues them; ids start at `first_id`.
    pub async fn add_payments(
        &self,
        account_id: i64,
        first_id: i64,
        amounts: &[String],
        created: DateTime<Utc>,
    ) -> Vec<i64> {
        let payments: Vec<Payment> = amounts
            .iter()
            .enumerate()
            .map(|(n, amount)| {
                let id = first_id + n as i64;
                payment(id, account_id, amount, created + Days::seconds(n as i64))
            })
            .collect();
        self.store
            .upsert_bunq_payments(&payments)
            .await
            .expect("store payments");
        let queued: Vec<(i64, DateTime<Utc>)> =
            payments.iter().map(|p| (p.id, p.created)).collect();
        self.store
            .enqueue_payments(&queued, Utc::now())
            .await
            .expect("enqueue");
        payments.iter().map(|p| p.id).collect()
    }

    /// Adds a fault rule on the YNAB half.
    pub async fn ynab_fault(&self, rule: Value) {
        let response = self
            .http
            .post(format!("{}/_sandbox/faults", self.sandbox.ynab_root()))
            .json(&rule)
            .send()
            .await
            .expect("admin reachable");
        assert!(
            response.status().is_success(),
            "fault rejected: {}",
            response.text().await.unwrap_or_default()
        );
    }

    pub async fn runs(&self) -> Vec<Document> {
        use futures::TryStreamExt;
        let cursor = self
            .collection("runs")
            .find(doc! { "job": "sync" })
            .await
            .expect("find");
        cursor.try_collect().await.expect("collect")
    }
}

/// A bunq payment as bunq would send it.
pub fn payment(id: i64, account_id: i64, amount: &str, created: DateTime<Utc>) -> Payment {
    let at = domain::time::format_bunq_timestamp(created);
    Payment::from_json(&json!({
        "id": id, "monetary_account_id": account_id, "created": at, "updated": at,
        "amount": {"value": amount, "currency": "EUR"}, "description": format!("Test payment {id}"),
        "type": "MASTERCARD", "sub_type": "PAYMENT",
        "counterparty_alias": {"display_name": "Bakkerij de Test"}
    }))
    .expect("valid payment")
}

/// Yesterday, 10:00 UTC: safely in the past and after the start date.
pub fn yesterday() -> DateTime<Utc> {
    history_end() - Days::hours(2)
}
