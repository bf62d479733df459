//! What a sync worker reads besides the queue: the claimed payments in one
//! round trip, an account's payments over a range, and the YNAB
//! transaction already holding an import id.

use chrono::{DateTime, Utc};
use domain::bunq::Payment;
use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use serde_json::Value;

use crate::Store;
use crate::bson_json::bson_date;
use crate::collections::{BUNQ_PAYMENTS, YNAB_TRANSACTIONS};
use crate::documents::BUNQ_PAYMENT;
use crate::error::Result;

impl Store {
    /// The stored bunq payments with these ids (absent ones are left out),
    /// in one query.
    ///
    /// # Errors
    /// [`crate::StoreError::Corrupt`] for a document that no longer parses
    /// as a payment, or a driver error.
    pub async fn bunq_payments_by_id(&self, ids: &[i64]) -> Result<Vec<Payment>> {
        let payments = self.collection(BUNQ_PAYMENTS);
        let find = payments
            .find(doc! { "id": { "$in": ids.to_vec() } })
            .sort(doc! { "id": 1 });
        let cursor = self.timed("find", BUNQ_PAYMENTS, find).await?;
        let docs: Vec<Document> = self
            .timed("find", BUNQ_PAYMENTS, cursor.try_collect())
            .await?;
        docs.iter()
            .map(|doc| {
                let raw = BUNQ_PAYMENT.source_object(doc)?;
                Payment::from_json(&Value::Object(raw))
                    .map_err(|e| BUNQ_PAYMENT.corrupt(doc.get("id"), &e.to_string()))
            })
            .collect()
    }

    /// Ids and creation times of one bunq account's stored payments
    /// created in `[from, to)` (either bound may be open), oldest first.
    ///
    /// # Errors
    /// A driver error naming `bunq_payments`.
    pub async fn payments_of_account(
        &self,
        account_id: i64,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<(i64, DateTime<Utc>)>> {
        let mut created = Document::new();
        if let Some(from) = from {
            created.insert("$gte", bson_date(from));
        }
        if let Some(to) = to {
            created.insert("$lt", bson_date(to));
        }
        let mut filter = doc! { "monetary_account_id": account_id };
        if !created.is_empty() {
            filter.insert("created", created);
        }
        let payments = self.collection(BUNQ_PAYMENTS);
        let find = payments
            .find(filter)
            .sort(doc! { "created": 1, "id": 1 })
            .projection(doc! { "id": 1, "created": 1 });
        let cursor = self.timed("find", BUNQ_PAYMENTS, find).await?;
        let docs: Vec<Document> = self
            .timed("find", BUNQ_PAYMENTS, cursor.try_collect())
            .await?;
        Ok(docs
            .iter()
            .filter_map(|d| {
                let id = d.get_i64("id").ok()?;
                let at = d.get_datetime("created").ok()?;
                Some((id, DateTime::from_timestamp_millis(at.timestamp_millis())?))
            })
            .collect())
    }

    /// The id of the stored YNAB transaction of `budget_id` carrying
    /// `import_id`, preferring one that is not deleted.
    ///
    /// # Errors
    /// A driver error naming `ynab_transactions`.
    pub async fn ynab_transaction_by_import_id(
        &self,
        budget_id: &str,
        import_id: &str,
    ) -> Result<Option<String>> {
        let transactions = self.collection(YNAB_TRANSACTIONS);
        let find = transactions
            .find_one(doc! { "budget_id": budget_id, "import_id": import_id })
            .sort(doc! { "deleted": 1 });
        let found = self.timed("find", YNAB_TRANSACTIONS, find).await?;
        Ok(found.and_then(|d| d.get_str("id").ok().map(str::to_owned)))
    }
}
