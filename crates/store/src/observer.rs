//! Hooks for what happens in the store: a run finished, queue entries got
//! their outcome, classifications were recorded. Services attach one
//! [`StoreObserver`] (metrics and failure notices) with
//! [`Store::with_observer`], so every writer of these records reports them
//! the same way without each call site remembering to.

use std::sync::Arc;

use domain::run::RunRecord;

use crate::{ClassificationRecord, EntryOutcome, Store};

/// Told about records after they were written. Methods must return quickly
/// (spawn anything slow): they run on the writer's task.
pub trait StoreObserver: Send + Sync + std::fmt::Debug {
    /// A run's end was recorded.
    fn run_finished(&self, _run: &RunRecord) {}

    /// Outcomes of claimed queue entries were recorded.
    fn entries_finished(&self, _outcomes: &[EntryOutcome]) {}

    /// Category suggestions were recorded.
    fn classified(&self, _records: &[ClassificationRecord]) {}
}

impl Store {
    /// This store (and its later clones) reporting to `observer`.
    pub fn with_observer(mut self, observer: Arc<dyn StoreObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The observer, if one is attached.
    pub(crate) fn observer(&self) -> Option<&dyn StoreObserver> {
        self.observer.as_deref()
    }
}
