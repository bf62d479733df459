//! [`BunqClient`]: the public face of the crate. Each call finds the
//! context in force (renewing an expired session first), sends through the
//! strict transport, renews once and retries once when bunq refuses the
//! session, and reads the answer into domain types.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use domain::bunq::{MonetaryAccount, Payment};
use secrecy::SecretString;
use serde_json::Value;
use store::context::ContextRepo;
use tracing::warn;

use crate::config::{BunqConfig, Environment, RateLimits};
use crate::envelope::{first_page, parse_page, relative_to_base, without_query};
use crate::error::{BunqError, DecodeError};
use crate::notification::{self, NotificationFilter};
use crate::session::Active;
use crate::stats::ClientStats;
use crate::transport::{Request, Transport};

/// A bunq API client sharing its context through MongoDB. Cheap to clone:
/// clones share the connection pool, rate limiter, counters and session.
#[derive(Clone)]
pub struct BunqClient {
    inner: Arc<Inner>,
}

/// The state behind a client and its clones.
pub(crate) struct Inner {
    pub(crate) environment: Environment,
    pub(crate) transport: Transport,
    pub(crate) contexts: ContextRepo,
    /// The context in force; `None` until first loaded.
    pub(crate) current: RwLock<Option<Arc<Active>>>,
    /// Held while renewing, so one task per process renews at a time.
    pub(crate) renewal: tokio::sync::Mutex<()>,
}

impl BunqClient {
    /// A client throttled to bunq's published rate limits. Nothing is sent
    /// or loaded until the first call.
    ///
    /// # Errors
    /// [`BunqError::Config`] for an unusable base URL or user agent.
    pub fn new(config: BunqConfig, contexts: ContextRepo) -> Result<Self, BunqError> {
        Self::with_rate_limits(config, contexts, RateLimits::default())
    }

    /// A client throttled to `limits` (tests use a sandbox with shorter
    /// windows).
    ///
    /// # Errors
    /// As [`BunqClient::new`].
    pub fn with_rate_limits(
        config: BunqConfig,
        contexts: ContextRepo,
        limits: RateLimits,
    ) -> Result<Self, BunqError> {
        let inner = Inner {
            environment: config.environment,
            transport: Transport::new(&config, limits)?,
            contexts,
            current: RwLock::new(None),
            renewal: tokio::sync::Mutex::new(()),
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// First setup and IP changes: new key pair, installation, device
    /// server with the API key and permitted IPs (`["*"]` allows any; empty
    /// binds the key to the calling IP), first session; stores the new
    /// context only when every step worked, so the previous context stays
    /// in force when the exchange fails.
    ///
    /// # Errors
    /// The failing step's [`BunqError`].
    pub async fn exchange_api_key(
        &self,
        api_key: SecretString,
        description: &str,
        permitted_ips: &[String],
    ) -> Result<(), BunqError> {
        self.inner
            .exchange(api_key, description, permitted_ips)
            .await
    }

    /// The id in `/user/{id}` paths.
    ///
    /// # Errors
    /// [`BunqError::NoContext`] before the first exchange; store errors.
    pub async fn user_id(&self) -> Result<i64, BunqError> {
        Ok(self.inner.active().await?.context.user_id)
    }

    /// Every monetary account of the user, of every type.
    ///
    /// # Errors
    /// Any [`BunqError`]; an account of an undocumented type is a
    /// [`BunqError::Decode`].
    pub async fn monetary_accounts(&self) -> Result<Vec<MonetaryAccount>, BunqError> {
        let user = self.inner.session().await?.context.user_id;
        let mut accounts = Vec::new();
        let list = format!("/user/{user}/monetary-account");
        self.inner
            .walk(&list, |path, items| {
                for item in &items {
                    accounts
                        .push(MonetaryAccount::from_wrapped(item).map_err(|e| decode(path, e))?);
                }
                Ok(true)
            })
            .await?;
        Ok(accounts)
    }

    /// The account's payments, newest first. Stops paging once a page's
    /// oldest payment is at or before `boundary`; returns only payments
    /// created after `boundary` (all when `None`).
    ///
    /// # Errors
    /// Any [`BunqError`]; a malformed payment is a [`BunqError::Decode`].
    pub async fn payments(
        &self,
        account_id: i64,
        boundary: Option<DateTime<Utc>>,
    ) -> Result<Vec<Payment>, BunqError> {
        let user = self.inner.session().await?.context.user_id;
        let after_boundary = |payment: &Payment| boundary.is_none_or(|b| payment.created > b);
        let mut payments = Vec::new();
        let list = format!("/user/{user}/monetary-account/{account_id}/payment");
        self.inner
            .walk(&list, |path, items| {
                let page = items
                    .iter()
                    .map(|item| Payment::from_json(item).map_err(|e| decode(path, e)))
                    .collect::<Result<Vec<_>, _>>()?;
                let reached_boundary = page.iter().any(|payment| !after_boundary(payment));
                payments.extend(page.into_iter().filter(after_boundary));
                Ok(!reached_boundary)
            })
            .await?;
        Ok(payments)
    }

    /// One payment.
    ///
    /// # Errors
    /// Any [`BunqError`]; an unknown id is bunq's 404 as
    /// [`BunqError::Api`].
    pub async fn payment(&self, account_id: i64, payment_id: i64) -> Result<Payment, BunqError> {
        let user = self.inner.session().await?.context.user_id;
        let path = format!("/user/{user}/monetary-account/{account_id}/payment/{payment_id}");
        let body = self.inner.call(&Request::get(path.clone())).await?;

        let page = parse_page(&path, &body)?;
        let item = page
            .items
            .first()
            .ok_or_else(|| BunqError::shape(&path, "no payment"))?;
        Payment::from_json(item).map_err(|e| decode(&path, e))
    }

    /// The user's URL notification filters (callbacks).
    ///
    /// # Errors
    /// Any [`BunqError`].
    pub async fn notification_filters(&self) -> Result<Vec<NotificationFilter>, BunqError> {
        let user = self.inner.session().await?.context.user_id;
        let mut filters = Vec::new();
        let list = format!("/user/{user}/notification-filter-url");
        self.inner
            .walk(&list, |path, items| {
                filters.extend(notification::parse_items(path, &items)?);
                Ok(true)
            })
            .await?;
        Ok(filters)
    }

    /// Makes `filters` the user's whole set of URL notification filters.
    ///
    /// # Errors
    /// Any [`BunqError`]; bunq refuses more than two URLs per category.
    pub async fn set_notification_filters(
        &self,
        filters: &[NotificationFilter],
    ) -> Result<(), BunqError> {
        let user = self.inner.session().await?.context.user_id;
        let path = format!("/user/{user}/notification-filter-url");
        let request = Request::post(path.clone(), &notification::request_body(filters));
        let body = self.inner.call(&request).await?;
        parse_page(&path, &body).map(drop)
    }

    /// What this client (and its clones) did so far.
    pub fn stats(&self) -> ClientStats {
        self.inner.transport.counters.snapshot()
    }

    /// The environment whose context this client uses.
    pub fn environment(&self) -> Environment {
        self.inner.environment
    }
}

impl fmt::Debug for BunqClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BunqClient")
            .field("environment", &self.inner.environment)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl Inner {
    /// Sends an ordinary request with the session in force; when bunq
    /// refuses the session, renews it once and sends once more.
    async fn call(&self, request: &Request) -> Result<Bytes, BunqError> {
        let active = self.session().await?;
        match self.transport.send(request, &active.credentials()).await {
            Err(error) if error.is_session_rejected() => {
                warn!(
                    path = request.shown_path(),
                    "bunq refused the session, renewing it once"
                );
                let renewed = self.renew(&active).await?;
                self.transport.send(request, &renewed.credentials()).await
            }
            result => result,
        }
    }

    /// Walks the list at `list` from its newest page (200 items) along
    /// `Pagination.older_url`, handing each page's items to `visit`, which
    /// returns whether to go on.
    async fn walk(
        &self,
        list: &str,
        mut visit: impl FnMut(&str, Vec<Value>) -> Result<bool, BunqError>,
    ) -> Result<(), BunqError> {
        let mut next = Some(first_page(list));
        let mut seen = HashSet::new();
        while let Some(path) = next.take() {
            if !seen.insert(path.clone()) {
                return Err(BunqError::shape(
                    list,
                    "pagination came back to a page it had shown",
                ));
            }
            let body = self.call(&Request::get(path.clone())).await?;
            let page = parse_page(without_query(&path), &body)?;
            if !visit(list, page.items)? {
                break;
            }
            next = page
                .older_url
                .map(|url| relative_to_base(list, self.transport.base_path(), &url))
                .transpose()?;
        }
        Ok(())
    }
}

fn decode(path: &str, error: domain::RecordError) -> BunqError {
    BunqError::Decode {
        path: path.to_owned(),
        source: DecodeError::Record(error),
    }
}
