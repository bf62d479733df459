//! The loaded models, one per budget: the version promoted in MongoDB.
//! Readers take an `Arc` of a model from a lock-free snapshot, so a reload
//! that swaps in a new version never waits for, nor fails, a request in
//! flight: that request finishes on the version it started with.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};

/// One served model.
#[derive(Debug)]
pub struct LoadedModel {
    /// The model name: the YNAB budget id.
    pub name: String,
    /// Its version number in `models`.
    pub version: i64,
    /// The version as the protocol shows it (`"3"`).
    pub version_label: String,
    /// The model itself.
    pub model: learning::Model,
    /// When this server loaded it.
    pub loaded_at: DateTime<Utc>,
}

impl LoadedModel {
    /// A model of budget `name` at `version`, loaded now.
    pub fn new(name: &str, version: i64, model: learning::Model) -> Self {
        Self {
            name: name.to_owned(),
            version,
            version_label: version.to_string(),
            model,
            loaded_at: Utc::now(),
        }
    }
}

type Models = BTreeMap<String, Arc<LoadedModel>>;

/// The models being served. Cheap to read from many tasks at once; written
/// by the watcher alone.
#[derive(Debug, Default)]
pub struct Registry {
    models: ArcSwap<Models>,
}

impl Registry {
    /// An empty registry: nothing is ready.
    pub fn new() -> Self {
        Self::default()
    }

    /// The model served under `name`.
    pub fn get(&self, name: &str) -> Option<Arc<LoadedModel>> {
        self.models.load().get(name).cloned()
    }

    /// Whether nothing is loaded.
    pub fn is_empty(&self) -> bool {
        self.models.load().is_empty()
    }

    /// How many models are loaded.
    pub fn len(&self) -> usize {
        self.models.load().len()
    }

    /// The loaded version of each model.
    pub fn versions(&self) -> BTreeMap<String, i64> {
        let models = self.models.load();
        models.iter().map(|(k, m)| (k.clone(), m.version)).collect()
    }

    /// Serves `model` under its name from now on, in place of any other
    /// version. Requests already holding the old one finish with it.
    pub fn install(&self, model: LoadedModel) {
        let model = Arc::new(model);
        self.models.rcu(|current| {
            let mut next = Models::clone(current);
            next.insert(model.name.clone(), Arc::clone(&model));
            next
        });
    }

    /// Stops serving every model whose name is not in `keep`; returns the
    /// names dropped.
    pub fn retain(&self, keep: &BTreeSet<String>) -> Vec<String> {
        let current = self.models.load();
        let gone: Vec<String> = current
            .keys()
            .filter(|k| !keep.contains(*k))
            .cloned()
            .collect();
        if !gone.is_empty() {
            self.models.rcu(|current| {
                let mut next = Models::clone(current);
                next.retain(|k, _| keep.contains(k));
                next
            });
        }
        gone
    }
}
