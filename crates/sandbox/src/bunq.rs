//! The bunq half of the sandbox: the installation → device-server →
//! session-server context flow, users, monetary accounts of every type,
//! payments with bunq's pagination, and notification filters, all as
//! strict as bunq about headers, tokens, signatures and rate limits.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use domain::Milliunits;
use serde::Deserialize;

use crate::config::BunqLimits;
use crate::faults::FaultSet;
use crate::household::{BankAccount, BankPayment, Household, Party, User, UserKind};
use crate::rate_limit::SlidingWindow;

mod context;
mod crypto;
mod error;
mod guard;
mod pagination;
mod render;
mod resources;
mod store;

pub use crypto::{ClientKey, ServerKey};
pub use error::BunqError;
pub use store::NotificationFilter;

use store::Store;

/// How strict the bunq half is.
#[derive(Clone, Debug)]
pub struct BunqSettings {
    /// The API key device-server and session-server accept.
    pub api_key: String,
    /// Session lifetime.
    pub session_timeout: Duration,
    /// Which user object session-server answers with.
    pub user_kind: UserKind,
    /// Per-endpoint limits.
    pub limits: BunqLimits,
    /// Whether the limits are enforced.
    pub rate_limits: bool,
}

/// Everything the bunq half serves and remembers.
pub struct BunqState {
    settings: BunqSettings,
    key: &'static ServerKey,
    user: User,
    accounts: Vec<BankAccount>,
    store: Mutex<Store>,
    limiter: SlidingWindow,
}

/// A payment created at run time through the admin API.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPayment {
    /// The account it lands on.
    pub account_id: i64,
    /// Signed decimal amount, e.g. `"-12.34"`.
    pub amount: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Counterparty name.
    #[serde(default)]
    pub counterparty_name: Option<String>,
    /// Counterparty IBAN.
    #[serde(default)]
    pub counterparty_iban: Option<String>,
    /// bunq `type` (default `MASTERCARD`).
    #[serde(default, rename = "type")]
    pub payment_type: Option<String>,
    /// bunq `sub_type` (default `PAYMENT`).
    #[serde(default)]
    pub sub_type: Option<String>,
    /// When it happened, as a bunq timestamp (default now).
    #[serde(default)]
    pub created: Option<String>,
}

impl BunqState {
    /// The bunq half for a household.
    ///
    /// # Errors
    /// When the server key cannot be created.
    pub fn new(household: &Household, settings: BunqSettings) -> anyhow::Result<Self> {
        let mut user = household.user.clone();
        user.kind = settings.user_kind;
        Ok(Self {
            key: ServerKey::shared()?,
            accounts: household.accounts.clone(),
            store: Mutex::new(Store::new(&household.accounts, &household.payments)),
            user,
            settings,
            limiter: SlidingWindow::default(),
        })
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The bunq user.
    pub fn user(&self) -> &User {
        &self.user
    }

    /// The monetary accounts.
    pub fn accounts(&self) -> &[BankAccount] {
        &self.accounts
    }

    /// The payments of an account now, ascending id.
    pub fn payments(&self, account_id: i64) -> Vec<BankPayment> {
        self.store().payments(account_id).to_vec()
    }

    /// How many payments an account has now.
    pub fn payment_count(&self, account_id: i64) -> usize {
        self.store().payments(account_id).len()
    }

    /// The notification filters registered now.
    pub fn notification_filters(&self) -> Vec<NotificationFilter> {
        self.store().filters.clone()
    }

    /// The targets of the MUTATION notification filters, which bunq calls
    /// on every change of a balance.
    pub fn mutation_targets(&self) -> Vec<String> {
        let store = self.store();
        let mutation = store.filters.iter().filter(|f| f.category == "MUTATION");
        mutation.map(|f| f.notification_target.clone()).collect()
    }

    /// How many sessions are open (not expired).
    pub fn open_sessions(&self) -> usize {
        self.store().open_sessions()
    }

    /// Ends every session, as bunq does after an IP change or a logout.
    pub fn expire_sessions(&self) {
        self.store().expire_all();
    }

    /// Adds a payment (next id; now unless `created` is given).
    ///
    /// # Errors
    /// [`BunqError`] (400/404) naming the bad account, amount, IBAN or time.
    pub fn add_payment(&self, new: NewPayment) -> Result<BankPayment, BunqError> {
        if !self.accounts.iter().any(|a| a.id == new.account_id) {
            return Err(BunqError::not_found("MonetaryAccount"));
        }
        let amount = Milliunits::from_decimal_str(&new.amount)
            .map_err(|e| BunqError::bad_request(e.to_string()))?;
        let iban = new
            .counterparty_iban
            .as_deref()
            .map(domain::Iban::parse)
            .transpose()
            .map_err(|e| BunqError::bad_request(e.to_string()))?;
        let created = match new.created.as_deref() {
            Some(text) => parse_instant(text)?,
            None => Utc::now(),
        };
        let payment = BankPayment {
            id: 0,
            account_id: new.account_id,
            created,
            amount,
            description: new.description,
            payment_type: new.payment_type.unwrap_or_else(|| "MASTERCARD".to_owned()),
            sub_type: new.sub_type.unwrap_or_else(|| "PAYMENT".to_owned()),
            counterparty: Party {
                name: new.counterparty_name,
                iban,
                merchant_category_code: None,
            },
            balance_after: Milliunits(0),
        };
        Ok(self.store().add_payment(payment))
    }
}

impl BunqState {
    /// A payment as bunq's JSON (`{"Payment": {...}}`).
    pub fn render_payment(&self, payment: &BankPayment) -> serde_json::Value {
        match self.accounts.iter().find(|a| a.id == payment.account_id) {
            Some(account) => render::payment_object(payment, account, &self.user),
            None => serde_json::Value::Null,
        }
    }
}

/// A bunq timestamp or an RFC 3339 instant.
fn parse_instant(text: &str) -> Result<DateTime<Utc>, BunqError> {
    domain::time::parse_bunq_timestamp(text)
        .or_else(|_| DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)))
        .map_err(|_| BunqError::bad_request(format!("created {text:?} is not a timestamp")))
}

/// The bunq API under `/v1` with its checks, response signing and fault
/// injection (inside the signing, so that damaged bodies are signed too);
/// without the admin endpoints and recording (see [`crate::spawn`]).
pub fn router(state: Arc<BunqState>, faults: Arc<FaultSet>) -> Router {
    routes()
        .route_layer(from_fn_with_state(state.clone(), guard::check))
        .fallback(guard::not_found)
        .method_not_allowed_fallback(guard::method_not_allowed)
        .layer(from_fn_with_state(faults, crate::faults::inject))
        .layer(from_fn_with_state(state.clone(), guard::seal))
        .with_state(state)
}

/// Every endpoint the sandbox plays, by path template.
#[rustfmt::skip] // One endpoint per line reads as a table.
fn routes() -> Router<Arc<BunqState>> {
    use resources as r;
    let per_user = [
        ("", get(r::user)),
        ("/monetary-account", get(r::accounts)),
        ("/monetary-account/{account_id}", get(r::account)),
        ("/monetary-account-bank", get(r::bank_accounts)),
        ("/monetary-account-bank/{account_id}", get(r::bank_account)),
        ("/monetary-account-savings", get(r::savings_accounts)),
        ("/monetary-account-savings/{account_id}", get(r::savings_account)),
        ("/monetary-account-joint", get(r::joint_accounts)),
        ("/monetary-account-joint/{account_id}", get(r::joint_account)),
        ("/monetary-account/{account_id}/payment", get(r::payments)),
        ("/monetary-account/{account_id}/payment/{payment_id}", get(r::payment)),
        ("/notification-filter-url", get(r::filters).post(r::set_filters)),
    ];
    let context = Router::new()
        .route("/v1/installation", post(context::installation))
        .route("/v1/device-server", post(context::device_server))
        .route("/v1/session-server", post(context::session_server))
        .route("/v1/user", get(r::users));
    per_user.into_iter().fold(context, |router, (rest, handler)| {
        router.route(&format!("/v1/user/{{user_id}}{rest}"), handler)
    })
}
