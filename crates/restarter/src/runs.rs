//! Recording restarts in the `runs` collection, without ever holding a
//! restart hostage: when MongoDB is down the restart still happens and the
//! failure to record it is logged at `warn`.

use domain::run::RunRecord;
use std::sync::Arc;

use store::{MongoConfig, Store, StoreObserver};
use tokio::sync::Mutex;

/// A lazily connected `runs` writer.
#[derive(Debug)]
pub struct RunLog {
    /// Where to connect; `None` records nothing (tests of `check`).
    config: Option<MongoConfig>,
    /// The store once a connection succeeded; retried on every record
    /// until then, since the restarter may start before MongoDB.
    store: Mutex<Option<Store>>,
    /// Told about every recorded run (metrics and failure notices).
    observer: Option<Arc<dyn StoreObserver>>,
}

impl RunLog {
    /// A log that connects on first use.
    pub fn new(config: Option<MongoConfig>) -> Self {
        Self {
            config,
            store: Mutex::new(None),
            observer: None,
        }
    }

    /// This log, reporting recorded runs to `observer`.
    pub fn with_observer(mut self, observer: Arc<dyn StoreObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Records the start of a run.
    pub async fn start(&self, run: &RunRecord) {
        if let Some(store) = self.store().await
            && let Err(error) = store.insert_run(run).await
        {
            warn_unrecorded(run, &error);
        }
    }

    /// Records how a run ended.
    pub async fn finish(&self, run: &RunRecord) {
        if let Some(store) = self.store().await
            && let Err(error) = store.finish_run(run).await
        {
            warn_unrecorded(run, &error);
        }
    }

    async fn store(&self) -> Option<Store> {
        let config = self.config.as_ref()?;
        let mut slot = self.store.lock().await;
        if slot.is_none() {
            match Store::connect(config).await {
                Ok(store) => {
                    *slot = Some(match &self.observer {
                        Some(observer) => store.with_observer(observer.clone()),
                        None => store,
                    });
                }
                Err(error) => {
                    tracing::warn!(
                        error = %error,
                        "MongoDB is unreachable: the restart goes ahead without being recorded"
                    );
                }
            }
        }
        slot.clone()
    }
}

fn warn_unrecorded(run: &RunRecord, error: &store::StoreError) {
    tracing::warn!(run.id = %run.run_id, error = %error, "could not record the run in runs");
}
