//! The labelled data set (`matched_transactions`): one row per YNAB
//! transaction matched with its bunq payment, keyed by `match_id` (the
//! transaction's id, as the Python system keyed it). A budget's rows are
//! rebuilt from the current transactions at each training run, so that a
//! category the user changed in YNAB changes the label.
//!
//! Each stored row carries a `fingerprint`: a hash of everything else in
//! it but `matched_at` (when the row was last written). A refresh reads the
//! budget's stored fingerprints and writes only the rows that are new or
//! whose fingerprint differs, so a weekly run over an unchanged history
//! writes nothing. The fingerprint is written with its row, in the same
//! document, so it always describes what is stored.
//!
//! Also the readers matching needs: payments of given accounts, and the
//! transactions and categories of one budget.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::Utc;
use domain::bunq::Payment;
use domain::time::millis;
use domain::ynab::Transaction;
use futures::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::Store;
use crate::bson_json::bson_date;
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

/// The field that holds a row's content hash.
const FINGERPRINT: &str = "fingerprint";

/// Rows built and written at a time.
const WRITE_CHUNK: usize = 500;

/// What [`Store::replace_matched`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MatchedCounts {
    /// Rows the budget did not have yet, inserted.
    pub inserted: u64,
    /// Stored rows whose content changed (a new label, an edited payment
    /// or transaction, another pairing), rewritten.
    pub updated: u64,
    /// Stored rows with the same fingerprint, not sent to the server.
    pub unchanged: u64,
    /// The budget's rows that are no longer matched, deleted.
    pub deleted: u64,
}

impl MatchedCounts {
    /// Rows sent to the server (inserted or rewritten).
    pub fn written(&self) -> u64 {
        self.inserted + self.updated
    }
}

impl Store {
    /// Makes `rows` the labelled rows of `budget_id`. Reads the budget's
    /// stored keys and fingerprints; inserts the rows it does not have,
    /// upserts the rows whose fingerprint differs, leaves the others
    /// alone, and then deletes the budget's rows that are no longer
    /// matched, so a reader never sees fewer than the new set.
    /// `transactions` are the budget's YNAB transactions, which each row
    /// embeds.
    ///
    /// # Errors
    /// A [`StoreError`] naming `matched_transactions`.
    pub async fn replace_matched(
        &self,
        budget_id: &str,
        rows: &[MatchedRow],
        transactions: &[Transaction],
    ) -> Result<MatchedCounts> {
        let clock = Instant::now();
        let transactions: HashMap<&str, &Transaction> =
            transactions.iter().map(|t| (t.id.as_str(), t)).collect();
        let transaction_of = |row: &MatchedRow| transactions.get(row.match_id.as_str()).copied();
        // Fingerprints first, each row's document dropped once hashed: the
        // documents of a whole history would hold every payment and
        // transaction a second time. Documents are built again, a chunk
        // at a time, only for the rows that are written.
        let fingerprints = rows
            .iter()
            .map(|row| fingerprint(&row_fields(row, transaction_of(row))?))
            .collect::<Result<Vec<String>>>()?;
        let build_ms = millis(clock.elapsed());

        // Only keys and fingerprints are read. Stale ids are found here
        // rather than with `$nin`, which costs the server a look-up per
        // row and key (minutes for 10,000).
        let clock = Instant::now();
        let collection = self.collection(MATCHED_TRANSACTIONS);
        let find = collection
            .find(doc! { "budget_id": budget_id })
            .projection(doc! { "match_id": 1, FINGERPRINT: 1, "_id": 0 });
        let cursor = self.timed("find", MATCHED_TRANSACTIONS, find).await?;
        let stored_docs: Vec<Document> = self
            .timed("find", MATCHED_TRANSACTIONS, cursor.try_collect())
            .await?;
        let stored: HashMap<&str, Option<&str>> = stored_docs
            .iter()
            .filter_map(|d| Some((d.get_str("match_id").ok()?, d.get_str(FINGERPRINT).ok())))
            .collect();

        let mut counts = MatchedCounts::default();
        let (mut new, mut changed) = (Vec::new(), Vec::new());
        for (index, (row, fingerprint)) in rows.iter().zip(&fingerprints).enumerate() {
            match stored.get(row.match_id.as_str()) {
                None => new.push(index),
                Some(old) if *old == Some(fingerprint.as_str()) => counts.unchanged += 1,
                Some(_) => changed.push(index),
            }
        }
        let read_ms = millis(clock.elapsed());

        let clock = Instant::now();
        let documents = |indices: &[usize]| {
            indices
                .iter()
                .map(|&i| stored_document(&rows[i], transaction_of(&rows[i]), &fingerprints[i]))
                .collect::<Result<Vec<SourceDoc>>>()
        };
        for chunk in new.chunks(WRITE_CHUNK) {
            let written = self
                .insert_source_docs(MATCHED_TRANSACTIONS, "match_id", &documents(chunk)?)
                .await?;
            counts.inserted += written.upserted;
            counts.updated += written.matched;
        }
        for chunk in changed.chunks(WRITE_CHUNK) {
            let written = self
                .upsert_source_docs(MATCHED_TRANSACTIONS, "match_id", &documents(chunk)?, None)
                .await?;
            counts.inserted += written.upserted;
            counts.updated += written.matched;
        }
        let write_ms = millis(clock.elapsed());

        let keep: HashSet<&str> = rows.iter().map(|r| r.match_id.as_str()).collect();
        let stale: Vec<Bson> = stored
            .keys()
            .filter(|id| !keep.contains(*id))
            .map(|id| Bson::from(*id))
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
        tracing::debug!(
            budget.id = budget_id,
            build_ms,
            read_ms,
            write_ms,
            inserted = counts.inserted,
            updated = counts.updated,
            unchanged = counts.unchanged,
            deleted = counts.deleted,
            "matched rows replaced"
        );
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

    /// The stored payments of the given bunq accounts, ordered by id
    /// (sorted here: a server-side sort costs the test server more than
    /// the read).
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] or a driver error.
    pub async fn bunq_payments_of(&self, account_ids: &[i64]) -> Result<Vec<Payment>> {
        let filter = doc! { "monetary_account_id": { "$in": account_ids } };
        let mut payments = self
            .find_parsed(BUNQ_PAYMENT.collection, filter, |d| {
                parse(&BUNQ_PAYMENT, d, |v| {
                    Payment::from_json(v).map_err(|e| e.to_string())
                })
            })
            .await?;
        payments.sort_unstable_by_key(|p| p.id);
        Ok(payments)
    }

    /// The stored transactions of a budget (deleted ones included),
    /// ordered by id (sorted here, as the payments).
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] or a driver error.
    pub async fn ynab_transactions_of(&self, budget_id: &str) -> Result<Vec<Transaction>> {
        let filter = doc! { "budget_id": budget_id };
        let mut transactions = self
            .find_parsed(YNAB_TRANSACTION.collection, filter, |d| {
                parse(&YNAB_TRANSACTION, d, |v| {
                    Transaction::from_json(v).map_err(|e| e.to_string())
                })
            })
            .await?;
        transactions.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        Ok(transactions)
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

    /// Every document matching `filter`, in `sort` order (in the server's
    /// order when `sort` is empty).
    pub(crate) async fn find_all(
        &self,
        collection: &str,
        filter: Document,
        sort: Document,
    ) -> Result<Vec<Document>> {
        let target = self.collection(collection);
        let mut find = target.find(filter);
        if !sort.is_empty() {
            find = find.sort(sort);
        }
        let cursor = self.timed("find", collection, find).await?;
        self.timed("find", collection, cursor.try_collect()).await
    }

    /// Every document matching `filter`, each parsed as it arrives and
    /// then dropped, so the documents of a whole history are never held
    /// at once. One operation timeout bounds the whole read.
    async fn find_parsed<T>(
        &self,
        collection: &str,
        filter: Document,
        parse: impl Fn(&Document) -> Result<T>,
    ) -> Result<Vec<T>> {
        let target = self.collection(collection);
        let mut cursor = self.timed("find", collection, target.find(filter)).await?;
        let read = async {
            let mut parsed = Vec::new();
            while let Some(document) = cursor
                .try_next()
                .await
                .map_err(|source| StoreError::driver("find", collection, source))?
            {
                parsed.push(parse(&document)?);
            }
            Ok(parsed)
        };
        self.bounded("find", collection, read).await
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

/// What a stored row holds but its fingerprint and `matched_at`: the
/// label, and the payment and transaction as stored in their own
/// collections (dates as BSON dates).
fn row_fields(row: &MatchedRow, transaction: Option<&Transaction>) -> Result<Document> {
    let payment = BUNQ_PAYMENT.document(Bson::Int64(row.payment.id), &row.payment.raw, doc! {})?;
    let transaction = transaction
        .map(|t| {
            let added = doc! { "budget_id": &row.budget_id };
            YNAB_TRANSACTION.document(Bson::from(t.id.as_str()), &t.raw, added)
        })
        .transpose()?;
    Ok(doc! {
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
    })
}

/// The stored form of a row: [`row_fields`], their `fingerprint` and
/// `matched_at` (when the row was last written).
fn stored_document(
    row: &MatchedRow,
    transaction: Option<&Transaction>,
    fingerprint: &str,
) -> Result<SourceDoc> {
    let mut fields = row_fields(row, transaction)?;
    fields.insert(FINGERPRINT, fingerprint);
    fields.insert("matched_at", bson_date(Utc::now()));
    Ok(SourceDoc {
        key: Bson::from(row.match_id.as_str()),
        fields,
    })
}

/// A stable content hash of a row's fields: SHA-256 of their BSON bytes
/// (fields in the order written), the first 128 bits in hex. Any change
/// of label, pairing, payment or transaction changes it; the same content
/// gives the same value in every process and version of this code that
/// builds the row the same way.
fn fingerprint(fields: &Document) -> Result<String> {
    let mut bytes = Vec::with_capacity(4096);
    fields
        .to_writer(&mut bytes)
        .map_err(|e| StoreError::Record {
            collection: MATCHED_TRANSACTIONS.to_owned(),
            key: fields.get_str("match_id").unwrap_or("?").to_owned(),
            message: format!("cannot serialise the row: {e}"),
        })?;
    let digest = Sha256::digest(&bytes);
    Ok(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
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
