//! A test app: a fresh database, a sandbox on port 0 (its history ending
//! yesterday noon, so no payment is in YNAB's future), an ingest run to fill
//! MongoDB, and sync workers wired to both.

use std::time::Duration;

use chrono::{DateTime, Duration as Days, Utc};
use classifier::ClassifierConfig;
use domain::bunq::Payment;
use domain::run::Trigger;
use mongodb::bson::{Document, doc};
use sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;
use store::{QueueEntry, Store};
use sync_worker::{QueueConfig, SyncWorker};
use test_support::TestDb;
pub use test_support::{YNAB_TOKEN, payment, ynab_config};
use tokio::process::Command;

pub struct TestApp {
    pub db: TestDb,
    pub sandbox: Sandbox,
    pub store: Store,
    pub start: DateTime<Utc>,
    pub http: reqwest::Client,
}

pub fn small_household() -> SandboxConfig {
    test_support::household(11, 3, 40)
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
        let (sandbox, store) = test_support::start_ingested(&db, config).await;
        Self {
            db,
            sandbox,
            store,
            start: test_support::sync_settings().start,
            http: reqwest::Client::new(),
        }
    }

    /// [`TestApp::spawn`] with the history already drained into YNAB, and
    /// a bunq account linked to a YNAB account.
    pub async fn synced() -> (Self, i64) {
        let app = Self::spawn().await;
        let (account, _, _) = app.a_linked_account();
        app.worker()
            .drain(Trigger::Manual)
            .await
            .expect("the history first");
        (app, account)
    }

    /// Runs one ingest (fills MongoDB and the queue from the sandbox).
    pub async fn ingest(&self) {
        test_support::ingest_once(&self.db, &self.sandbox).await;
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
        test_support::sync_worker(store, ynab_config(&self.sandbox), classifier, queue)
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
        test_support::ynab_count(&self.sandbox, payment_id)
    }

    /// The live YNAB transaction of a payment.
    pub fn ynab_transaction(&self, payment_id: i64) -> Option<sandbox::ynab::StoredTransaction> {
        test_support::ynab_transaction(&self.sandbox, payment_id)
    }

    /// The YNAB budget and account linked to a bunq account (by IBAN in
    /// the note).
    pub fn linked_account(&self, bunq_account_id: i64) -> Option<(String, String)> {
        test_support::linked_ynab_account(&self.sandbox, bunq_account_id)
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

    /// The IBAN of a bunq account, as text.
    pub fn iban(&self, bunq_account_id: i64) -> String {
        self.sandbox
            .household()
            .accounts
            .iter()
            .find(|a| a.id == bunq_account_id)
            .expect("account")
            .iban
            .to_string()
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

    /// [`TestApp::add_payments`] for one payment; returns its id.
    pub async fn add_payment(
        &self,
        account_id: i64,
        id: i64,
        amount: &str,
        created: DateTime<Utc>,
    ) -> i64 {
        let amounts = [amount.to_owned()];
        self.add_payments(account_id, id, &amounts, created).await[0]
    }

    /// The `sync-worker` binary with `args`, on an empty environment but for
    /// this app's database, sandbox YNAB and start date, logging warnings.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sync-worker"));
        command
            .args(args)
            .env_clear()
            .env("MONGO_URI", self.db.uri())
            .env("MONGO_DB", self.db.name())
            .env("YNAB_TOKEN", YNAB_TOKEN)
            .env("YNAB_API_URL", self.sandbox.ynab_url())
            .env("START_SYNC_DATE", self.start.to_rfc3339())
            .env("RUST_LOG", "warn");
        command
    }

    /// Adds a fault rule on the YNAB half.
    pub async fn ynab_fault(&self, rule: Value) {
        test_support::add_fault(&self.http, &self.sandbox.ynab_root(), &rule).await;
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

/// Yesterday, 10:00 UTC: safely in the past and after the start date.
pub fn yesterday() -> DateTime<Utc> {
    test_support::history_end() - Days::hours(2)
}
