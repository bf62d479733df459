//! A test app: a fresh database, a sandbox on port 0, and an `Ingest` wired
//! to both with a bound bunq API key.

use std::time::Duration;

use chrono::NaiveDate;
use ingest::{Ingest, IngestConfig};
use mongodb::bson::{Document, doc};
use runtime::backoff::Backoff;
use runtime::schedule::Schedule;
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use serde_json::{Value, json};
use test_support::TestDb;

pub const API_KEY: &str = "sandbox-api-key";
pub const YNAB_TOKEN: &str = "sandbox-ynab-token";

pub struct TestApp {
    pub db: TestDb,
    pub sandbox: Sandbox,
    pub ingest: Ingest,
    pub http: reqwest::Client,
}

/// A household small enough for fast tests: six months, ~240 payments.
pub fn small_household() -> SandboxConfig {
    let mut config = SandboxConfig::with_seed(7);
    config.household.months = 6;
    config.household.payments_per_month = 40;
    // Keep bunq's limits on, but with short windows so tests stay quick.
    config.bunq_limits.window = Duration::from_millis(300);
    config.bunq_limits.session_window = Duration::from_millis(500);
    config
}

/// Quick retries, so that fault tests finish in seconds.
pub fn quick_backoff() -> Backoff {
    Backoff {
        max_attempts: 6,
        base: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
    }
}

pub fn ingest_config(db: &TestDb, sandbox: &Sandbox) -> IngestConfig {
    let mut mongo = store::MongoConfig::new(db.uri());
    mongo.database = db.name().to_owned();
    let mut bunq = bunq::BunqConfig::new(bunq::Environment::Sandbox);
    bunq.base_url = sandbox.bunq_url();
    bunq.timeout = Duration::from_secs(2);
    bunq.backoff = quick_backoff();
    let mut ynab = ynab::YnabConfig::new(SecretString::from(YNAB_TOKEN));
    ynab.base_url = sandbox.ynab_url();
    ynab.timeout = Duration::from_secs(2);
    ynab.backoff = quick_backoff();
    let timezone = chrono_tz::Europe::Amsterdam;
    IngestConfig {
        mongo,
        bunq,
        ynab,
        timezone,
        schedule: Schedule::parse(ingest::config::DEFAULT_SCHEDULE, timezone).expect("valid"),
        ynab_history_since: NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid"),
        bunq_overlap: Duration::from_secs(600),
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::with(small_household()).await
    }

    pub async fn with(config: SandboxConfig) -> Self {
        let db = TestDb::new().await;
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        let ingest = Ingest::connect(ingest_config(&db, &sandbox))
            .await
            .expect("ingest connects");
        ingest
            .bunq
            .exchange_api_key(SecretString::from(API_KEY), "ingest-test", &[])
            .await
            .expect("the sandbox API key is accepted");
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
        let root = if side == "bunq" {
            self.sandbox.bunq_root()
        } else {
            self.sandbox.ynab_root()
        };
        let response = self
            .http
            .post(format!("{root}/_sandbox/faults"))
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

    pub async fn clear_faults(&self) {
        for root in [self.sandbox.bunq_root(), self.sandbox.ynab_root()] {
            self.http
                .delete(format!("{root}/_sandbox/faults"))
                .send()
                .await
                .expect("admin reachable");
        }
    }

    /// Creates a bunq payment at run time through the admin endpoint.
    pub async fn create_payment(&self, account_id: i64, amount: &str) -> Value {
        let body = json!({"account_id": account_id, "amount": amount, "description": "New payment",
                          "counterparty_name": "Bakkerij de Test", "type": "MASTERCARD"});
        let response = self
            .http
            .post(format!(
                "{}/_sandbox/bunq/payments",
                self.sandbox.bunq_root()
            ))
            .json(&body)
            .send()
            .await
            .expect("admin reachable");
        assert!(response.status().is_success());
        response.json().await.expect("payment JSON")
    }

    /// The requests the sandbox recorded on one half.
    pub async fn recorded(&self, side: &str) -> Vec<Value> {
        let root = if side == "bunq" {
            self.sandbox.bunq_root()
        } else {
            self.sandbox.ynab_root()
        };
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
