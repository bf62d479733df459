//! Recording what happened to claimed entries, re-opening entries skipped
//! for want of a link, and reading entries back.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};

use super::claim::int;
use super::{CLAIMED, FAILED, PENDING, SKIPPED, SYNCED};
use crate::Store;
use crate::bson_json::{bson_date, instant};
use crate::collections::PAYMENT_QUEUE;
use crate::error::Result;

/// The skip reason code whose entries re-open when their account is linked.
pub const ACCOUNT_NOT_LINKED: &str = "account_not_linked";

/// What became of one claimed entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryOutcome {
    /// Its YNAB transaction exists (created now or found already there).
    Synced {
        /// The bunq payment.
        payment_id: i64,
        /// The YNAB budget.
        budget_id: String,
        /// The YNAB transaction, when known.
        transaction_id: Option<String>,
    },
    /// It gets no transaction of its own.
    Skipped {
        /// The bunq payment.
        payment_id: i64,
        /// A stable code (`before_start_date`, `account_not_linked`, ...).
        code: String,
        /// The reason in words.
        text: String,
        /// The payment's bunq account, so that a link appearing later can
        /// re-open it.
        account_id: Option<i64>,
    },
    /// Not yet: back to pending until `until`, no attempt counted (YNAB's
    /// hourly budget is spent, or the date is still in YNAB's future).
    Deferred {
        /// The bunq payment.
        payment_id: i64,
        /// When to try again.
        until: DateTime<Utc>,
        /// Why, for the entry's `last_error`.
        note: String,
    },
    /// The attempt failed.
    Failed {
        /// The bunq payment.
        payment_id: i64,
        /// Failed attempts, this one included.
        attempts: u32,
        /// The error.
        error: String,
        /// When to retry; `None` when the attempts are used up.
        retry_at: Option<DateTime<Utc>>,
    },
}

/// A queue entry as stored, for reports and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueEntry {
    /// The bunq payment.
    pub payment_id: i64,
    /// `pending`, `claimed`, `synced`, `skipped` or `failed`.
    pub state: String,
    /// Failed attempts so far.
    pub attempts: u32,
    /// When it is due next (`None` for failed-for-good and finished ones).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The YNAB transaction of a synced entry.
    pub ynab_transaction_id: Option<String>,
    /// The skip reason code.
    pub reason: Option<String>,
    /// The skip reason in words.
    pub reason_text: Option<String>,
    /// The last error, or why it was deferred.
    pub last_error: Option<String>,
}

impl EntryOutcome {
    fn payment_id(&self) -> i64 {
        match self {
            Self::Synced { payment_id, .. }
            | Self::Skipped { payment_id, .. }
            | Self::Deferred { payment_id, .. }
            | Self::Failed { payment_id, .. } => *payment_id,
        }
    }

    /// The fields this outcome sets.
    fn fields(&self, now: Bson) -> Document {
        let mut set = match self {
            Self::Synced {
                budget_id,
                transaction_id,
                ..
            } => doc! {
                "state": SYNCED, "budget_id": budget_id,
                "ynab_transaction_id": transaction_id.as_deref(), "synced_at": now.clone(),
                "next_attempt_at": Bson::Null, "last_error": Bson::Null,
            },
            Self::Skipped {
                code,
                text,
                account_id,
                ..
            } => doc! {
                "state": SKIPPED, "reason": code, "reason_text": text, "account_id": *account_id,
                "next_attempt_at": Bson::Null, "last_error": Bson::Null,
            },
            Self::Deferred { until, note, .. } => doc! {
                "state": PENDING, "next_attempt_at": bson_date(*until), "last_error": note,
            },
            Self::Failed {
                attempts,
                error,
                retry_at,
                ..
            } => doc! {
                "state": FAILED, "attempts": i64::from(*attempts), "last_error": error,
                "next_attempt_at": retry_at.map(bson_date),
            },
        };
        set.insert("updated_at", now);
        set
    }
}

impl Store {
    /// Records outcomes of entries claimed under `lease_owner`, in one
    /// command. An entry whose lease was taken over meanwhile is left to
    /// its new holder. Says how many entries were updated.
    ///
    /// # Errors
    /// A driver error naming `payment_queue`.
    pub async fn finish_entries(
        &self,
        lease_owner: &str,
        outcomes: &[EntryOutcome],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let now = bson_date(now);
        let statements: Vec<Document> = outcomes
            .iter()
            .map(|outcome| {
                doc! {
                    "q": { "payment_id": outcome.payment_id(), "state": CLAIMED, "lease_owner": lease_owner },
                    "u": {
                        "$set": outcome.fields(now.clone()),
                        "$unset": { "lease_owner": "", "lease_until": "", "previous_state": "" },
                    },
                }
            })
            .collect();
        if statements.is_empty() {
            return Ok(0);
        }
        let counts = self.run_updates(PAYMENT_QUEUE, statements, None).await?;
        if let Some(observer) = self.observer() {
            observer.entries_finished(outcomes);
        }
        Ok(counts.modified)
    }

    /// Re-opens entries skipped because their bunq account was not linked,
    /// for the accounts now linked. Says how many were re-opened.
    ///
    /// # Errors
    /// A driver error naming `payment_queue`.
    pub async fn reopen_unlinked(
        &self,
        linked_accounts: &[i64],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        if linked_accounts.is_empty() {
            return Ok(0);
        }
        let filter = doc! {
            "state": SKIPPED, "reason": ACCOUNT_NOT_LINKED,
            "account_id": { "$in": linked_accounts.to_vec() },
        };
        let update = doc! { "$set": {
            "state": PENDING, "next_attempt_at": bson_date(now), "updated_at": bson_date(now),
        } };
        let queue = self.collection(PAYMENT_QUEUE);
        let result = self
            .timed("reopen", PAYMENT_QUEUE, queue.update_many(filter, update))
            .await?;
        Ok(result.modified_count)
    }

    /// The entries of the given payments (all entries when `None`),
    /// ordered by payment id.
    ///
    /// # Errors
    /// A driver error naming `payment_queue`.
    pub async fn queue_entries(&self, payment_ids: Option<&[i64]>) -> Result<Vec<QueueEntry>> {
        let filter = match payment_ids {
            Some(ids) => doc! { "payment_id": { "$in": ids.to_vec() } },
            None => doc! {},
        };
        let queue = self.collection(PAYMENT_QUEUE);
        let find = queue.find(filter).sort(doc! { "payment_id": 1 });
        let cursor = self.timed("find", PAYMENT_QUEUE, find).await?;
        let docs: Vec<Document> = self
            .timed("find", PAYMENT_QUEUE, cursor.try_collect())
            .await?;
        Ok(docs.iter().map(queue_entry).collect())
    }

    /// The earliest `next_attempt_at` of a pending or retryable entry, if
    /// any: when a drain next has work.
    ///
    /// # Errors
    /// A driver error naming `payment_queue`.
    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>> {
        let queue = self.collection(PAYMENT_QUEUE);
        let find = queue
            .find_one(doc! { "state": { "$in": [PENDING, FAILED] }, "next_attempt_at": { "$type": "date" } })
            .sort(doc! { "next_attempt_at": 1 });
        let found = self.timed("find", PAYMENT_QUEUE, find).await?;
        Ok(found.and_then(|d| {
            d.get_datetime("next_attempt_at")
                .ok()
                .and_then(|d| instant(*d))
        }))
    }
}

fn queue_entry(doc: &Document) -> QueueEntry {
    let text = |field: &str| doc.get_str(field).ok().map(str::to_owned);
    QueueEntry {
        payment_id: int(doc.get("payment_id")).unwrap_or_default(),
        state: text("state").unwrap_or_default(),
        attempts: u32::try_from(int(doc.get("attempts")).unwrap_or(0)).unwrap_or(0),
        next_attempt_at: doc
            .get_datetime("next_attempt_at")
            .ok()
            .and_then(|d| instant(*d)),
        ynab_transaction_id: text("ynab_transaction_id"),
        reason: text("reason"),
        reason_text: text("reason_text"),
        last_error: text("last_error"),
    }
}
