//! Reads of the model registry (`models`) for the model server: which
//! version of each budget is promoted, without fetching any model bytes,
//! and a change stream that says when the registry changed.

use std::collections::BTreeMap;

use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use mongodb::change_stream::ChangeStream;
use mongodb::change_stream::event::ChangeStreamEvent;

use crate::Store;
use crate::collections::MODELS;
use crate::error::Result;

impl Store {
    /// The promoted version of every budget that has one. While a
    /// promotion is under way two versions of a budget can be promoted
    /// for a moment; the highest wins, as in [`Store::promoted_model`].
    ///
    /// # Errors
    /// A driver error or timeout naming `models`.
    pub async fn promoted_versions(&self) -> Result<BTreeMap<String, i64>> {
        let models = self.collection(MODELS);
        let find = models
            .find(doc! { "status": "promoted" })
            .projection(doc! { "_id": 0, "budget_id": 1, "version": 1 });
        let cursor = self.timed("find", MODELS, find).await?;
        let documents: Vec<Document> = self.timed("find", MODELS, cursor.try_collect()).await?;

        let mut promoted = BTreeMap::new();
        for document in documents {
            let (Ok(budget_id), Ok(version)) =
                (document.get_str("budget_id"), document.get_i64("version"))
            else {
                continue;
            };
            let highest = promoted.entry(budget_id.to_owned()).or_insert(version);
            *highest = (*highest).max(version);
        }
        Ok(promoted)
    }

    /// A change stream over `models`: any insert, update or delete. Only a
    /// replica set (or sharded cluster) has change streams; a standalone
    /// server refuses, and callers fall back to polling.
    ///
    /// # Errors
    /// A driver error naming `models` when the server refuses the stream.
    pub async fn watch_models(&self) -> Result<ChangeStream<ChangeStreamEvent<Document>>> {
        let models = self.collection(MODELS);
        self.timed("watch", MODELS, models.watch()).await
    }
}
