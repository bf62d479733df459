//! Bulk writes: many statements in one `update` or `delete` command, so a
//! batch of records costs one round trip, never one per record.
//!
//! Upserts `$set` the source's fields and `$setOnInsert` `first_seen_at`,
//! and stamp nothing that changes on every call: storing identical data a
//! second time modifies no document, which is how callers (and tests) can
//! tell a repeated ingest from a real change. Fields a source stops
//! sending stay in the stored document.

use chrono::Utc;
use mongodb::ClientSession;
use mongodb::bson::{Bson, Document, doc};

use crate::Store;
use crate::bson_json::bson_date;
use crate::documents::{FIRST_SEEN_AT, SourceDoc};
use crate::error::{Result, StoreError};

/// The most statements sent in one command. The server accepts up to
/// 100,000, but 1,000 keeps each command far below the 16 MiB limit for
/// source records of a few KiB.
pub const MAX_BATCH: usize = 1_000;

/// What a bulk write did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpsertCounts {
    /// Existing documents the statements matched.
    pub matched: u64,
    /// Matched documents that actually changed.
    pub modified: u64,
    /// New documents inserted.
    pub upserted: u64,
    /// Documents removed because a full load no longer had them.
    pub deleted: u64,
}

impl std::ops::AddAssign for UpsertCounts {
    fn add_assign(&mut self, other: Self) {
        self.matched += other.matched;
        self.modified += other.modified;
        self.upserted += other.upserted;
        self.deleted += other.deleted;
    }
}

impl Store {
    /// Upserts source documents by `key`.
    pub(crate) async fn upsert_source_docs(
        &self,
        collection: &str,
        key: &str,
        docs: &[SourceDoc],
        session: Option<&mut ClientSession>,
    ) -> Result<UpsertCounts> {
        let now = bson_date(Utc::now());
        let statements = docs
            .iter()
            .map(|d| {
                doc! {
                    "q": { key: d.key.clone() },
                    "u": {
                        "$set": d.fields.clone(),
                        "$setOnInsert": { FIRST_SEEN_AT: now.clone() },
                    },
                    "upsert": true,
                }
            })
            .collect();
        self.run_updates(collection, statements, session).await
    }

    /// Inserts source documents the caller believes new, in batches of
    /// [`MAX_BATCH`], unordered, each with `first_seen_at`. An insert is
    /// far cheaper for the server than an upsert (no look-up, no update
    /// operators). A document whose key turns out to exist already (a
    /// concurrent writer, a stale belief) is upserted instead, so the
    /// outcome is always that of [`Store::upsert_source_docs`].
    pub(crate) async fn insert_source_docs(
        &self,
        collection: &str,
        key: &str,
        docs: &[SourceDoc],
    ) -> Result<UpsertCounts> {
        let now = bson_date(Utc::now());
        let mut total = UpsertCounts::default();
        let mut existing = Vec::new();
        for batch in docs.chunks(MAX_BATCH) {
            let documents: Vec<Document> = batch
                .iter()
                .map(|d| {
                    let mut fields = d.fields.clone();
                    fields.insert(FIRST_SEEN_AT, now.clone());
                    fields
                })
                .collect();
            let command = doc! {
                "insert": collection,
                "documents": documents,
                "ordered": false,
            };
            let action = self.db.run_command(command);
            let reply = self.timed("bulk insert", collection, action).await?;
            let (duplicates, refused): (Vec<&Document>, Vec<&Document>) = write_errors(&reply)
                .into_iter()
                .partition(|e| read_count(e, "code") == DUPLICATE_KEY);
            let concern = reply.get_document("writeConcernError").ok();
            refusal("bulk insert", collection, &refused, concern)?;
            existing.extend(
                duplicates
                    .iter()
                    .filter_map(|e| usize::try_from(read_count(e, "index")).ok())
                    .filter_map(|i| batch.get(i).cloned()),
            );
            total.upserted += read_count(&reply, "n");
            tracing::debug!(
                mongo.collection = collection,
                batch.size = batch.len(),
                inserted = read_count(&reply, "n"),
                "bulk insert"
            );
        }
        if !existing.is_empty() {
            total += self
                .upsert_source_docs(collection, key, &existing, None)
                .await?;
        }
        Ok(total)
    }

    /// Sends update statements (`{q, u, upsert}`) in batches of
    /// [`MAX_BATCH`], unordered, so one refused statement does not stop
    /// the others; any refusal is still reported as an error.
    pub(crate) async fn run_updates(
        &self,
        collection: &str,
        mut statements: Vec<Document>,
        mut session: Option<&mut ClientSession>,
    ) -> Result<UpsertCounts> {
        let mut total = UpsertCounts::default();
        while !statements.is_empty() {
            let rest = statements.split_off(statements.len().min(MAX_BATCH));
            let size = statements.len();
            let command = doc! {
                "update": collection,
                "updates": std::mem::replace(&mut statements, rest),
                "ordered": false,
            };

            let reply = self
                .run_write("bulk upsert", collection, command, session.as_deref_mut())
                .await?;
            let counts = update_counts(&reply);
            tracing::debug!(
                mongo.collection = collection,
                batch.size = size,
                upserted = counts.upserted,
                modified = counts.modified,
                "bulk upsert"
            );
            total += counts;
        }
        Ok(total)
    }

    /// Deletes every document of `collection` whose `key` is not in `keep`,
    /// in one command, and says how many went.
    pub(crate) async fn delete_missing(
        &self,
        collection: &str,
        key: &str,
        keep: Vec<Bson>,
        session: Option<&mut ClientSession>,
    ) -> Result<u64> {
        let command = doc! {
            "delete": collection,
            "deletes": [{ "q": { key: { "$nin": keep } }, "limit": 0 }],
        };
        let reply = self
            .run_write("delete vanished", collection, command, session)
            .await?;
        Ok(read_count(&reply, "n"))
    }

    /// Runs a write command, in `session` when given, and turns refused
    /// statements into an error.
    async fn run_write(
        &self,
        operation: &'static str,
        collection: &str,
        command: Document,
        session: Option<&mut ClientSession>,
    ) -> Result<Document> {
        let action = self.db.run_command(command);
        let reply = match session {
            Some(session) => {
                self.timed(operation, collection, action.session(session))
                    .await?
            }
            None => self.timed(operation, collection, action).await?,
        };
        check_write_errors(operation, collection, &reply)?;
        Ok(reply)
    }
}

/// The server's code for a duplicate key.
const DUPLICATE_KEY: u64 = 11_000;

/// The refused statements listed in a write command's reply.
fn write_errors(reply: &Document) -> Vec<&Document> {
    reply
        .get_array("writeErrors")
        .map(|errors| errors.iter().filter_map(Bson::as_document).collect())
        .unwrap_or_default()
}

/// Reads the counts of an `update` command's reply. `n` counts matched and
/// upserted documents together.
fn update_counts(reply: &Document) -> UpsertCounts {
    let upserted = reply.get_array("upserted").map_or(0, |a| a.len() as u64);
    UpsertCounts {
        matched: read_count(reply, "n").saturating_sub(upserted),
        modified: read_count(reply, "nModified"),
        upserted,
        deleted: 0,
    }
}

/// A count field of a reply, whichever integer type the server chose.
fn read_count(reply: &Document, field: &str) -> u64 {
    let value = match reply.get(field) {
        Some(Bson::Int32(n)) => i64::from(*n),
        Some(Bson::Int64(n)) => *n,
        Some(Bson::Double(n)) => *n as i64,
        _ => 0,
    };
    u64::try_from(value).unwrap_or(0)
}

/// An error for a reply that lists refused statements or a write concern
/// failure (the command itself still says `ok: 1` then).
fn check_write_errors(operation: &'static str, collection: &str, reply: &Document) -> Result<()> {
    let concern = reply.get_document("writeConcernError").ok();
    refusal(operation, collection, &write_errors(reply), concern)
}

/// An error naming the first of `refused` (or the write concern failure),
/// if there is any.
fn refusal(
    operation: &'static str,
    collection: &str,
    refused: &[&Document],
    concern: Option<&Document>,
) -> Result<()> {
    let Some(first) = refused.first().copied().or(concern) else {
        return Ok(());
    };

    Err(StoreError::Rejected {
        operation,
        collection: collection.to_owned(),
        count: refused.len().max(1),
        first: first.get_str("errmsg").unwrap_or("no message").to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_separate_matched_from_upserted() {
        let reply = doc! {
            "n": 5, "nModified": 2_i64, "upserted": [{"index": 0}, {"index": 3}], "ok": 1.0,
        };

        let counts = update_counts(&reply);

        assert_eq!(
            counts,
            UpsertCounts {
                matched: 3,
                modified: 2,
                upserted: 2,
                deleted: 0
            }
        );
    }

    #[test]
    fn refused_statements_are_an_error_naming_the_collection() {
        let reply = doc! { "n": 0, "ok": 1.0, "writeErrors": [
            { "index": 0, "code": 11000, "errmsg": "E11000 duplicate key error" },
            { "index": 1, "code": 11000, "errmsg": "E11000 duplicate key error" },
        ]};

        let err = check_write_errors("bulk upsert", "bunq_payments", &reply).unwrap_err();

        assert_eq!(
            err.to_string(),
            "bulk upsert on bunq_payments: the server refused 2 write(s), \
             first: E11000 duplicate key error"
        );
    }

    #[test]
    fn a_write_concern_failure_is_an_error_too() {
        let concern = doc! { "code": 64, "errmsg": "waiting for replication timed out" };
        let reply = doc! { "n": 1, "ok": 1.0, "writeConcernError": concern };

        assert!(check_write_errors("bulk upsert", "runs", &reply).is_err());
        assert!(check_write_errors("bulk upsert", "runs", &doc! { "n": 1, "ok": 1.0 }).is_ok());
    }
}
