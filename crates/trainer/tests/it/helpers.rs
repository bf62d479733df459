//! A test app: a fresh database, a sandbox on port 0, an `Ingest` that fills
//! the database from it, and a `Trainer` on the same database.

use std::time::Duration;

use chrono::NaiveDate;
use domain::run::Trigger;
use ingest::{Ingest, IngestConfig};
use mongodb::bson::Document;
use runtime::backoff::Backoff;
use runtime::schedule::Schedule;
use sandbox::household::{Budget, BudgetAccount};
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use test_support::TestDb;
use trainer::{LearningSettings, Trainer, TrainerConfig};

pub const API_KEY: &str = "sandbox-api-key";
pub const YNAB_TOKEN: &str = "sandbox-ynab-token";

pub struct TestApp {
    pub db: TestDb,
    pub sandbox: Sandbox,
    pub ingest: Ingest,
    pub trainer: Trainer,
}

/// A year, about 800 payments (600 labels in the main budget): enough
/// history for a model to beat the payee-memory baseline reliably.
pub fn small_household() -> SandboxConfig {
    let mut config = SandboxConfig::with_seed(11);
    config.household.months = 12;
    config.household.payments_per_month = 60;
    config.rate_limits = false;
    config
}

fn quick_backoff() -> Backoff {
    Backoff {
        max_attempts: 6,
        base: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
    }
}

fn mongo(db: &TestDb) -> store::MongoConfig {
    let mut mongo = store::MongoConfig::new(db.uri());
    mongo.database = db.name().to_owned();
    mongo
}

fn ingest_config(db: &TestDb, sandbox: &Sandbox) -> IngestConfig {
    let mut bunq = bunq::BunqConfig::new(bunq::Environment::Sandbox);
    bunq.base_url = sandbox.bunq_url();
    bunq.backoff = quick_backoff();
    let mut ynab = ynab::YnabConfig::new(SecretString::from(YNAB_TOKEN));
    ynab.base_url = sandbox.ynab_url();
    ynab.backoff = quick_backoff();
    let timezone = chrono_tz::Europe::Amsterdam;
    IngestConfig {
        mongo: mongo(db),
        bunq,
        ynab,
        timezone,
        schedule: Schedule::parse(ingest::config::DEFAULT_SCHEDULE, timezone).expect("valid"),
        ynab_history_since: NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid"),
        bunq_overlap: Duration::from_secs(600),
    }
}

pub fn trainer_config(db: &TestDb, keep_models: usize) -> TrainerConfig {
    let timezone = chrono_tz::Europe::Amsterdam;
    TrainerConfig {
        mongo: mongo(db),
        schedule: Schedule::parse(trainer::config::DEFAULT_SCHEDULE, timezone).expect("valid"),
        learning: LearningSettings {
            timezone,
            threshold: 0.6,
        },
        match_window_days: 2,
        promotion_tolerance: 0.025,
        keep_models,
    }
}

impl TestApp {
    /// A sandbox and the apps, nothing ingested yet.
    pub async fn start(keep_models: usize) -> Self {
        let db = TestDb::new().await;
        let sandbox = Sandbox::start(small_household())
            .await
            .expect("sandbox starts");
        let ingest = Ingest::connect(ingest_config(&db, &sandbox))
            .await
            .expect("ingest connects");
        ingest
            .bunq
            .exchange_api_key(SecretString::from(API_KEY), "trainer-test", &[])
            .await
            .expect("the sandbox API key is accepted");
        let trainer = Trainer::connect(trainer_config(&db, keep_models))
            .await
            .expect("trainer connects");
        Self {
            db,
            sandbox,
            ingest,
            trainer,
        }
    }

    /// Started and ingested once.
    pub async fn ingested() -> Self {
        let app = Self::start(5).await;
        app.ingest_now().await;
        app
    }

    pub async fn ingest_now(&self) {
        self.ingest
            .run(Trigger::Manual)
            .await
            .expect("ingest succeeds");
    }

    pub fn collection(&self, name: &str) -> mongodb::Collection<Document> {
        self.db.database().collection(name)
    }

    /// The "Household" budget of the sandbox.
    pub fn household_budget(&self) -> &Budget {
        &self.sandbox.household().budgets[0]
    }

    /// The bunq current account and the YNAB account it is linked to.
    pub fn current_account(&self) -> (i64, &BudgetAccount) {
        let household = self.sandbox.household();
        let budget = self.household_budget();
        household
            .accounts
            .iter()
            .find_map(|bank| {
                let linked = budget.accounts.iter().find(|a| {
                    !a.closed
                        && a.note.as_deref().is_some_and(|n| bank.iban.appears_in(n))
                        && a.account_type == "checking"
                })?;
                Some((bank.id, linked))
            })
            .expect("a linked checking account")
    }

    /// A category id of the household budget by name.
    pub fn category(&self, name: &str) -> String {
        let budget = self.household_budget();
        let mut all = budget.category_groups.iter().flat_map(|g| &g.categories);
        all.find(|c| c.name == name)
            .map(|c| c.id.clone())
            .expect("category exists")
    }
}
