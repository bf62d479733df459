//! `payment_classifications`: the category suggestion made for each
//! payment, with the model version, the confidence, whether it was used and,
//! when there was none, why. One document per payment (a re-sync replaces
//! it).

use chrono::{DateTime, Utc};
use mongodb::bson::{Document, doc};

use crate::Store;
use crate::bson_json::bson_date;
use crate::collections::PAYMENT_CLASSIFICATIONS;
use crate::error::Result;

/// One classification as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassificationRecord {
    /// The bunq payment.
    pub payment_id: i64,
    /// The YNAB budget whose model was asked.
    pub budget_id: String,
    /// `used`, `below_threshold`, `unavailable` or `error`.
    pub outcome: String,
    /// The model version that answered, if one did.
    pub model_version: Option<String>,
    /// The suggested category, if any.
    pub category_id: Option<String>,
    /// Its name.
    pub category_name: Option<String>,
    /// The model's confidence in it.
    pub confidence: Option<f64>,
    /// The threshold it was held against.
    pub threshold: f64,
    /// Whether the transaction was created with it.
    pub used: bool,
    /// Why there was no usable suggestion.
    pub message: Option<String>,
    /// When it was asked.
    pub classified_at: DateTime<Utc>,
}

impl ClassificationRecord {
    fn document(&self) -> Document {
        doc! {
            "payment_id": self.payment_id,
            "budget_id": &self.budget_id,
            "outcome": &self.outcome,
            "model_version": self.model_version.as_deref(),
            "category_id": self.category_id.as_deref(),
            "category_name": self.category_name.as_deref(),
            "confidence": self.confidence,
            "threshold": self.threshold,
            "used": self.used,
            "message": self.message.as_deref(),
            "classified_at": bson_date(self.classified_at),
        }
    }
}

impl Store {
    /// Stores classifications by `payment_id`, in one command per 1,000.
    ///
    /// # Errors
    /// A driver error naming `payment_classifications`.
    pub async fn record_classifications(&self, records: &[ClassificationRecord]) -> Result<()> {
        let statements = records
            .iter()
            .map(|r| {
                doc! { "q": { "payment_id": r.payment_id }, "u": { "$set": r.document() }, "upsert": true }
            })
            .collect();
        self.run_updates(PAYMENT_CLASSIFICATIONS, statements, None)
            .await?;
        if let Some(observer) = self.observer() {
            observer.classified(records);
        }
        Ok(())
    }

    /// The stored classification of a payment, as a raw document.
    ///
    /// # Errors
    /// A driver error naming `payment_classifications`.
    pub async fn classification(&self, payment_id: i64) -> Result<Option<Document>> {
        let collection = self.collection(PAYMENT_CLASSIFICATIONS);
        let find = collection.find_one(doc! { "payment_id": payment_id });
        self.timed("find", PAYMENT_CLASSIFICATIONS, find).await
    }
}
