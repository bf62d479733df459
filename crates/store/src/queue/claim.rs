//! Claiming queue entries with a lease. A claim is one atomic update per
//! entry that re-checks the entry is still claimable, so two workers never
//! hold the same entry at once; a worker that dies leaves a lease that runs
//! out, after which the entry is claimable again.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use mongodb::options::ReturnDocument;

use super::{CLAIMED, FAILED, PENDING, SYNCED};
use crate::Store;
use crate::bson_json::bson_date;
use crate::collections::PAYMENT_QUEUE;
use crate::error::{Result, StoreError};

/// How often a claim looks again after losing all its candidates.
const CLAIM_ROUNDS: usize = 5;

/// A lease to claim entries under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// Unique per claim: outcomes are recorded only while the entry still
    /// carries this owner, so a worker whose lease was taken over cannot
    /// overwrite the new holder's result.
    pub owner: String,
    /// When the lease runs out.
    pub until: DateTime<Utc>,
}

/// An entry a worker now holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedEntry {
    /// The bunq payment.
    pub payment_id: i64,
    /// Failed attempts so far.
    pub attempts: u32,
    /// The state it was in before the claim.
    pub previous_state: String,
}

/// Entries a claim may take at `now`: due pending or retryable failed
/// ones, and claimed ones whose lease ran out.
fn claimable(now: DateTime<Utc>) -> Document {
    let now = bson_date(now);
    doc! { "$or": [
        { "state": { "$in": [PENDING, FAILED] }, "next_attempt_at": { "$lte": now.clone() } },
        { "state": CLAIMED, "lease_until": { "$lte": now } },
    ] }
}

/// The update that takes an entry under `lease`.
fn take(lease: &Lease, now: DateTime<Utc>) -> Vec<Document> {
    // A pipeline update, so that the state before the claim is kept.
    vec![doc! { "$set": {
        "previous_state": "$state",
        "state": CLAIMED,
        "lease_owner": &lease.owner,
        "lease_until": bson_date(lease.until),
        "updated_at": bson_date(now),
    } }]
}

impl Store {
    /// Claims up to `limit` due entries, oldest payment first, under
    /// `lease`, and returns those this call won (a concurrent worker may
    /// win some of the candidates).
    ///
    /// # Errors
    /// A driver error naming `payment_queue`.
    pub async fn claim_due(
        &self,
        lease: &Lease,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Vec<ClaimedEntry>> {
        // Losing every candidate to a faster worker is not "nothing due":
        // look again, past the entries the winner now holds.
        for _ in 0..CLAIM_ROUNDS {
            let (candidates, won) = self.claim_round(lease, limit, now).await?;
            if candidates == 0 || !won.is_empty() {
                return Ok(won);
            }
        }
        Ok(Vec::new())
    }

    /// One find-then-take round: how many candidates there were, and the
    /// entries won.
    async fn claim_round(
        &self,
        lease: &Lease,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<(usize, Vec<ClaimedEntry>)> {
        let queue = self.collection(PAYMENT_QUEUE);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let find = queue
            .find(claimable(now))
            .sort(doc! { "payment_created": 1, "payment_id": 1 })
            .limit(limit)
            .projection(doc! { "payment_id": 1 });
        let cursor = self.timed("find", PAYMENT_QUEUE, find).await?;
        let candidates: Vec<Document> = self
            .timed("find", PAYMENT_QUEUE, cursor.try_collect())
            .await?;
        let ids: Vec<Bson> = candidates
            .iter()
            .filter_map(|d| d.get("payment_id").cloned())
            .collect();
        if ids.is_empty() {
            return Ok((0, Vec::new()));
        }
        let candidates = ids.len();

        // Each entry is re-checked and taken atomically: of two workers
        // racing for one entry, exactly one update matches it.
        let mut filter = claimable(now);
        filter.insert("payment_id", doc! { "$in": ids });
        let update = queue.update_many(filter, take(lease, now));
        self.timed("claim", PAYMENT_QUEUE, update).await?;

        let find = queue
            .find(doc! { "lease_owner": &lease.owner })
            .sort(doc! { "payment_created": 1, "payment_id": 1 });
        let cursor = self.timed("find", PAYMENT_QUEUE, find).await?;
        let won: Vec<Document> = self
            .timed("find", PAYMENT_QUEUE, cursor.try_collect())
            .await?;
        let won = won.iter().map(claimed_entry).collect::<Result<_>>()?;
        Ok((candidates, won))
    }

    /// Claims the entry of one payment, in one atomic update. Without
    /// `force`, a synced entry and one under another worker's live lease
    /// are left alone (`None`); with `force`, the entry is taken whatever
    /// its state, which is safe because YNAB refuses a second transaction
    /// with the same import id.
    ///
    /// # Errors
    /// A driver error naming `payment_queue`.
    pub async fn claim_payment(
        &self,
        payment_id: i64,
        lease: &Lease,
        now: DateTime<Utc>,
        force: bool,
    ) -> Result<Option<ClaimedEntry>> {
        let filter = if force {
            doc! { "payment_id": payment_id }
        } else {
            doc! {
                "payment_id": payment_id,
                "state": { "$ne": SYNCED },
                "$or": [ { "state": { "$ne": CLAIMED } }, { "lease_until": { "$lte": bson_date(now) } } ],
            }
        };
        let queue = self.collection(PAYMENT_QUEUE);
        let update = queue
            .find_one_and_update(filter, take(lease, now))
            .return_document(ReturnDocument::After);
        let found = self.timed("claim", PAYMENT_QUEUE, update).await?;
        found.as_ref().map(claimed_entry).transpose()
    }
}

/// A claimed entry read back.
fn claimed_entry(doc: &Document) -> Result<ClaimedEntry> {
    let corrupt = |message: &str| StoreError::Corrupt {
        collection: PAYMENT_QUEUE.to_owned(),
        key: doc
            .get("payment_id")
            .map_or_else(|| "?".to_owned(), ToString::to_string),
        message: message.to_owned(),
    };
    let payment_id =
        int(doc.get("payment_id")).ok_or_else(|| corrupt("payment_id is not an integer"))?;
    let attempts = int(doc.get("attempts")).unwrap_or(0);
    Ok(ClaimedEntry {
        payment_id,
        attempts: u32::try_from(attempts).unwrap_or(0),
        previous_state: doc.get_str("previous_state").unwrap_or(PENDING).to_owned(),
    })
}

/// An Int32 or Int64 field.
pub(crate) fn int(value: Option<&Bson>) -> Option<i64> {
    match value {
        Some(Bson::Int64(n)) => Some(*n),
        Some(Bson::Int32(n)) => Some(i64::from(*n)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use test_support::TestDb;

    use super::*;
    use crate::EntryOutcome;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 1, hour, 0, 0)
            .single()
            .expect("valid")
    }

    fn lease(owner: &str, now: DateTime<Utc>) -> Lease {
        Lease {
            owner: owner.to_owned(),
            until: now + Duration::seconds(30),
        }
    }

    async fn store() -> (TestDb, Store) {
        let db = TestDb::new().await;
        let store = Store::from_database(db.database().clone());
        store.ensure_indexes().await.expect("indexes");
        (db, store)
    }

    #[tokio::test]
    async fn claims_take_the_oldest_payment_first_and_never_the_same_entry_twice() {
        let (db, store) = store().await;
        let now = at(12);
        store
            .enqueue_payments(&[(1, at(9)), (2, at(7)), (3, at(8))], now)
            .await
            .expect("enqueue");

        let first = store
            .claim_due(&lease("a", now), 2, now)
            .await
            .expect("claim");
        let second = store
            .claim_due(&lease("b", now), 2, now)
            .await
            .expect("claim");
        let third = store
            .claim_due(&lease("c", now), 2, now)
            .await
            .expect("claim");

        let ids =
            |entries: &[ClaimedEntry]| entries.iter().map(|e| e.payment_id).collect::<Vec<_>>();
        assert_eq!((ids(&first), ids(&second)), (vec![2, 3], vec![1]));
        assert!(third.is_empty());
        db.drop_now().await;
    }

    #[tokio::test]
    async fn an_expired_lease_is_claimable_and_the_old_holder_can_no_longer_record() {
        let (db, store) = store().await;
        let now = at(12);
        store
            .enqueue_payments(&[(7, at(9))], now)
            .await
            .expect("enqueue");
        let old = lease("dead", now);
        store.claim_due(&old, 10, now).await.expect("claim");

        let later = old.until + Duration::seconds(1);
        let taken = store
            .claim_due(&lease("alive", later), 10, later)
            .await
            .expect("claim");
        let synced = EntryOutcome::Synced {
            payment_id: 7,
            budget_id: "b".into(),
            transaction_id: None,
        };
        let stale = store
            .finish_entries("dead", std::slice::from_ref(&synced), later)
            .await
            .expect("finish");
        let fresh = store
            .finish_entries("alive", &[synced], later)
            .await
            .expect("finish");

        assert_eq!(taken.len(), 1);
        assert_eq!((stale, fresh), (0, 1));
        let entry = &store.queue_entries(Some(&[7])).await.expect("entries")[0];
        assert_eq!(entry.state, SYNCED);
        db.drop_now().await;
    }

    #[tokio::test]
    async fn a_synced_entry_is_claimed_again_only_when_forced() {
        let (db, store) = store().await;
        let now = at(12);
        store
            .enqueue_payments(&[(5, at(9))], now)
            .await
            .expect("enqueue");
        let first = lease("a", now);
        store
            .claim_payment(5, &first, now, false)
            .await
            .expect("claim");
        let synced = EntryOutcome::Synced {
            payment_id: 5,
            budget_id: "b".into(),
            transaction_id: None,
        };
        store
            .finish_entries("a", &[synced], now)
            .await
            .expect("finish");

        let plain = store
            .claim_payment(5, &lease("b", now), now, false)
            .await
            .expect("claim");
        let forced = store
            .claim_payment(5, &lease("c", now), now, true)
            .await
            .expect("claim");

        assert_eq!(plain, None);
        assert_eq!(forced.map(|e| e.previous_state), Some(SYNCED.to_owned()));
        db.drop_now().await;
    }
}
