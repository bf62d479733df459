//! The YNAB half of the sandbox: API v1 over HTTP, as strict as YNAB
//! itself, serving the household's budgets under both `/v1/plans/...` and
//! `/v1/budgets/...`. It checks the bearer token, counts requests per
//! rolling hour, validates bodies like YNAB, keeps `import_id` unique per
//! account, mirrors transfers and answers delta requests from a per-budget
//! server knowledge.
//!
//! Not played: split transactions (refused with a 400), matching of
//! imported transactions to user-entered ones, months, payee locations and
//! scheduled transactions (empty lists in a plan export), and writes to
//! accounts, categories and payees.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use axum::Router;

use crate::household::Household;

mod clock;
mod error;
mod guard;
mod input;
mod render;
mod routes;
mod store;

pub use clock::Clock;
pub use error::YnabStateError;
pub use store::{Cleared, FlagColor, StoredTransaction};

use guard::RateLimiter;
use store::Plan;

/// How the YNAB half behaves.
#[derive(Clone)]
pub struct YnabSettings {
    /// The personal access token requests must carry as
    /// `Authorization: Bearer <token>`.
    pub token: String,
    /// Requests allowed per token per rolling hour; YNAB allows 200.
    pub hourly_limit: u32,
    /// Whether the limit refuses requests (429); when false, requests are
    /// still counted and reported in `X-Rate-Limit`.
    pub enforce_rate_limit: bool,
    /// Where "now" comes from (date checks, default `since_date`, the
    /// rate-limit window).
    pub clock: Clock,
}

impl YnabSettings {
    /// The token the sandbox accepts unless told otherwise.
    pub const DEFAULT_TOKEN: &str = "sandbox-ynab-token";
    /// YNAB's hourly request allowance per token.
    pub const DEFAULT_HOURLY_LIMIT: u32 = 200;

    /// Settings with `token` and YNAB's defaults otherwise: 200 requests
    /// per hour, enforced, on the system clock.
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            hourly_limit: Self::DEFAULT_HOURLY_LIMIT,
            enforce_rate_limit: true,
            clock: Clock::system(),
        }
    }
}

impl Default for YnabSettings {
    fn default() -> Self {
        Self::new(Self::DEFAULT_TOKEN)
    }
}

impl fmt::Debug for YnabSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YnabSettings")
            .field("token", &"<redacted>")
            .field("hourly_limit", &self.hourly_limit)
            .field("enforce_rate_limit", &self.enforce_rate_limit)
            .field("clock", &self.clock)
            .finish()
    }
}

/// Everything the YNAB half holds: its settings, the budgets with their
/// live data, and the request counts of the rate limit. Shared by the
/// router's handlers and by tests, which inspect it through the helpers
/// below. Locks are held only inside a handler's synchronous part.
#[derive(Debug)]
pub struct YnabState {
    settings: YnabSettings,
    plans: RwLock<Vec<Plan>>,
    limiter: Mutex<RateLimiter>,
    user_id: String,
}

/// The routes of the YNAB half, all under `/v1`.
pub fn router(state: Arc<YnabState>) -> Router {
    routes::v1(state)
}

impl YnabState {
    /// Loads the household's budgets.
    pub fn new(household: &Household, settings: YnabSettings) -> Self {
        let now = settings.clock.now();
        let plans = household
            .budgets
            .iter()
            .map(|b| Plan::from_budget(b, now))
            .collect();
        let user_id = store::stable_uuid(&["ynab-user", &household.user.id.to_string()]);
        Self {
            settings,
            plans: RwLock::new(plans),
            limiter: Mutex::default(),
            user_id,
        }
    }

    /// The settings it runs with.
    pub fn settings(&self) -> &YnabSettings {
        &self.settings
    }

    /// The current server knowledge of a budget.
    pub fn server_knowledge(&self, budget_id: &str) -> Option<i64> {
        self.with_plans(|plans| {
            plans
                .iter()
                .find(|p| p.id == budget_id)
                .map(|p| p.knowledge)
        })
    }

    /// A transaction by id, in any budget, deleted or not.
    pub fn transaction(&self, transaction_id: &str) -> Option<StoredTransaction> {
        self.with_plans(|plans| {
            plans
                .iter()
                .find_map(|p| p.transaction(transaction_id).cloned())
        })
    }

    /// Every transaction of a budget, deleted ones included.
    pub fn transactions(&self, budget_id: &str) -> Vec<StoredTransaction> {
        self.with_plans(|plans| {
            plans
                .iter()
                .find(|p| p.id == budget_id)
                .map(|p| p.transactions().to_vec())
                .unwrap_or_default()
        })
    }

    /// How many live transactions, in all budgets, carry `import_id`.
    pub fn count_by_import_id(&self, import_id: &str) -> usize {
        self.count_live(|t| t.import_id.as_deref() == Some(import_id))
    }

    /// How many live transactions the account (in any budget) holds.
    pub fn count_in_account(&self, account_id: &str) -> usize {
        self.count_live(|t| t.account_id == account_id)
    }

    /// Requests counted against the configured token in the last hour.
    pub fn requests_used(&self) -> usize {
        let now = self.settings.clock.now();
        self.limiter
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .used(&self.settings.token, now)
    }

    /// Sets a transaction's category as a user would in YNAB (what a PUT
    /// with `category_id` does): the change raises the server knowledge, so
    /// the next delta read returns the transaction.
    ///
    /// # Errors
    /// [`YnabStateError`] naming the unknown budget, transaction or
    /// category.
    pub fn recategorise(
        &self,
        budget_id: &str,
        transaction_id: &str,
        category_id: Option<&str>,
    ) -> Result<(), YnabStateError> {
        let mut plans = self.plans.write().unwrap_or_else(PoisonError::into_inner);
        let plan = plans
            .iter_mut()
            .find(|p| p.id == budget_id)
            .ok_or_else(|| YnabStateError::UnknownBudget(budget_id.to_owned()))?;
        if let Some(id) = category_id
            && plan.category(id).is_none()
        {
            return Err(YnabStateError::UnknownCategory(id.to_owned()));
        }
        let fields = input::TransactionFields {
            category_id: Some(category_id.map(str::to_owned)),
            ..input::TransactionFields::default()
        };
        plan.update_one(transaction_id, &fields, self.settings.clock.now())
            .map_err(|_| YnabStateError::UnknownTransaction(transaction_id.to_owned()))
    }

    fn with_plans<T>(&self, f: impl FnOnce(&[Plan]) -> T) -> T {
        f(&self.plans.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn count_live(&self, matches: impl Fn(&StoredTransaction) -> bool) -> usize {
        self.with_plans(|plans| {
            plans
                .iter()
                .flat_map(|p| p.transactions())
                .filter(|t| !t.deleted && matches(t))
                .count()
        })
    }
}
