//! Live reload: keeps the [`Registry`] in step with the promoted versions
//! in `models`. A change stream wakes the watcher at once on a replica set;
//! a poll every few seconds covers standalone servers and lost streams.
//! When MongoDB is unreachable the loaded models stay in service.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use store::Store;
use tokio::sync::Notify;
use tracing::{debug, info, warn};

use crate::registry::{LoadedModel, Registry};

/// What one refresh changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refresh {
    /// Models loaded or replaced, with their new version.
    pub loaded: Vec<(String, i64)>,
    /// Models no longer promoted, dropped.
    pub dropped: Vec<String>,
    /// Promoted versions that could not be read or decoded (still served
    /// at their previous version, if any).
    pub failed: Vec<(String, i64)>,
}

/// Reads promoted versions and loads what changed into the registry.
#[derive(Debug)]
pub struct Watcher {
    store: Store,
    registry: Arc<Registry>,
    /// Versions that failed to decode: not retried until a new version is
    /// promoted, so a broken document costs one warning, not one per poll.
    broken: BTreeSet<(String, i64)>,
}

impl Watcher {
    /// A watcher filling `registry` from `store`.
    pub fn new(store: Store, registry: Arc<Registry>) -> Self {
        Self {
            store,
            registry,
            broken: BTreeSet::new(),
        }
    }

    /// Brings the registry in step with `models` once.
    ///
    /// # Errors
    /// When the promoted versions cannot be listed (MongoDB unreachable);
    /// the registry is then left as it was.
    pub async fn refresh(&mut self) -> Result<Refresh, store::StoreError> {
        let promoted = self.store.promoted_versions().await?;
        let loaded = self.registry.versions();
        let mut refresh = Refresh::default();

        for (budget_id, version) in &promoted {
            let current = loaded.get(budget_id).copied();
            let key = (budget_id.clone(), *version);
            if current == Some(*version) || self.broken.contains(&key) {
                continue;
            }
            match self.load(budget_id, *version).await {
                Ok(model) => {
                    info!(budget.id = %budget_id, model.version = model.version, previous = ?current, "model loaded");
                    refresh.loaded.push((budget_id.clone(), model.version));
                    self.registry.install(model);
                }
                Err(reason) => {
                    warn!(budget.id = %budget_id, model.version = version, error = %reason, "promoted model not loaded; serving the previous one if any");
                    self.broken.insert(key.clone());
                    refresh.failed.push(key);
                }
            }
        }

        refresh.dropped = self.drop_unpromoted(&promoted);
        record(&self.registry, &refresh);
        Ok(refresh)
    }

    /// Reads and decodes the promoted model of a budget.
    async fn load(&self, budget_id: &str, version: i64) -> Result<LoadedModel, String> {
        let record = self
            .store
            .promoted_model(budget_id)
            .await
            .map_err(|e| format!("{e:#}"))?
            .ok_or_else(|| format!("version {version} is no longer promoted"))?;
        let bytes = record.model;
        let version = record.version;
        // Decoding a large model is CPU work: keep it off the async workers.
        let decoded = tokio::task::spawn_blocking(move || learning::Model::from_bytes(&bytes))
            .await
            .map_err(|e| format!("decoding task failed: {e}"))?
            .map_err(|e| e.to_string())?;
        Ok(LoadedModel::new(budget_id, version, decoded))
    }

    fn drop_unpromoted(&self, promoted: &BTreeMap<String, i64>) -> Vec<String> {
        let keep: BTreeSet<String> = promoted.keys().cloned().collect();
        let dropped = self.registry.retain(&keep);
        for name in &dropped {
            info!(budget.id = %name, "model no longer promoted; unloaded");
        }
        dropped
    }

    /// Refreshes now, then whenever `models` changes and at least every
    /// `poll_interval`, until `shutdown` resolves.
    pub async fn run(mut self, poll_interval: Duration, shutdown: impl Future<Output = ()>) {
        let changed = Arc::new(Notify::new());
        let stream = tokio::spawn(follow_changes(
            self.store.clone(),
            Arc::clone(&changed),
            poll_interval,
        ));
        tokio::pin!(shutdown);
        loop {
            match self.refresh().await {
                Ok(refresh) => debug!(?refresh, "models refreshed"),
                Err(error) => {
                    metrics::counter!("model_server_refresh_failures_total").increment(1);
                    warn!(
                        error = format!("{error:#}"),
                        models.loaded = self.registry.len(),
                        "could not read the model registry; serving what is loaded"
                    );
                }
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = changed.notified() => {}
                () = tokio::time::sleep(poll_interval) => {}
            }
        }
        stream.abort();
    }
}

/// Notifies `changed` on every change to `models`, reopening the stream
/// after an error. Where change streams do not exist (a standalone
/// server), it asks again only now and then: polling does the work.
async fn follow_changes(store: Store, changed: Arc<Notify>, retry: Duration) {
    /// How much longer to wait before asking a server that refused a
    /// change stream again.
    const REFUSED_FACTOR: u32 = 12;
    loop {
        let wait = match store.watch_models().await {
            Ok(mut stream) => {
                debug!("following changes to models");
                while let Some(event) = stream.next().await {
                    if let Err(error) = event {
                        warn!(error = %error, "model change stream broke; reopening");
                        break;
                    }
                    changed.notify_one();
                }
                // Something may have changed while the stream was down.
                changed.notify_one();
                retry
            }
            Err(error) => {
                debug!(
                    error = format!("{error:#}"),
                    "no change stream on models; polling only"
                );
                retry * REFUSED_FACTOR
            }
        };
        tokio::time::sleep(wait).await;
    }
}

/// Gauges of what is loaded after a refresh.
fn record(registry: &Registry, refresh: &Refresh) {
    metrics::gauge!("model_server_models_loaded").set(registry.len() as f64);
    for (name, version) in &refresh.loaded {
        metrics::counter!("model_server_reloads_total", "outcome" => "loaded").increment(1);
        metrics::gauge!("model_server_model_version", "model" => name.clone()).set(*version as f64);
    }
    for _ in &refresh.failed {
        metrics::counter!("model_server_reloads_total", "outcome" => "failed").increment(1);
    }
}
