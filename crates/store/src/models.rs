//! The model registry (`models`): one document per trained version of a
//! budget's category model, with its metrics, the baseline's on the same
//! validation, its categories and the serialised model. Exactly one version
//! per budget is `promoted`; the model server serves that one.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{Binary, Bson, Document, doc, spec::BinarySubtype};
use mongodb::options::UpdateModifications;
use serde::{Deserialize, Serialize};

use crate::Store;
use crate::bson_json::{bson_date, instant};
use crate::collections::MODELS;
use crate::error::{Result, StoreError};

/// Where a version stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelStatus {
    /// Trained, never served.
    Candidate,
    /// The one being served.
    Promoted,
    /// Served before, replaced since.
    Retired,
}

impl ModelStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Candidate => "candidate",
            Self::Promoted => "promoted",
            Self::Retired => "retired",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [Self::Candidate, Self::Promoted, Self::Retired]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// Validation scores of a version (or of the baseline).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelMetrics {
    /// Share predicted right.
    pub accuracy: f64,
    /// Mean per-category F1.
    pub macro_f1: f64,
    /// Support-weighted per-category F1.
    pub weighted_f1: f64,
    /// Accuracy among predictions at or above the sync's threshold.
    pub accuracy_at_threshold: f64,
    /// Share of predictions at or above the sync's threshold.
    pub coverage_at_threshold: f64,
}

/// A category a version can predict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelCategoryRecord {
    /// YNAB category id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its group's name.
    pub group: Option<String>,
}

/// One stored version.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelRecord {
    /// The budget.
    pub budget_id: String,
    /// 1, 2, ... per budget.
    pub version: i64,
    /// The algorithm.
    pub algorithm: String,
    /// Its parameters.
    pub params: serde_json::Value,
    /// Time-ordered validation scores.
    pub metrics: ModelMetrics,
    /// The payee-memory baseline's scores on the same validation.
    pub baseline_metrics: ModelMetrics,
    /// Labelled payments the final model was fitted on.
    pub training_size: i64,
    /// The categories it can predict.
    pub categories: Vec<ModelCategoryRecord>,
    /// When it was trained.
    pub created_at: DateTime<Utc>,
    /// Where it stands.
    pub status: ModelStatus,
    /// The serialised model (`learning::Model::to_bytes`).
    pub model: Vec<u8>,
    /// When it was promoted, if it was.
    pub promoted_at: Option<DateTime<Utc>>,
}

impl Store {
    /// The version number the next model of `budget_id` gets.
    ///
    /// # Errors
    /// A driver error naming `models`.
    pub async fn next_model_version(&self, budget_id: &str) -> Result<i64> {
        let models = self.collection(MODELS);
        let find = models
            .find_one(doc! { "budget_id": budget_id })
            .sort(doc! { "version": -1 })
            .projection(doc! { "version": 1 });
        let last = self.timed("find", MODELS, find).await?;
        Ok(last.and_then(|d| d.get_i64("version").ok()).unwrap_or(0) + 1)
    }

    /// Stores a new version. The unique index on (budget, version) refuses
    /// a second version with the same number.
    ///
    /// # Errors
    /// A driver error naming `models`.
    pub async fn insert_model(&self, record: &ModelRecord) -> Result<()> {
        let models = self.collection(MODELS);
        let insert = models.insert_one(model_document(record)?);
        self.timed("insert", MODELS, insert).await?;
        Ok(())
    }

    /// Every version of a budget, newest first.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for a document that does not parse, or a
    /// driver error.
    pub async fn model_versions(&self, budget_id: &str) -> Result<Vec<ModelRecord>> {
        let filter = doc! { "budget_id": budget_id };
        let documents = self
            .find_all(MODELS, filter, doc! { "version": -1 })
            .await?;
        documents.iter().map(model_record).collect()
    }

    /// The promoted version of a budget, if any.
    ///
    /// # Errors
    /// As [`Store::model_versions`].
    pub async fn promoted_model(&self, budget_id: &str) -> Result<Option<ModelRecord>> {
        let models = self.collection(MODELS);
        let find = models
            .find_one(doc! { "budget_id": budget_id, "status": "promoted" })
            .sort(doc! { "version": -1 });
        let found = self.timed("find", MODELS, find).await?;
        found.as_ref().map(model_record).transpose()
    }

    /// The validation metrics of the promoted version of a budget, if any,
    /// read without the model bytes (what promotion compares against).
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when the metrics do not parse, or a driver
    /// error naming `models`.
    pub async fn promoted_metrics(&self, budget_id: &str) -> Result<Option<ModelMetrics>> {
        let models = self.collection(MODELS);
        let find = models
            .find_one(doc! { "budget_id": budget_id, "status": "promoted" })
            .sort(doc! { "version": -1 })
            .projection(doc! { "_id": 0, "version": 1, "metrics": 1 });
        let found = self.timed("find", MODELS, find).await?;
        found
            .map(|d| {
                let key = format!("{budget_id}/{}", d.get_i64("version").unwrap_or(0));
                d.get_document("metrics")
                    .map(metrics_record)
                    .map_err(|e| StoreError::Corrupt {
                        collection: MODELS.to_owned(),
                        key,
                        message: format!("metrics: {e}"),
                    })
            })
            .transpose()
    }

    /// Makes `version` the promoted one and retires the one before. The
    /// new version is promoted first, so that a reader never finds none;
    /// for that moment two are promoted, and readers take the highest.
    ///
    /// # Errors
    /// A driver error naming `models`, or [`StoreError::Corrupt`] when the
    /// version does not exist.
    pub async fn promote_model(
        &self,
        budget_id: &str,
        version: i64,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let models = self.collection(MODELS);
        let promote = doc! { "$set": { "status": "promoted", "promoted_at": bson_date(at) } };
        let filter = doc! { "budget_id": budget_id, "version": version };
        let updated = self
            .timed("update", MODELS, models.update_one(filter, promote))
            .await?;
        if updated.matched_count == 0 {
            return Err(StoreError::Corrupt {
                collection: MODELS.to_owned(),
                key: format!("{budget_id}/{version}"),
                message: "no such model version".to_owned(),
            });
        }
        let others =
            doc! { "budget_id": budget_id, "status": "promoted", "version": { "$ne": version } };
        let retire = UpdateModifications::Document(doc! { "$set": { "status": "retired" } });
        self.timed("update", MODELS, models.update_many(others, retire))
            .await?;
        Ok(())
    }

    /// Deletes the versions of a budget beyond the `keep` newest, except
    /// the promoted one. Returns how many went.
    ///
    /// # Errors
    /// A driver error naming `models`.
    pub async fn prune_models(&self, budget_id: &str, keep: usize) -> Result<u64> {
        // Version numbers only: the documents also hold the model bytes.
        let models = self.collection(MODELS);
        let find = models
            .find(doc! { "budget_id": budget_id })
            .sort(doc! { "version": -1 })
            .projection(doc! { "_id": 0, "version": 1 });
        let cursor = self.timed("find", MODELS, find).await?;
        let found: Vec<Document> = self.timed("find", MODELS, cursor.try_collect()).await?;
        let versions: Vec<i64> = found
            .iter()
            .filter_map(|d| d.get_i64("version").ok())
            .collect();
        let Some(&oldest_kept) = versions.get(keep.saturating_sub(1)) else {
            return Ok(0);
        };
        let doomed = doc! {
            "budget_id": budget_id,
            "version": { "$lt": oldest_kept },
            "status": { "$ne": "promoted" },
        };
        let deleted = self
            .timed("delete", MODELS, models.delete_many(doomed))
            .await?;
        Ok(deleted.deleted_count)
    }
}

fn metrics_document(m: &ModelMetrics) -> Document {
    doc! {
        "accuracy": m.accuracy,
        "macro_f1": m.macro_f1,
        "weighted_f1": m.weighted_f1,
        "accuracy_at_threshold": m.accuracy_at_threshold,
        "coverage_at_threshold": m.coverage_at_threshold,
    }
}

fn metrics_record(m: &Document) -> ModelMetrics {
    let f = |k: &str| m.get_f64(k).unwrap_or_default();
    ModelMetrics {
        accuracy: f("accuracy"),
        macro_f1: f("macro_f1"),
        weighted_f1: f("weighted_f1"),
        accuracy_at_threshold: f("accuracy_at_threshold"),
        coverage_at_threshold: f("coverage_at_threshold"),
    }
}

fn model_document(r: &ModelRecord) -> Result<Document> {
    let params = mongodb::bson::to_bson(&r.params).map_err(|e| StoreError::Record {
        collection: MODELS.to_owned(),
        key: format!("{}/{}", r.budget_id, r.version),
        message: format!("params: {e}"),
    })?;
    let categories: Vec<Document> = r
        .categories
        .iter()
        .map(|c| doc! { "id": &c.id, "name": &c.name, "group": c.group.as_deref() })
        .collect();
    Ok(doc! {
        "budget_id": &r.budget_id,
        "version": r.version,
        "algorithm": &r.algorithm,
        "params": params,
        "metrics": metrics_document(&r.metrics),
        "baseline_metrics": metrics_document(&r.baseline_metrics),
        "training_size": r.training_size,
        "categories": categories,
        "created_at": bson_date(r.created_at),
        "status": r.status.as_str(),
        "model": Binary { subtype: BinarySubtype::Generic, bytes: r.model.clone() },
        "promoted_at": r.promoted_at.map(bson_date),
    })
}

fn model_record(d: &Document) -> Result<ModelRecord> {
    let key = format!(
        "{}/{}",
        d.get_str("budget_id").unwrap_or("?"),
        d.get_i64("version").unwrap_or(0)
    );
    let corrupt = |message: String| StoreError::Corrupt {
        collection: MODELS.to_owned(),
        key: key.clone(),
        message,
    };
    let field = |name: &str| d.get(name).ok_or_else(|| corrupt(format!("no {name}")));
    let metrics = |name: &str| -> Result<ModelMetrics> {
        d.get_document(name)
            .map(metrics_record)
            .map_err(|e| corrupt(format!("{name}: {e}")))
    };
    let date = |name: &str| match d.get(name) {
        Some(Bson::DateTime(t)) => instant(*t),
        _ => None,
    };
    let status = d.get_str("status").ok().and_then(ModelStatus::parse);
    let model = match field("model")? {
        Bson::Binary(b) => b.bytes.clone(),
        _ => return Err(corrupt("model is not binary".into())),
    };
    let categories = d
        .get_array("categories")
        .map_err(|e| corrupt(format!("categories: {e}")))?
        .iter()
        .filter_map(Bson::as_document)
        .map(|c| ModelCategoryRecord {
            id: c.get_str("id").unwrap_or_default().to_owned(),
            name: c.get_str("name").unwrap_or_default().to_owned(),
            group: c.get_str("group").ok().map(str::to_owned),
        })
        .collect();
    Ok(ModelRecord {
        budget_id: d
            .get_str("budget_id")
            .map_err(|e| corrupt(e.to_string()))?
            .to_owned(),
        version: d.get_i64("version").map_err(|e| corrupt(e.to_string()))?,
        algorithm: d.get_str("algorithm").unwrap_or_default().to_owned(),
        params: field("params")?.clone().into_relaxed_extjson(),
        metrics: metrics("metrics")?,
        baseline_metrics: metrics("baseline_metrics")?,
        training_size: d.get_i64("training_size").unwrap_or_default(),
        categories,
        created_at: date("created_at").ok_or_else(|| corrupt("created_at is not a date".into()))?,
        status: status.ok_or_else(|| corrupt("unknown status".into()))?,
        model,
        promoted_at: date("promoted_at"),
    })
}
