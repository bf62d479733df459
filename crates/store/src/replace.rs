//! Full loads: replacing a collection's contents without a moment in which
//! a reader finds it empty or half filled.
//!
//! New documents are upserted by key first, then the documents whose key
//! is not in the new set are deleted. On a replica set both steps run in
//! one transaction, so readers see the old set until the commit and the new
//! set after it. A standalone server has no transactions: there the steps
//! run one after the other, and a reader may briefly see the old and the
//! new documents together, but never fewer than one complete set.

use mongodb::ClientSession;

use crate::Store;
use crate::bulk::UpsertCounts;
use crate::documents::SourceDoc;
use crate::error::Result;

/// How often a transaction that failed with a transient error (a write
/// conflict with a concurrent full load, a primary election) is tried.
const TRANSACTION_ATTEMPTS: u32 = 3;

impl Store {
    /// Makes `docs` the whole content of `collection`, keyed by `key`.
    pub(crate) async fn replace_all(
        &self,
        collection: &str,
        key: &str,
        docs: &[SourceDoc],
    ) -> Result<UpsertCounts> {
        if self.transactions_enabled() {
            match self.replace_in_transaction(collection, key, docs).await {
                Err(e) if e.is_transactions_unsupported() => {
                    self.disable_transactions();
                    tracing::warn!(
                        mongo.collection = collection,
                        "server has no transactions (standalone?); full loads run without one"
                    );
                }
                other => return other,
            }
        }
        self.replace_steps(collection, key, docs, None).await
    }

    /// The replacement in a transaction, retried on transient errors. Both
    /// steps are idempotent, so running them again is safe.
    async fn replace_in_transaction(
        &self,
        collection: &str,
        key: &str,
        docs: &[SourceDoc],
    ) -> Result<UpsertCounts> {
        let mut attempt = 1;
        loop {
            match self
                .replace_once_in_transaction(collection, key, docs)
                .await
            {
                Err(e) if e.is_transient_transaction_error() && attempt < TRANSACTION_ATTEMPTS => {
                    tracing::warn!(
                        mongo.collection = collection,
                        attempt,
                        error = %e,
                        "full load transaction failed, retrying"
                    );
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn replace_once_in_transaction(
        &self,
        collection: &str,
        key: &str,
        docs: &[SourceDoc],
    ) -> Result<UpsertCounts> {
        let client = self.db.client();
        let mut session = self
            .timed("start session", collection, client.start_session())
            .await?;
        self.timed("start transaction", collection, session.start_transaction())
            .await?;

        let steps = self
            .replace_steps(collection, key, docs, Some(&mut session))
            .await;
        let counts = match steps {
            Ok(counts) => counts,
            Err(e) => {
                // Release the transaction's locks now rather than when the
                // server times it out; its own error matters less than `e`.
                let abort = session.abort_transaction();
                let _ = self.timed("abort transaction", collection, abort).await;
                return Err(e);
            }
        };
        self.timed("commit", collection, session.commit_transaction())
            .await?;
        Ok(counts)
    }

    /// Upsert everything, then delete what is not in `docs`.
    async fn replace_steps(
        &self,
        collection: &str,
        key: &str,
        docs: &[SourceDoc],
        mut session: Option<&mut ClientSession>,
    ) -> Result<UpsertCounts> {
        let mut counts = self
            .upsert_source_docs(collection, key, docs, session.as_deref_mut())
            .await?;

        let keep = docs.iter().map(|d| d.key.clone()).collect();
        counts.deleted = self.delete_missing(collection, key, keep, session).await?;

        tracing::debug!(
            mongo.collection = collection,
            documents = docs.len(),
            deleted = counts.deleted,
            "full load replaced"
        );
        Ok(counts)
    }
}
