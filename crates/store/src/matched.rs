//! The labelled data set (`matched_transactions`): one row per YNAB
//! transaction matched with its bunq payment, keyed by `match_id` (the
//! transaction's id, as the Python system keyed it). A budget's rows are
//! rebuilt from the current transactions at each training run, so that a
//! category the user changed in YNAB changes the label.
//!
//! Also the readers matching needs: payments of given accounts, and the
//! transactions and categories of one budget.

use std::collections::HashSet;

use chrono::Utc;
use domain::bunq::Payment;
use domain::ynab::Transaction;
use futures::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use serde_json::Value;

use crate::Store;
use crate::bson_json::bson_date;
use crate::bulk::UpsertCounts;
use crate::collections::{MATCHED_TRANSACTIONS, YNAB_CATEGORIES};
use crate::documents::{BUNQ_PAYMENT, Layout, SourceDoc, YNAB_TRANSACTION};
use crate::error::{Result, StoreError};

/// One labelled payment.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchedRow {
    /// The YNAB transaction id (the row's key).
    pub match_id: String,
    /// The transaction's budget.
    pub budget_id: String,
    /// The bunq payment.
    pub payment: Payment,
    /// How the pair was found (`import_id` or `date_window`).
    pub method: String,
    /// Transaction date minus the payment's local date, in days.
    pub day_offset: i64,
    /// The label: the transaction's category.
    pub category_id: String,
    /// The category's name.
    pub category_name: String,
    /// Its group's name.
    pub category_group_name: Option<String>,
}

/// A category's names, for labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryName {
    /// The category id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its group's name.
    pub group: Option<String>,
}

impl Store {
    /// Makes `rows` the labelled rows of `budget_id`: upserts them, then
    /// deletes the budget's rows that are no longer matched (so a reader
    /// never sees fewer than the new set).
    ///
    /// # Errors
    /// A [`StoreError`] naming `matched_transactions`.
    pub async fn replace_matched(
        &self,
        budget_id: &str,
        rows: &[MatchedRow],
        transactions: &[Transaction],
    ) -> Result<UpsertCounts> {
        let docs = rows
            .iter()
            .map(|row| matched_document(row, transactions))
            .collect::<Result<Vec<_>>>()?;
        let mut counts = self
            .upsert_source_docs(MATCHED_TRANSACTIONS, "match_id", &docs, None)
            .await?;

        // The stale ids are found here rather than with `$nin`, which
        // costs the server a look-up per row and key (minutes for 10,000).
        let keep: HashSet<&str> = rows.iter().map(|r| r.match_id.as_str()).collect();
        let collection = self.collection(MATCHED_TRANSACTIONS);
        let find = collection
            .find(doc! { "budget_id": budget_id })
            .projection(doc! { "match_id": 1, "_id": 0 });
        let cursor = self.timed("find", MATCHED_TRANSACTIONS, find).await?;
        let stored: Vec<Document> = self
            .timed("find", MATCHED_TRANSACTIONS, cursor.try_collect())
            .await?;
        let stale: Vec<Bson> = stored
            .iter()
            .filter_map(|d| d.get_str("match_id").ok())
            .filter(|id| !keep.contains(id))
            .map(Bson::from)
            .collect();
        if !stale.is_empty() {
            let filter = doc! { "budget_id": budget_id, "match_id": { "$in": stale } };
            let deleted = self
                .timed(
                    "delete",
                    MATCHED_TRANSACTIONS,
                    collection.delete_many(filter),
                )
                .await?;
            counts.deleted = deleted.deleted_count;
        }
        Ok(counts)
    }

    /// The labelled rows of a budget, oldest payment first.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for a row that no longer parses, or a driver
    /// error.
    pub async fn matched_rows(&self, budget_id: &str) -> Result<Vec<MatchedRow>> {
        let sort = doc! { "payment_created": 1, "payment_id": 1 };
        let documents = self
            .find_all(MATCHED_TRANSACTIONS, doc! { "budget_id": budget_id }, sort)
            .await?;
        documents.iter().map(matched_row).collect()
    }

    /// The stored payments of the given bunq accounts, ordered by id.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] or a driver error.
    pub async fn bunq_payments_of(&self, account_ids: &[i64]) -> Result<Vec<Payment>> {
        let filter = doc! { "monetary_account_id": { "$in": account_ids } };
        let documents = self
            .find_all(BUNQ_PAYMENT.collection, filter, doc! { "id": 1 })
            .await?;
        documents
            .iter()
            .map(|d| {
                parse(&BUNQ_PAYMENT, d, |v| {
                    Payment::from_json(v).map_err(|e| e.to_string())
                })
            })
            .collect()
    }

    /// The stored transactions of a budget (deleted ones included),
    /// ordered by id.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] or a driver error.
    pub async fn ynab_transactions_of(&self, budget_id: &str) -> Result<Vec<Transaction>> {
        let filter = doc! { "budget_id": budget_id };
        let documents = self
            .find_all(YNAB_TRANSACTION.collection, filter, doc! { "id": 1 })
            .await?;
        documents
            .iter()
            .map(|d| {
                parse(&YNAB_TRANSACTION, d, |v| {
                    Transaction::from_json(v).map_err(|e| e.to_string())
                })
            })
            .collect()
    }

    /// The names of a budget's categories (deleted ones included, since
    /// they still label old transactions).
    ///
    /// # Errors
    /// A driver error naming `ynab_categories`.
    pub async fn category_names(&self, budget_id: &str) -> Result<Vec<CategoryName>> {
        let filter = doc! { "budget_id": budget_id };
        let documents = self
            .find_all(YNAB_CATEGORIES, filter, doc! { "id": 1 })
            .await?;
        Ok(documents
            .iter()
            .filter_map(|d| {
                Some(CategoryName {
                    id: d.get_str("id").ok()?.to_owned(),
                    name: d.get_str("name").ok()?.to_owned(),
                    group: d.get_str("category_group_name").ok().map(str::to_owned),
                })
            })
            .collect())
    }

    /// Every document matching `filter`, in `sort` order.
    pub(crate) async fn find_all(
        &self,
        collection: &str,
        filter: Document,
        sort: Document,
    ) -> Result<Vec<Document>> {
        let target = self.collection(collection);
        let cursor = self
            .timed("find", collection, target.find(filter).sort(sort))
            .await?;
        self.timed("find", collection, cursor.try_collect()).await
    }
}

/// A source record rebuilt from its stored document.
fn parse<T>(
    layout: &Layout,
    document: &Document,
    rebuild: impl Fn(&Value) -> Result<T, String>,
) -> Result<T> {
    let object = layout.source_object(document)?;
    rebuild(&Value::Object(object)).map_err(|m| layout.corrupt(document.get(layout.key), &m))
}

/// The stored form of a row: the label, and the payment and transaction
/// as stored in their own collections (dates as BSON dates).
fn matched_document(row: &MatchedRow, transactions: &[Transaction]) -> Result<SourceDoc> {
    let payment = BUNQ_PAYMENT.document(Bson::Int64(row.payment.id), &row.payment.raw, doc! {})?;
    let transaction = transactions
        .iter()
        .find(|t| t.id == row.match_id)
        .map(|t| {
            let added = doc! { "budget_id": &row.budget_id };
            YNAB_TRANSACTION.document(Bson::from(t.id.as_str()), &t.raw, added)
        })
        .transpose()?;
    let fields = doc! {
        "match_id": &row.match_id,
        "budget_id": &row.budget_id,
        "payment_id": row.payment.id,
        "payment_created": bson_date(row.payment.created),
        "method": &row.method,
        "day_offset": row.day_offset,
        "category_id": &row.category_id,
        "category_name": &row.category_name,
        "category_group_name": row.category_group_name.as_deref(),
        "bunq_payment": payment.fields,
        "ynab_transaction": transaction.map_or(Bson::Null, |t| Bson::Document(t.fields)),
        "matched_at": bson_date(Utc::now()),
    };
    Ok(SourceDoc {
        key: Bson::from(row.match_id.as_str()),
        fields,
    })
}

/// A stored row back as a [`MatchedRow`].
fn matched_row(document: &Document) -> Result<MatchedRow> {
    let key = document.get_str("match_id").unwrap_or("?").to_owned();
    let corrupt = |message: String| StoreError::Corrupt {
        collection: MATCHED_TRANSACTIONS.to_owned(),
        key: key.clone(),
        message,
    };
    let text = |field: &str| {
        document
            .get_str(field)
            .map(str::to_owned)
            .map_err(|e| corrupt(format!("{field}: {e}")))
    };
    let payment = document
        .get_document("bunq_payment")
        .map_err(|e| corrupt(format!("bunq_payment: {e}")))?;
    let payment = parse(&BUNQ_PAYMENT, payment, |v| {
        Payment::from_json(v).map_err(|e| e.to_string())
    })?;
    Ok(MatchedRow {
        match_id: key.clone(),
        budget_id: text("budget_id")?,
        payment,
        method: text("method")?,
        day_offset: document.get_i64("day_offset").unwrap_or_default(),
        category_id: text("category_id")?,
        category_name: text("category_name")?,
        category_group_name: document
            .get_str("category_group_name")
            .ok()
            .map(str::to_owned),
    })
}
