//! The manual escape hatches: sync one payment (optionally forced), and
//! re-sync one account's payments over a date range.

use anyhow::{Context, bail};
use chrono::{NaiveDate, Utc};
use domain::Iban;
use domain::run::Trigger;
use store::QueueEntry;

use crate::SyncWorker;
use crate::drain::DrainSummary;
use crate::links::Links;

impl SyncWorker {
    /// Syncs one stored payment now and returns its entry afterwards.
    /// Without `force` a synced payment is left alone; with it, the payment
    /// goes through again, and YNAB's import id turns the create into "already
    /// there", so it is still not duplicated.
    ///
    /// # Errors
    /// When the payment is not stored (run ingest first), another worker
    /// holds it right now, or the store fails.
    pub async fn sync_payment(&self, payment_id: i64, force: bool) -> anyhow::Result<QueueEntry> {
        self.sync_payment_for(payment_id, force, Trigger::Manual)
            .await
    }

    /// [`SyncWorker::sync_payment`], with the run recorded under `trigger`
    /// (the callback service passes [`Trigger::Callback`]).
    ///
    /// # Errors
    /// As [`SyncWorker::sync_payment`].
    pub async fn sync_payment_for(
        &self,
        payment_id: i64,
        force: bool,
        trigger: Trigger,
    ) -> anyhow::Result<QueueEntry> {
        let work = async {
            let mut summary = DrainSummary::default();
            let result = self.sync_one(payment_id, force, &mut summary).await;
            (summary, result)
        };
        self.recorded(trigger, true, work).await?;
        let entries = self.store.queue_entries(Some(&[payment_id])).await?;
        entries
            .into_iter()
            .next()
            .context("the queue entry vanished")
    }

    async fn sync_one(
        &self,
        payment_id: i64,
        force: bool,
        summary: &mut DrainSummary,
    ) -> anyhow::Result<()> {
        let payment = self.store.bunq_payments_by_id(&[payment_id]).await?;
        let Some(payment) = payment.first() else {
            bail!("payment {payment_id} is not in bunq_payments; run `ingest run` first");
        };
        let now = Utc::now();
        self.store
            .enqueue_payments(&[(payment.id, payment.created)], now)
            .await?;

        let lease = self.lease(now);
        let Some(entry) = self
            .store
            .claim_payment(payment_id, &lease, now, force)
            .await?
        else {
            let entry = self.store.queue_entries(Some(&[payment_id])).await?;
            let state = entry.first().map_or("absent", |e| e.state.as_str());
            tracing::info!(
                payment.id = payment_id,
                state,
                "not synced again (use --force)"
            );
            return Ok(());
        };
        let links = Links::load(&self.store).await?;
        self.process(&lease, vec![entry], &links, summary).await?;
        Ok(())
    }

    /// Re-syncs the stored payments of the bunq account with `iban`
    /// created from `from` up to and including `to` (local dates; open when
    /// absent): they are queued again and the queue is drained.
    ///
    /// # Errors
    /// When no stored bunq account has the IBAN, or the store fails.
    pub async fn sync_account(
        &self,
        iban: &Iban,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> anyhow::Result<DrainSummary> {
        let links = Links::load(&self.store).await?;
        let Some(account_id) = links.account_by_iban(iban) else {
            bail!("no stored bunq account has IBAN {}", iban.masked());
        };
        let zone = self.settings.zone;
        let start_of = |date: NaiveDate| {
            domain::time::parse_local_instant(&date.to_string(), zone)
                .with_context(|| format!("{date} has no midnight in {zone}"))
        };
        let from = from.map(start_of).transpose()?;
        let to = to.and_then(|d| d.succ_opt()).map(start_of).transpose()?;

        let payments = self.store.payments_of_account(account_id, from, to).await?;
        let ids: Vec<i64> = payments.iter().map(|(id, _)| *id).collect();
        self.store.enqueue_payments(&payments, Utc::now()).await?;
        let requeued = self.store.requeue(&ids, Utc::now()).await?;
        tracing::info!(
            account.id = account_id,
            payments = ids.len(),
            requeued,
            "account queued for re-sync"
        );
        self.drain(Trigger::Manual).await
    }
}
