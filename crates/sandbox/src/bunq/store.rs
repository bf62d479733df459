//! The bunq half's memory: payments per account (growing at run time),
//! installations with their client keys and used request ids, devices,
//! sessions with bunq's expiry rule, and notification filters.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::Milliunits;
use serde::Serialize;
use tokio::time::Instant;

use super::crypto::ClientKey;
use crate::household::{BankAccount, BankPayment};

/// A session used this close to its end is extended (bunq: 30 s).
const EXTENSION_WINDOW: Duration = Duration::from_secs(30);

/// One registered callback URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotificationFilter {
    /// bunq id.
    pub id: i64,
    /// Category, e.g. `MUTATION`.
    pub category: String,
    /// The URL called.
    pub notification_target: String,
    /// When it was registered.
    pub created: DateTime<Utc>,
}

/// A client key registered through `POST /installation`.
pub(crate) struct Installation {
    /// The key the client signs with.
    pub key: ClientKey,
    /// The device-server id, once registered.
    pub device: Option<i64>,
    request_ids: HashSet<String>,
}

/// An open session.
pub(crate) struct Session {
    /// The installation token it was opened with.
    pub installation: String,
    expires: Instant,
}

pub(crate) struct Store {
    payments: HashMap<i64, Vec<BankPayment>>,
    last_payment_id: i64,
    last_object_id: i64,
    installations: HashMap<String, Installation>,
    sessions: HashMap<String, Session>,
    /// Registered callbacks, in registration order.
    pub filters: Vec<NotificationFilter>,
}

impl Store {
    pub(crate) fn new(accounts: &[BankAccount], payments: &[BankPayment]) -> Self {
        let mut by_account: HashMap<i64, Vec<BankPayment>> =
            accounts.iter().map(|a| (a.id, Vec::new())).collect();
        for payment in payments {
            by_account
                .entry(payment.account_id)
                .or_default()
                .push(payment.clone());
        }
        Self {
            payments: by_account,
            last_payment_id: payments.iter().map(|p| p.id).max().unwrap_or(100_000_000),
            last_object_id: 9_000_000,
            installations: HashMap::new(),
            sessions: HashMap::new(),
            filters: Vec::new(),
        }
    }

    /// An account's payments, ascending id.
    pub(crate) fn payments(&self, account_id: i64) -> &[BankPayment] {
        self.payments.get(&account_id).map_or(&[], Vec::as_slice)
    }

    /// Stores a payment under the next id, with the balance following the
    /// account's last one.
    pub(crate) fn add_payment(&mut self, mut payment: BankPayment) -> BankPayment {
        self.last_payment_id += 1;
        let list = self.payments.entry(payment.account_id).or_default();
        let previous = list.last().map_or(Milliunits(0), |p| p.balance_after);
        payment.id = self.last_payment_id;
        payment.balance_after = Milliunits(previous.0 + payment.amount.0);
        list.push(payment.clone());
        payment
    }

    fn next_id(&mut self) -> i64 {
        self.last_object_id += 1;
        self.last_object_id
    }

    /// Registers a client key; returns the installation id and token.
    pub(crate) fn install(&mut self, key: ClientKey) -> (i64, String) {
        let (id, token) = (self.next_id(), new_token());
        let installation = Installation {
            key,
            device: None,
            request_ids: HashSet::new(),
        };
        self.installations.insert(token.clone(), installation);
        (id, token)
    }

    pub(crate) fn installation(&self, token: &str) -> Option<&Installation> {
        self.installations.get(token)
    }

    /// Registers the device of an installation; `None` when it has one.
    pub(crate) fn register_device(&mut self, installation: &str) -> Option<i64> {
        let id = self.next_id();
        let entry = self.installations.get_mut(installation)?;
        if entry.device.is_some() {
            return None;
        }
        entry.device = Some(id);
        Some(id)
    }

    /// Opens a session; returns its id and token.
    pub(crate) fn open_session(&mut self, installation: &str, timeout: Duration) -> (i64, String) {
        let (id, token) = (self.next_id(), new_token());
        let session = Session {
            installation: installation.to_owned(),
            expires: Instant::now() + timeout,
        };
        self.sessions.insert(token.clone(), session);
        (id, token)
    }

    /// The live session for a token, extended when it is about to end.
    pub(crate) fn session(&mut self, token: &str, timeout: Duration) -> Option<&Session> {
        let now = Instant::now();
        let session = self.sessions.get_mut(token)?;
        if session.expires <= now {
            return None;
        }
        if session.expires - now <= EXTENSION_WINDOW {
            session.expires = now + timeout;
        }
        Some(session)
    }

    /// Ends one session.
    pub(crate) fn expire(&mut self, token: &str) {
        if let Some(session) = self.sessions.get_mut(token) {
            session.expires = Instant::now();
        }
    }

    pub(crate) fn expire_all(&mut self) {
        let now = Instant::now();
        self.sessions.values_mut().for_each(|s| s.expires = now);
    }

    pub(crate) fn open_sessions(&self) -> usize {
        let now = Instant::now();
        self.sessions.values().filter(|s| s.expires > now).count()
    }

    /// Marks a request id used on an installation; false when it already was.
    pub(crate) fn use_request_id(&mut self, installation: &str, request_id: &str) -> bool {
        self.installations
            .get_mut(installation)
            .is_some_and(|i| i.request_ids.insert(request_id.to_owned()))
    }

    /// Replaces every filter; returns the new ids.
    pub(crate) fn replace_filters(&mut self, filters: Vec<(String, String)>) -> Vec<i64> {
        let now = Utc::now();
        self.filters = filters
            .into_iter()
            .map(|(category, notification_target)| NotificationFilter {
                id: self.next_id(),
                category,
                notification_target,
                created: now,
            })
            .collect();
        self.filters.iter().map(|f| f.id).collect()
    }
}

/// A 64-character token, like bunq's.
fn new_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}
