//! Creating one budget's transactions: category suggestions first, then
//! bulk creates. An import id YNAB already has ("duplicate" or 409) means
//! the transaction is there: its id is looked up and the entry is synced.
//! A batch YNAB refuses with 400 is split, by the `(index: N)` it names or
//! in halves, so that one poison payment fails alone.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use domain::sync::Payee;
use store::{ClassificationRecord, EntryOutcome};
use ynab::{CreateOutcome, NewTransaction, YnabError};

use crate::SyncWorker;
use crate::batch::Item;

/// How far before the earliest date a remote look-up for existing
/// transactions reaches, in case the user moved one a little earlier.
const LOOKUP_MARGIN_DAYS: i64 = 31;

/// What became of one budget's items.
#[derive(Debug, Default)]
pub(crate) struct Sent {
    pub(crate) outcomes: Vec<EntryOutcome>,
    pub(crate) created: u64,
    pub(crate) already: u64,
    pub(crate) spent_until: Option<DateTime<Utc>>,
}

type Group = Vec<(Item, NewTransaction)>;

impl SyncWorker {
    /// Classifies and creates `items` in `budget_id`. Nothing is sent when
    /// the hourly budget is already known to be spent (`spent_until`).
    pub(crate) async fn create_for_budget(
        &self,
        budget_id: &str,
        items: Vec<Item>,
        spent_until: Option<DateTime<Utc>>,
    ) -> anyhow::Result<Sent> {
        let mut sent = Sent {
            spent_until,
            ..Sent::default()
        };
        if sent.spent_until.is_some() {
            defer_all(&mut sent, items);
            return Ok(sent);
        }
        let categories = self.classify(budget_id, &items).await?;
        let group: Group = items
            .into_iter()
            .zip(categories)
            .map(|(item, category)| {
                let txn = NewTransaction::from_plan(&item.plan, category);
                (item, txn)
            })
            .collect();

        // Groups still to send; a refused group comes back split.
        let mut pending = vec![group];
        while let Some(group) = pending.pop() {
            if sent.spent_until.is_some() {
                defer_all(&mut sent, group.into_iter().map(|(i, _)| i));
                continue;
            }
            self.send(budget_id, group, &mut pending, &mut sent).await?;
        }
        Ok(sent)
    }

    /// One create request for `group`, and what its answer means.
    async fn send(
        &self,
        budget_id: &str,
        group: Group,
        pending: &mut Vec<Group>,
        sent: &mut Sent,
    ) -> anyhow::Result<()> {
        let txns: Vec<NewTransaction> = group.iter().map(|(_, t)| t.clone()).collect();
        let result = self.ynab.create_transactions(budget_id, &txns).await;
        // These two are refused before anything is sent.
        let unsent = matches!(
            result,
            Err(YnabError::InvalidTransaction { .. } | YnabError::BudgetExhausted { .. })
        );
        if !unsent {
            self.count_call();
        }

        match result {
            Ok(created) => self.settle(budget_id, group, created, sent).await?,
            Err(YnabError::Duplicate { .. }) => {
                // A 409 (single creates): every import id is already there.
                let duplicate_import_ids =
                    txns.iter().filter_map(|t| t.import_id.clone()).collect();
                let created = CreateOutcome {
                    duplicate_import_ids,
                    ..CreateOutcome::default()
                };
                self.settle(budget_id, group, created, sent).await?;
            }
            Err(YnabError::BudgetExhausted { resets_in }) => {
                let wait =
                    chrono::Duration::from_std(resets_in).unwrap_or(chrono::Duration::hours(1));
                tracing::warn!(
                    budget.id = budget_id,
                    wait_secs = wait.num_seconds(),
                    "YNAB's hourly budget is spent; waiting"
                );
                sent.spent_until = Some(Utc::now() + wait);
                defer_all(sent, group.into_iter().map(|(i, _)| i));
            }
            Err(error) => self.refused(group, &error, pending, sent),
        }
        Ok(())
    }

    /// Asks the model for the budget's non-transfer items, records every
    /// answer, and returns the category to use per item.
    async fn classify(
        &self,
        budget_id: &str,
        items: &[Item],
    ) -> anyhow::Result<Vec<Option<String>>> {
        let asked: Vec<&Item> = items
            .iter()
            .filter(|i| matches!(i.plan.payee, Payee::Name(_)))
            .collect();
        let payments: Vec<&domain::bunq::Payment> = asked.iter().map(|i| &i.payment).collect();
        let results = self.classifier.classify(budget_id, &payments).await;

        let now = Utc::now();
        let threshold = self.classifier.config().threshold;
        let records: Vec<ClassificationRecord> = asked
            .iter()
            .zip(&results)
            .map(|(item, c)| ClassificationRecord {
                payment_id: item.payment.id,
                budget_id: budget_id.to_owned(),
                outcome: c.outcome.as_str().to_owned(),
                model_version: c.model_version.clone(),
                category_id: c.suggestion.as_ref().map(|s| s.category_id.clone()),
                category_name: c.suggestion.as_ref().map(|s| s.category_name.clone()),
                confidence: c.suggestion.as_ref().map(|s| s.confidence),
                threshold,
                used: c.category_id().is_some(),
                message: c.message.clone(),
                classified_at: now,
            })
            .collect();
        self.store.record_classifications(&records).await?;

        let chosen: HashMap<i64, Option<String>> = asked
            .iter()
            .zip(&results)
            .map(|(item, c)| (item.payment.id, c.category_id().map(str::to_owned)))
            .collect();
        Ok(items
            .iter()
            .map(|i| chosen.get(&i.payment.id).cloned().flatten())
            .collect())
    }

    /// Turns a create answer into outcomes: created ones and ones already
    /// there are synced, with their transaction ids.
    async fn settle(
        &self,
        budget_id: &str,
        group: Group,
        created: CreateOutcome,
        sent: &mut Sent,
    ) -> anyhow::Result<()> {
        if !created.transactions.is_empty()
            && let Err(error) = self
                .store
                .upsert_ynab_transactions(budget_id, &created.transactions)
                .await
        {
            tracing::warn!(budget.id = budget_id, error = %error, "could not store created transactions; the next ingest will");
        }
        let mut ids: HashMap<String, String> = created
            .transactions
            .iter()
            .filter_map(|t| Some((t.import_id.clone()?, t.id.clone())))
            .collect();
        let duplicates: HashSet<String> = created.duplicate_import_ids.into_iter().collect();
        self.find_existing(budget_id, &group, &duplicates, &mut ids)
            .await?;

        for (item, _) in group {
            let import_id = &item.plan.import_id;
            let transaction_id = ids.get(import_id).cloned();
            if duplicates.contains(import_id) {
                sent.already += 1;
                tracing::info!(
                    payment.id = item.payment.id,
                    budget.id = budget_id,
                    "already in YNAB; marked synced"
                );
            } else if transaction_id.is_some() {
                sent.created += 1;
            } else {
                let error = "YNAB neither created the transaction nor reported it as a duplicate"
                    .to_owned();
                sent.outcomes
                    .push(self.failure(&item.entry, error, Utc::now()));
                continue;
            }
            let budget_id = budget_id.to_owned();
            sent.outcomes.push(EntryOutcome::Synced {
                payment_id: item.payment.id,
                budget_id,
                transaction_id,
            });
        }
        Ok(())
    }

    /// Fills in the transaction ids of import ids YNAB already had: from
    /// `ynab_transactions` first, then with one read of the budget.
    async fn find_existing(
        &self,
        budget_id: &str,
        group: &Group,
        duplicates: &HashSet<String>,
        ids: &mut HashMap<String, String>,
    ) -> anyhow::Result<()> {
        let mut missing = Vec::new();
        for (item, _) in group
            .iter()
            .filter(|(i, _)| duplicates.contains(&i.plan.import_id))
        {
            match self
                .store
                .ynab_transaction_by_import_id(budget_id, &item.plan.import_id)
                .await?
            {
                Some(id) => {
                    ids.insert(item.plan.import_id.clone(), id);
                }
                None => missing.push(item),
            }
        }
        let Some(earliest) = missing.iter().map(|i| i.plan.date).min() else {
            return Ok(());
        };
        let since = earliest - chrono::Duration::days(LOOKUP_MARGIN_DAYS);
        self.count_call();
        match self.ynab.transactions(budget_id, since, None).await {
            Ok(delta) => ids.extend(
                delta
                    .items
                    .into_iter()
                    .filter_map(|t| Some((t.import_id?, t.id))),
            ),
            Err(error) => tracing::warn!(
                budget.id = budget_id, error = %error,
                "could not look up existing transactions; synced without their ids"
            ),
        }
        Ok(())
    }

    /// A refused create: fail the payments YNAB named, split the rest.
    fn refused(
        &self,
        mut group: Group,
        error: &YnabError,
        pending: &mut Vec<Group>,
        sent: &mut Sent,
    ) {
        let now = Utc::now();
        let bad: Vec<usize> = match error {
            YnabError::InvalidTransaction { index, .. } => vec![*index],
            YnabError::Api {
                status: 400,
                detail,
                ..
            } => named_indexes(detail, group.len()),
            _ => {
                // Not about one payment: every payment of the group failed
                // this attempt, and retries with backoff.
                let text = error.to_string();
                for (item, _) in &group {
                    sent.outcomes
                        .push(self.failure(&item.entry, text.clone(), now));
                }
                return;
            }
        };
        if group.len() == 1 || !bad.is_empty() {
            let text = error.to_string();
            let mut index = 0;
            group.retain(|(item, _)| {
                let poison = is_poison(&bad, index);
                // YNAB words a date over five years old the same way.
                let early =
                    poison && item.plan.date >= now.date_naive() && only_too_early(error, index);
                index += 1;
                if early {
                    sent.outcomes.push(too_early(item, now));
                } else if poison {
                    sent.outcomes
                        .push(self.failure(&item.entry, text.clone(), now));
                }
                !poison
            });
            if !group.is_empty() {
                pending.push(group);
            }
            return;
        }
        // A 400 that names no index: halve until the poison stands alone.
        let second = group.split_off(group.len() / 2);
        pending.push(second);
        pending.push(group);
    }
}

/// Whether the item at `index` is the poison: the one named, or the only
/// one when none is named (a group of one).
fn is_poison(bad: &[usize], index: usize) -> bool {
    bad.is_empty() || bad.contains(&index)
}

/// The `(index: N)` positions a YNAB 400 detail names, within `len`.
fn named_indexes(detail: &str, len: usize) -> Vec<usize> {
    let mut found: Vec<usize> = detail
        .match_indices("(index: ")
        .filter_map(|(at, marker)| {
            let rest = &detail[at + marker.len()..];
            rest.split(')').next()?.trim().parse().ok()
        })
        .filter(|index| *index < len)
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// YNAB's words for a date past the day it accepts.
const FUTURE_DATE: &str = "must not be in the future";

/// The shortest wait before a refused date is tried again, should YNAB's
/// clock or rule differ from ours.
const EARLY_RETRY: chrono::Duration = chrono::Duration::minutes(10);

/// Whether YNAB refused the item at `index` only because its date is still
/// in YNAB's future: every problem named for that index (or, when none
/// carries an index, every problem) says so.
fn only_too_early(error: &YnabError, index: usize) -> bool {
    let detail = match error {
        YnabError::InvalidTransaction { .. } => return false,
        YnabError::Api {
            status: 400,
            detail,
            ..
        } => detail,
        _ => return false,
    };
    let marker = format!("(index: {index})");
    let problems: Vec<&str> = detail.split(", ").map(str::trim).collect();
    let indexed = problems.iter().any(|p| p.contains("(index: "));
    let mine: Vec<&&str> = problems
        .iter()
        .filter(|p| !indexed || p.ends_with(&marker))
        .collect();
    !mine.is_empty() && mine.iter().all(|p| p.contains(FUTURE_DATE))
}

/// Puts an item YNAB found dated too early back to pending until the UTC
/// midnight that starts its date (at least [`EARLY_RETRY`] from now): a
/// wait, not a failed attempt, and the date is kept.
fn too_early(item: &Item, now: DateTime<Utc>) -> EntryOutcome {
    let until = domain::sync::utc_midnight(item.plan.date).max(now + EARLY_RETRY);
    tracing::info!(
        payment.id = item.payment.id,
        date = %item.plan.date,
        until = %until,
        "YNAB says the date is still in its future; waiting"
    );
    EntryOutcome::Deferred {
        payment_id: item.payment.id,
        until,
        note: format!(
            "YNAB refused date {} as still in its future; waiting",
            item.plan.date
        ),
    }
}

/// Puts every item back to pending until the budget frees.
fn defer_all(sent: &mut Sent, items: impl IntoIterator<Item = Item>) {
    let until = sent.spent_until.unwrap_or_else(Utc::now);
    for item in items {
        sent.outcomes.push(EntryOutcome::Deferred {
            payment_id: item.payment.id,
            until,
            note: "YNAB's hourly request budget is spent; waiting".to_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_indexes_named_in_a_400_detail_are_found() {
        let detail = "date must not be in the future (index: 3), memo too long (index: 0), \
                      amount bad (index: 3), (index: 99)";

        assert_eq!(named_indexes(detail, 10), [0, 3]);
        assert!(named_indexes("a plain refusal", 10).is_empty());
    }

    fn bad_request(detail: &str) -> YnabError {
        YnabError::Api {
            status: 400,
            id: "400".to_owned(),
            name: "bad_request".to_owned(),
            detail: detail.to_owned(),
        }
    }

    #[test]
    fn only_a_date_in_ynabs_future_is_a_reason_to_wait() {
        let future = "date must not be in the future or over 5 years ago";
        let mixed = bad_request(&format!(
            "{future} (index: 0), memo too long (index: 1), {future} (index: 1)"
        ));

        assert!(only_too_early(&bad_request(future), 0));
        assert!(only_too_early(&mixed, 0));
        assert!(!only_too_early(&mixed, 1), "a second problem is a failure");
        assert!(!only_too_early(&mixed, 2), "nothing named for it");
        assert!(!only_too_early(&bad_request("memo too long"), 0));
    }
}
