//! Draining the queue: re-open entries whose account got linked, then claim
//! and work batches until nothing is due, and record the run in `runs`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use chrono::Utc;
use domain::run::{RunRecord, Trigger};
use store::EntryOutcome;
use tracing::Instrument;

use crate::SyncWorker;
use crate::links::Links;

/// What a drain did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DrainSummary {
    /// Entries claimed.
    pub claimed: u64,
    /// Transactions created in YNAB.
    pub created: u64,
    /// Payments YNAB already had (by import id), now marked synced.
    pub already_in_ynab: u64,
    /// Entries skipped (before the start date, unlinked, transfer sides).
    pub skipped: u64,
    /// Entries put back to wait (future date, spent hourly budget).
    pub deferred: u64,
    /// Failed attempts (each retried with backoff, or failed for good).
    pub failed: u64,
    /// Skipped-unlinked entries re-opened because their account is linked.
    pub reopened: u64,
    /// YNAB requests this worker sent during the drain.
    pub ynab_requests: u64,
}

impl DrainSummary {
    /// Counts one outcome (created and already-there are counted apart).
    pub(crate) fn tally(&mut self, outcome: &EntryOutcome) {
        match outcome {
            EntryOutcome::Synced { .. } => {}
            EntryOutcome::Skipped { .. } => self.skipped += 1,
            EntryOutcome::Deferred { .. } => self.deferred += 1,
            EntryOutcome::Failed { .. } => self.failed += 1,
        }
    }

    /// Whether the drain touched any entry.
    pub fn did_work(&self) -> bool {
        self.claimed > 0 || self.reopened > 0
    }

    /// The counts as stored on the run.
    pub fn counts(&self) -> BTreeMap<String, i64> {
        let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        [
            ("claimed", self.claimed),
            ("created", self.created),
            ("already_in_ynab", self.already_in_ynab),
            ("skipped", self.skipped),
            ("deferred", self.deferred),
            ("failed", self.failed),
            ("reopened", self.reopened),
            ("ynab_requests", self.ynab_requests),
        ]
        .into_iter()
        .map(|(name, n)| (name.to_owned(), as_i64(n)))
        .collect()
    }
}

impl SyncWorker {
    /// Drains once and records the run (job `sync`).
    ///
    /// # Errors
    /// A store error that stopped the drain (claimed entries keep their
    /// lease and are taken again when it runs out), after it was recorded.
    pub async fn drain(&self, trigger: Trigger) -> anyhow::Result<DrainSummary> {
        let work = async {
            let mut summary = DrainSummary::default();
            let result = self.drain_into(&mut summary).await;
            (summary, result)
        };
        self.recorded(trigger, true, work).await
    }

    /// Drains until nothing is due (or `stop` is set between batches).
    pub(crate) async fn drain_into(&self, summary: &mut DrainSummary) -> anyhow::Result<()> {
        self.drain_until(summary, None).await
    }

    /// [`SyncWorker::drain_into`], stopping between batches once `stop` is
    /// set.
    pub(crate) async fn drain_until(
        &self,
        summary: &mut DrainSummary,
        stop: Option<&AtomicBool>,
    ) -> anyhow::Result<()> {
        let links = Links::load(&self.store)
            .await
            .context("could not read account links")?;
        summary.reopened += self
            .store
            .reopen_unlinked(&links.linked_account_ids(), Utc::now())
            .await?;

        while !stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            let now = Utc::now();
            let lease = self.lease(now);
            let entries = self
                .store
                .claim_due(&lease, self.queue.batch_size, now)
                .await?;
            if entries.is_empty() {
                break;
            }
            tracing::debug!(lease.owner = %lease.owner, claimed = entries.len(), "claimed a batch");
            if let Some(until) = self.process(&lease, entries, &links, summary).await? {
                tracing::info!(until = %until, "stopping the drain until YNAB's hourly budget frees");
                break;
            }
        }
        Ok(())
    }

    /// Runs `work` as one recorded run. With `always` false (the serve
    /// loop) a run that touched nothing leaves no record, so that idle
    /// polling does not flood `runs`.
    pub(crate) async fn recorded<Fut>(
        &self,
        trigger: Trigger,
        always: bool,
        work: Fut,
    ) -> anyhow::Result<DrainSummary>
    where
        Fut: Future<Output = (DrainSummary, anyhow::Result<()>)>,
    {
        let mut record = new_record(trigger);
        if always {
            self.store
                .insert_run(&record)
                .await
                .context("could not record the run start")?;
        }
        let span = tracing::info_span!("sync", run.id = %record.run_id, trigger = ?trigger, worker = %self.id);
        let before = self.requests_sent();
        let started = std::time::Instant::now();

        let (mut summary, result) = work.instrument(span).await;
        summary.ynab_requests = self.requests_sent().saturating_sub(before);

        if always || summary.did_work() || result.is_err() {
            finish_record(&mut record, &summary, result.as_ref().err());
            let duration_ms = domain::time::millis(started.elapsed());
            tracing::info!(
                run.id = %record.run_id, duration_ms, counts = ?record.counts,
                outcome = ?record.outcome, "sync run finished"
            );
            self.store
                .finish_run(&record)
                .await
                .context("could not record the run end")?;
        }
        result.map(|()| summary)
    }
}

/// A run record of job `sync`, started now.
fn new_record(trigger: Trigger) -> RunRecord {
    RunRecord::start(
        "sync",
        trigger,
        Utc::now(),
        uuid::Uuid::new_v4().to_string(),
    )
}

fn finish_record(record: &mut RunRecord, summary: &DrainSummary, error: Option<&anyhow::Error>) {
    record.counts = summary.counts();
    record.finish(Utc::now(), error.map(|e| format!("{e:#}")));
}
