//! The [`SyncWorker`]: the store, the YNAB and model-server clients, and
//! the settings one worker process drains the queue with.

use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use chrono::{DateTime, Utc};
use classifier::ClassifierClient;
use domain::sync::SyncSettings;
use store::{Lease, Store};
use ynab::YnabClient;

use crate::config::{QueueConfig, SyncConfig};

/// One worker. Several may run at once (in one process or many): each
/// claims entries under leases of its own.
#[derive(Debug)]
pub struct SyncWorker {
    /// MongoDB.
    pub store: Store,
    /// YNAB, with this worker's share of the hourly request budget.
    pub ynab: YnabClient,
    /// The model server.
    pub classifier: ClassifierClient,
    /// Start date and time zone.
    pub settings: SyncSettings,
    /// How the queue is worked.
    pub queue: QueueConfig,
    /// This worker's name in leases and logs (`sync-<uuid>`).
    pub id: String,
    /// YNAB calls sent (creates and look-ups; retries are counted by the
    /// client), for the run counts.
    calls: AtomicU64,
}

impl SyncWorker {
    /// A worker over ready-made parts (tests use it to share a store).
    pub fn new(
        store: Store,
        ynab: YnabClient,
        classifier: ClassifierClient,
        settings: SyncSettings,
        queue: QueueConfig,
    ) -> Self {
        let id = format!("sync-{}", uuid::Uuid::new_v4().simple());
        Self {
            store,
            ynab,
            classifier,
            settings,
            queue,
            id,
            calls: AtomicU64::new(0),
        }
    }

    /// Connects to MongoDB (creating indexes) and builds the clients.
    ///
    /// # Errors
    /// When MongoDB cannot be reached or a client cannot be built.
    pub async fn connect(config: SyncConfig) -> anyhow::Result<Self> {
        let store = Store::connect(&config.mongo)
            .await
            .context("could not connect to MongoDB")?;
        store
            .ensure_indexes()
            .await
            .context("could not create MongoDB indexes")?;
        let ynab = YnabClient::new(config.ynab).context("could not build the YNAB client")?;
        let classifier = ClassifierClient::new(config.classifier)
            .context("could not build the model server client")?;
        tracing::info!(
            start = %config.settings.start, timezone = %config.settings.zone,
            lease_secs = config.queue.lease.as_secs(), batch_size = config.queue.batch_size,
            max_attempts = config.queue.max_attempts,
            model_server = classifier.config().base_url.is_some(),
            "sync worker configured"
        );
        Ok(Self::new(
            store,
            ynab,
            classifier,
            config.settings,
            config.queue,
        ))
    }

    /// A fresh lease from `now`: unique, so outcomes land only on entries
    /// this claim still holds.
    pub(crate) fn lease(&self, now: DateTime<Utc>) -> Lease {
        let length = chrono::Duration::from_std(self.queue.lease).unwrap_or(chrono::Duration::MAX);
        Lease {
            owner: format!("{}/{}", self.id, uuid::Uuid::new_v4().simple()),
            until: now + length,
        }
    }

    /// Counts one YNAB call sent.
    pub(crate) fn count_call(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    /// YNAB requests sent so far: calls plus the client's retries.
    pub(crate) fn requests_sent(&self) -> u64 {
        self.calls.load(Ordering::Relaxed) + self.ynab.usage().retries
    }

    /// When to retry after `attempts` failed attempts; `None` when they
    /// are used up.
    pub(crate) fn retry_at(&self, attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if attempts >= self.queue.max_attempts {
            return None;
        }
        let delay = chrono::Duration::from_std(self.queue.retry_delay(attempts)).ok()?;
        Some(now + delay)
    }
}
