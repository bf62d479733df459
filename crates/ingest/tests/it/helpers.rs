//! A test app: a fresh database, a sandbox on port 0, and an `Ingest` wired
//! to both with a bound bunq API key.

use std::time::Duration;

use ingest::{Ingest, IngestConfig};
use mongodb::bson::{Document, doc};
use runtime::backoff::Backoff;
use sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};
use test_support::TestDb;

pub struct TestApp {
    pub db: TestDb,
    pub sandbox: Sandbox,
    pub ingest: Ingest,
    pub http: reqwest::Client,
}

/// A household small enough for fast tests: six months, ~240 payments.
pub fn small_household() -> SandboxConfig {
    test_support::household(7, 6, 40)
}

/// The shared test config with a 2 s timeout, below the sandbox's 3 s
/// slow answers, and six attempts, enough to ride out the fault tests.
fn ingest_config(db: &TestDb, sandbox: &Sandbox) -> IngestConfig {
    let backoff = Backoff {
        max_attempts: 6,
        base: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
    };
    let mut config = test_support::ingest_config(db, sandbox);
    (config.bunq.timeout, config.bunq.backoff) = (Duration::from_secs(2), backoff);
    (config.ynab.timeout, config.ynab.backoff) = (Duration::from_secs(2), backoff);
    config
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::with(small_household()).await
    }

    pub async fn with(config: SandboxConfig) -> Self {
        let db = TestDb::new().await;
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        let ingest = test_support::connect_ingest(ingest_config(&db, &sandbox)).await;
        Self {
            db,
            sandbox,
            ingest,
            http: reqwest::Client::new(),
        }
    }

    pub fn collection(&self, name: &str) -> mongodb::Collection<Document> {
        self.db.database().collection(name)
    }

    pub async fn count(&self, name: &str, filter: Document) -> u64 {
        self.collection(name)
            .count_documents(filter)
            .await
            .expect("count")
    }

    /// Adds a fault rule on one half (`bunq` or `ynab`).
    pub async fn fault(&self, side: &str, rule: Value) {
        test_support::add_fault(&self.http, &self.root(side), &rule).await;
    }

    pub async fn clear_faults(&self) {
        for root in [self.sandbox.bunq_root(), self.sandbox.ynab_root()] {
            test_support::clear_faults(&self.http, &root).await;
        }
    }

    /// The sandbox's root URL for one half (`bunq` or `ynab`).
    fn root(&self, side: &str) -> String {
        if side == "bunq" {
            self.sandbox.bunq_root()
        } else {
            self.sandbox.ynab_root()
        }
    }

    /// Creates a bunq payment at run time through the admin endpoint.
    pub async fn create_payment(&self, account_id: i64, amount: &str) -> Value {
        let body = json!({"account_id": account_id, "amount": amount, "description": "New payment",
                          "counterparty_name": "Bakkerij de Test", "type": "MASTERCARD"});
        test_support::create_bunq_payment(&self.http, &self.sandbox, &body).await
    }

    /// The requests the sandbox recorded on one half.
    pub async fn recorded(&self, side: &str) -> Vec<Value> {
        let root = self.root(side);
        let body: Value = self
            .http
            .get(format!("{root}/_sandbox/requests?side={side}"))
            .send()
            .await
            .expect("admin reachable")
            .json()
            .await
            .expect("JSON");
        body.as_array()
            .cloned()
            .or_else(|| body["requests"].as_array().cloned())
            .expect("a list")
    }

    pub async fn clear_recorded(&self) {
        for root in [self.sandbox.bunq_root(), self.sandbox.ynab_root()] {
            self.http
                .delete(format!("{root}/_sandbox/requests"))
                .send()
                .await
                .expect("admin reachable");
        }
    }

    /// All run moments, for before/after comparisons.
    pub async fn runmoments(&self) -> Vec<Document> {
        use futures::TryStreamExt;
        let mut all: Vec<Document> = self
            .collection("runmoments")
            .find(doc! {})
            .await
            .expect("find")
            .try_collect()
            .await
            .expect("collect");
        all.sort_by_key(|d| d.get_str("source").unwrap_or_default().to_owned());
        for d in &mut all {
            d.remove("_id");
        }
        all
    }

    /// Ground truth: counts the household started with.
    pub fn truth(&self) -> Truth {
        let h = self.sandbox.household();
        Truth {
            bunq_accounts: h.accounts.len() as u64,
            bunq_payments: h.payments.len() as u64,
            budgets: h.budgets.len() as u64,
            ynab_accounts: h.budgets.iter().map(|b| b.accounts.len() as u64).sum(),
            categories: h
                .budgets
                .iter()
                .flat_map(|b| &b.category_groups)
                .map(|g| g.categories.len() as u64)
                .sum(),
            transactions: h.budgets.iter().map(|b| b.transactions.len() as u64).sum(),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Truth {
    pub bunq_accounts: u64,
    pub bunq_payments: u64,
    pub budgets: u64,
    pub ynab_accounts: u64,
    pub categories: u64,
    pub transactions: u64,
}
