//! One claimed batch: read the payments, decide for each whether it syncs,
//! is skipped or must wait, create the transactions per budget, and record
//! every outcome on the queue in one write.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use domain::bunq::Payment;
use domain::sync::{SkipReason, TransactionPlan, plan_payment, ynab_ready_at};
use store::{ACCOUNT_NOT_LINKED, ClaimedEntry, EntryOutcome, Lease};

use crate::SyncWorker;
use crate::drain::DrainSummary;
use crate::links::Links;

/// A payment with a plan, on its way to YNAB.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    /// Its queue entry.
    pub(crate) entry: ClaimedEntry,
    /// The payment.
    pub(crate) payment: Payment,
    /// What it becomes in YNAB.
    pub(crate) plan: TransactionPlan,
}

impl SyncWorker {
    /// Works one claimed batch to the end and records the outcomes. Says
    /// until when YNAB's hourly budget is spent, if it ran out.
    pub(crate) async fn process(
        &self,
        lease: &Lease,
        entries: Vec<ClaimedEntry>,
        links: &Links,
        summary: &mut DrainSummary,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let now = Utc::now();
        let ids: Vec<i64> = entries.iter().map(|e| e.payment_id).collect();
        let payments: HashMap<i64, Payment> = self
            .store
            .bunq_payments_by_id(&ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        summary.claimed += entries.len() as u64;

        let mut outcomes = Vec::new();
        let mut by_budget: BTreeMap<String, Vec<Item>> = BTreeMap::new();
        for entry in entries {
            let Some(payment) = payments.get(&entry.payment_id) else {
                let error = format!("payment {} is not in bunq_payments", entry.payment_id);
                outcomes.push(self.failure(&entry, error, now));
                continue;
            };
            match self.decide(payment, links, now) {
                Ok(plan) => by_budget
                    .entry(plan.budget_id.clone())
                    .or_default()
                    .push(Item {
                        entry,
                        payment: payment.clone(),
                        plan,
                    }),
                Err(outcome) => outcomes.push(outcome),
            }
        }

        let mut spent_until = None;
        for (budget_id, items) in by_budget {
            let sent = self
                .create_for_budget(&budget_id, items, spent_until)
                .await?;
            summary.created += sent.created;
            summary.already_in_ynab += sent.already;
            spent_until = spent_until.or(sent.spent_until);
            outcomes.extend(sent.outcomes);
        }
        self.record(lease, &outcomes, summary).await?;
        Ok(spent_until)
    }

    /// Writes the outcomes and counts them.
    async fn record(
        &self,
        lease: &Lease,
        outcomes: &[EntryOutcome],
        summary: &mut DrainSummary,
    ) -> anyhow::Result<()> {
        let written = self
            .store
            .finish_entries(&lease.owner, outcomes, Utc::now())
            .await?;
        if written < outcomes.len() as u64 {
            // Another worker (or a forced sync) took some entries over after
            // this lease ran out; its outcome stands, and YNAB's import ids
            // kept the transactions single.
            tracing::info!(
                lease.owner = %lease.owner, outcomes = outcomes.len(), written,
                "some leases were taken over; their new holders record them"
            );
        }
        for outcome in outcomes {
            summary.tally(outcome);
        }
        Ok(())
    }

    /// The plan of a payment, or the outcome that ends its entry now.
    fn decide(
        &self,
        payment: &Payment,
        links: &Links,
        now: DateTime<Utc>,
    ) -> Result<TransactionPlan, EntryOutcome> {
        let skip = |code: &str, text: String| EntryOutcome::Skipped {
            payment_id: payment.id,
            code: code.to_owned(),
            text,
            account_id: Some(payment.monetary_account_id),
        };
        let Some(own) = links.own(payment.monetary_account_id) else {
            let reason = SkipReason::BeforeStartDate;
            if payment.created < self.settings.start {
                return Err(skip(reason.code(), reason.to_string()));
            }
            let text = format!(
                "bunq account {} is not stored yet (ingest has not listed it)",
                payment.monetary_account_id
            );
            return Err(skip(ACCOUNT_NOT_LINKED, text));
        };

        let plan = plan_payment(payment, own, links.linked(), &self.settings)
            .map_err(|reason| skip(reason.code(), reason.to_string()))?;
        match ynab_ready_at(plan.date, now) {
            Some(until) => Err(EntryOutcome::Deferred {
                payment_id: payment.id,
                until,
                note: format!(
                    "date {} is more than a day past YNAB's UTC today; waiting",
                    plan.date
                ),
            }),
            None => Ok(plan),
        }
    }

    /// A failed attempt of `entry`, retried with backoff until the
    /// attempts are used up.
    pub(crate) fn failure(
        &self,
        entry: &ClaimedEntry,
        error: String,
        now: DateTime<Utc>,
    ) -> EntryOutcome {
        let attempts = entry.attempts.saturating_add(1);
        let retry_at = self.retry_at(attempts, now);
        tracing::warn!(
            payment.id = entry.payment_id, attempts, gave_up = retry_at.is_none(), error = %error,
            "payment sync failed"
        );
        EntryOutcome::Failed {
            payment_id: entry.payment_id,
            attempts,
            error,
            retry_at,
        }
    }
}
