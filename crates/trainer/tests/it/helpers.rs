//! A test app: a fresh database, a sandbox on port 0, an `Ingest` that fills
//! the database from it, and a `Trainer` on the same database.

use domain::run::Trigger;
use ingest::Ingest;
use mongodb::bson::Document;
use sandbox::household::{Budget, BudgetAccount};
use sandbox::{Sandbox, SandboxConfig};
use test_support::TestDb;
use trainer::Trainer;

pub struct TestApp {
    pub db: TestDb,
    pub sandbox: Sandbox,
    pub ingest: Ingest,
    pub trainer: Trainer,
}

/// A year, about 800 payments (600 labels in the main budget): enough
/// history for a model to beat the payee-memory baseline reliably.
pub fn small_household() -> SandboxConfig {
    let mut config = test_support::household(11, 12, 60);
    config.rate_limits = false;
    config
}

impl TestApp {
    /// A sandbox and the apps, nothing ingested yet.
    pub async fn start(keep_models: usize) -> Self {
        let db = TestDb::new().await;
        let sandbox = Sandbox::start(small_household())
            .await
            .expect("sandbox starts");
        let ingest = test_support::connect_ingest(test_support::ingest_config(&db, &sandbox)).await;
        let trainer = Trainer::connect(test_support::trainer_config(&db, keep_models))
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
