//! The payment queue: one entry per bunq payment that still has to reach
//! YNAB, with its state, attempts and when to try next. Ingest adds
//! entries; sync workers claim them with a lease and record the outcome.
//!
//! An entry: `{payment_id: Int64, state, attempts: Int64, enqueued_at,
//! next_attempt_at, updated_at, payment_created}` (dates are BSON dates),
//! plus, as it moves on, `lease_owner`/`lease_until` (while claimed),
//! `ynab_transaction_id`/`budget_id`/`synced_at` (synced),
//! `reason`/`reason_text`/`account_id` (skipped) and `last_error`.
//!
//! States: `pending` → `claimed` → `synced`, `skipped` or `failed`. A
//! `failed` entry with a `next_attempt_at` is retried when that time comes;
//! one without (`next_attempt_at: null`) has used up its attempts and stays
//! visible with its error. A claimed entry whose lease ran out (its worker
//! died) is claimable again.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};

use crate::Store;
use crate::bson_json::bson_date;
use crate::collections::PAYMENT_QUEUE;
use crate::error::Result;

mod claim;
mod outcome;
mod payments;

pub use claim::{ClaimedEntry, Lease};
pub use outcome::{ACCOUNT_NOT_LINKED, EntryOutcome, QueueEntry};

/// The state of an entry that waits for its (next) attempt.
pub const PENDING: &str = "pending";
/// The state of an entry a worker holds a lease on.
pub const CLAIMED: &str = "claimed";
/// The state of an entry whose YNAB transaction exists.
pub const SYNCED: &str = "synced";
/// The state of an entry that gets no YNAB transaction of its own.
pub const SKIPPED: &str = "skipped";
/// The state of an entry whose last attempt failed.
pub const FAILED: &str = "failed";

impl Store {
    /// Adds a pending entry for every payment that has none, in one round
    /// trip per 1,000 ids, and says how many were new. An existing entry is
    /// never touched, whatever its state: a payment already synced, failed
    /// or being worked on stays as it is.
    ///
    /// Entries added this way carry no `payment_created` and so drain
    /// before dated ones; prefer [`Store::enqueue_payments`].
    ///
    /// # Errors
    /// A driver error naming `payment_queue`.
    pub async fn enqueue_pending(&self, payment_ids: &[i64], now: DateTime<Utc>) -> Result<u64> {
        let payments: Vec<(i64, Option<DateTime<Utc>>)> =
            payment_ids.iter().map(|id| (*id, None)).collect();
        self.enqueue(&payments, now).await
    }

    /// Like [`Store::enqueue_pending`], with each payment's creation time
    /// stored as `payment_created`, so that the queue drains the oldest
    /// payment first.
    ///
    /// # Errors
    /// A driver error naming `payment_queue`.
    pub async fn enqueue_payments(
        &self,
        payments: &[(i64, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let payments: Vec<(i64, Option<DateTime<Utc>>)> =
            payments.iter().map(|(id, at)| (*id, Some(*at))).collect();
        self.enqueue(&payments, now).await
    }

    async fn enqueue(
        &self,
        payments: &[(i64, Option<DateTime<Utc>>)],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let now = bson_date(now);
        // Duplicates in one command would race each other to the insert.
        let unique: BTreeMap<i64, Option<DateTime<Utc>>> = payments.iter().copied().collect();
        let statements = unique
            .into_iter()
            .map(|(id, created)| {
                let mut entry = doc! {
                    "payment_id": id,
                    "state": PENDING,
                    "attempts": 0_i64,
                    "enqueued_at": now.clone(),
                    "next_attempt_at": now.clone(),
                    "updated_at": now.clone(),
                };
                if let Some(created) = created {
                    entry.insert("payment_created", bson_date(created));
                }
                doc! { "q": { "payment_id": id }, "u": { "$setOnInsert": entry }, "upsert": true }
            })
            .collect();

        let counts = self.run_updates(PAYMENT_QUEUE, statements, None).await?;
        tracing::debug!(
            enqueued = counts.upserted,
            already = counts.matched,
            "payments enqueued"
        );
        Ok(counts.upserted)
    }

    /// Puts entries back to `pending`, due now, with their attempts reset:
    /// a manual re-sync. Entries a worker holds a live lease on are left
    /// alone. Says how many were reset.
    ///
    /// # Errors
    /// A driver error naming `payment_queue`.
    pub async fn requeue(&self, payment_ids: &[i64], now: DateTime<Utc>) -> Result<u64> {
        let ids: BTreeSet<i64> = payment_ids.iter().copied().collect();
        let ids: Vec<i64> = ids.into_iter().collect();
        let filter = doc! {
            "payment_id": { "$in": ids },
            "$or": [ { "state": { "$ne": CLAIMED } }, { "lease_until": { "$lte": bson_date(now) } } ],
        };
        let update = doc! {
            "$set": {
                "state": PENDING, "attempts": 0_i64, "next_attempt_at": bson_date(now),
                "updated_at": bson_date(now),
            },
            "$unset": { "lease_owner": "", "lease_until": "" },
        };
        let queue = self.collection(PAYMENT_QUEUE);
        let result = self
            .timed("requeue", PAYMENT_QUEUE, queue.update_many(filter, update))
            .await?;
        Ok(result.modified_count)
    }

    /// How many entries are in each state.
    ///
    /// # Errors
    /// A driver error naming `payment_queue`.
    pub async fn queue_counts(&self) -> Result<BTreeMap<String, u64>> {
        let pipeline = [doc! { "$group": { "_id": "$state", "n": { "$sum": 1 } } }];
        let queue = self.collection(PAYMENT_QUEUE);
        let aggregate = queue.aggregate(pipeline);
        let cursor = self.timed("aggregate", PAYMENT_QUEUE, aggregate).await?;
        let groups: Vec<Document> = self
            .timed("aggregate", PAYMENT_QUEUE, cursor.try_collect())
            .await?;

        Ok(groups
            .iter()
            .map(|group| {
                let state = match group.get("_id") {
                    Some(Bson::String(s)) => s.clone(),
                    _ => "(none)".to_owned(),
                };
                let n = match group.get("n") {
                    Some(Bson::Int32(n)) => u64::try_from(*n).unwrap_or(0),
                    Some(Bson::Int64(n)) => u64::try_from(*n).unwrap_or(0),
                    _ => 0,
                };
                (state, n)
            })
            .collect())
    }
}
