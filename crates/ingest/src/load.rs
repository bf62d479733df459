//! One ingest run: load every source into MongoDB, enqueue new payments,
//! and record the run. Delta markers (run moments, YNAB server knowledge)
//! are written only after the whole run succeeded, so a run that fails
//! midway is redone in full by the next one; upserts absorb the overlap.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Utc};
use domain::linking::{BudgetAccount, link_account};
use domain::run::{RunRecord, Trigger};
use store::{RunMoment, Store};
use tracing::{Instrument, info, info_span, warn};

use crate::config::IngestConfig;

/// The clients and store one run works with.
pub struct Ingest {
    /// MongoDB.
    pub store: Store,
    /// bunq API.
    pub bunq: bunq::BunqClient,
    /// YNAB API.
    pub ynab: ynab::YnabClient,
    /// Settings that shape a run.
    pub config: IngestConfig,
}

/// What a run did, by name (`bunq_payments`, `enqueued`, ...).
pub type RunSummary = BTreeMap<String, i64>;

/// Delta markers to write once the whole run has succeeded.
#[derive(Default)]
struct Pending {
    moments: Vec<RunMoment>,
}

impl Pending {
    fn mark(&mut self, source: String, timestamp: DateTime<Utc>, knowledge: Option<i64>) {
        self.moments.push(RunMoment {
            source,
            timestamp,
            server_knowledge: knowledge,
        });
    }
}

impl Ingest {
    /// Runs one ingest and records it in `runs`.
    ///
    /// # Errors
    /// The first error of any step, after it was recorded on the run.
    pub async fn run(&self, trigger: Trigger) -> anyhow::Result<RunSummary> {
        let run_id = uuid::Uuid::new_v4().to_string();
        let mut record = RunRecord::start("ingest", trigger, Utc::now(), run_id);
        self.store
            .insert_run(&record)
            .await
            .context("could not record the run start")?;
        let span = info_span!("ingest", run.id = %record.run_id, trigger = ?trigger);
        let clock = Instant::now();

        let result = self
            .load_all(record.started_at, &mut record.counts)
            .instrument(span)
            .await;

        record.finish(Utc::now(), result.as_ref().err().map(|e| format!("{e:#}")));
        let duration_ms = domain::time::millis(clock.elapsed());
        match &result {
            Ok(()) => {
                info!(run.id = %record.run_id, duration_ms, counts = ?record.counts, "ingest run succeeded")
            }
            Err(e) => {
                warn!(run.id = %record.run_id, duration_ms, error = format!("{e:#}"), "ingest run failed")
            }
        }
        self.store
            .finish_run(&record)
            .await
            .context("could not record the run end")?;
        result.map(|()| record.counts)
    }

    /// Every step in order; run moments only at the very end.
    async fn load_all(
        &self,
        started_at: DateTime<Utc>,
        counts: &mut RunSummary,
    ) -> anyhow::Result<()> {
        let mut pending = Pending::default();
        self.load_bunq(started_at, counts, &mut pending).await?;
        self.load_ynab(started_at, counts, &mut pending).await?;
        self.report_links(counts).await?;

        for moment in &pending.moments {
            self.store
                .set_runmoment(moment)
                .await
                .with_context(|| format!("could not store the run moment of {}", moment.source))?;
        }
        counts.insert(
            "bunq_requests".into(),
            saturating(self.bunq.stats().requests_sent),
        );
        counts.insert(
            "ynab_requests_last_hour".into(),
            saturating(self.ynab.usage().used),
        );
        Ok(())
    }

    /// bunq accounts (full load), then each account's new payments.
    async fn load_bunq(
        &self,
        started_at: DateTime<Utc>,
        counts: &mut RunSummary,
        pending: &mut Pending,
    ) -> anyhow::Result<()> {
        let accounts = self
            .bunq
            .monetary_accounts()
            .await
            .context("could not list bunq accounts")?;
        self.store
            .replace_bunq_accounts(&accounts)
            .await
            .context("could not store bunq accounts")?;
        pending.mark("bunq_accounts".into(), started_at, None);
        add(counts, "bunq_accounts", accounts.len());

        for account in &accounts {
            self.load_payments(account.id, started_at, counts, pending)
                .instrument(info_span!("bunq_account", account.id = account.id))
                .await?;
        }
        Ok(())
    }

    async fn load_payments(
        &self,
        account_id: i64,
        started_at: DateTime<Utc>,
        counts: &mut RunSummary,
        pending: &mut Pending,
    ) -> anyhow::Result<()> {
        let source = format!("bunq_payments/{account_id}");
        let last = self.store.runmoment(&source).await?;
        let overlap = chrono::Duration::from_std(self.config.bunq_overlap)?;
        let boundary = last.map(|m| m.timestamp - overlap);

        let payments = self
            .bunq
            .payments(account_id, boundary)
            .await
            .with_context(|| format!("could not list payments of bunq account {account_id}"))?;
        let written = self
            .store
            .upsert_bunq_payments(&payments)
            .await
            .with_context(|| format!("could not store payments of bunq account {account_id}"))?;
        // Enqueue after storing: the worker needs the payment document.
        // With each payment's creation time, so the queue drains oldest first.
        let queued: Vec<(i64, DateTime<Utc>)> =
            payments.iter().map(|p| (p.id, p.created)).collect();
        let enqueued = self.store.enqueue_payments(&queued, Utc::now()).await?;

        info!(
            account.id = account_id,
            fetched = payments.len(),
            new = written.upserted,
            enqueued,
            "bunq payments loaded"
        );
        add(counts, "bunq_payments", payments.len());
        add(counts, "bunq_payments_new", written.upserted);
        add(counts, "bunq_payments_changed", written.modified);
        add(counts, "enqueued", enqueued);
        pending.mark(source, started_at, None);
        Ok(())
    }

    /// YNAB budgets (full load), then per budget the delta of accounts,
    /// categories and transactions.
    async fn load_ynab(
        &self,
        started_at: DateTime<Utc>,
        counts: &mut RunSummary,
        pending: &mut Pending,
    ) -> anyhow::Result<()> {
        let budgets = self
            .ynab
            .budgets()
            .await
            .context("could not list YNAB budgets")?;
        self.store
            .replace_ynab_budgets(&budgets)
            .await
            .context("could not store YNAB budgets")?;
        pending.mark("ynab_budgets".into(), started_at, None);
        add(counts, "ynab_budgets", budgets.len());

        for budget in &budgets {
            self.load_budget(&budget.id, started_at, counts, pending)
                .instrument(info_span!("ynab_budget", budget.id = %budget.id))
                .await?;
        }
        Ok(())
    }

    async fn load_budget(
        &self,
        budget_id: &str,
        started_at: DateTime<Utc>,
        counts: &mut RunSummary,
        pending: &mut Pending,
    ) -> anyhow::Result<()> {
        let knowledge = |kind: &str| format!("{kind}/{budget_id}");
        let last = |source: String| async move {
            self.store
                .runmoment(&source)
                .await
                .map(|m| m.and_then(|m| m.server_knowledge))
        };

        let source = knowledge("ynab_accounts");
        let accounts = self
            .ynab
            .accounts(budget_id, last(source.clone()).await?)
            .await
            .with_context(|| format!("could not list accounts of YNAB budget {budget_id}"))?;
        let stored = self
            .store
            .upsert_ynab_accounts(budget_id, &accounts.items)
            .await?;
        add(counts, "ynab_accounts", accounts.items.len());
        add(counts, "ynab_changed", stored.upserted + stored.modified);
        pending.mark(source, started_at, Some(accounts.server_knowledge));

        let source = knowledge("ynab_categories");
        let categories = self
            .ynab
            .categories(budget_id, last(source.clone()).await?)
            .await
            .with_context(|| format!("could not list categories of YNAB budget {budget_id}"))?;
        let stored = self
            .store
            .upsert_ynab_categories(budget_id, &categories.items)
            .await?;
        add(counts, "ynab_categories", categories.items.len());
        add(counts, "ynab_changed", stored.upserted + stored.modified);
        pending.mark(source, started_at, Some(categories.server_knowledge));

        let source = knowledge("ynab_transactions");
        let since = self.config.ynab_history_since;
        let transactions = self
            .ynab
            .transactions(budget_id, since, last(source.clone()).await?)
            .await
            .with_context(|| format!("could not list transactions of YNAB budget {budget_id}"))?;
        let stored = self
            .store
            .upsert_ynab_transactions(budget_id, &transactions.items)
            .await?;
        add(counts, "ynab_transactions", transactions.items.len());
        add(counts, "ynab_changed", stored.upserted + stored.modified);
        pending.mark(source, started_at, Some(transactions.server_knowledge));
        Ok(())
    }

    /// Logs every bunq account that has no YNAB account to sync to, with
    /// the reason; its payments wait in the queue until the link appears.
    async fn report_links(&self, counts: &mut RunSummary) -> anyhow::Result<()> {
        let bunq_accounts = self.store.bunq_accounts().await?;
        let ynab_accounts: Vec<BudgetAccount> = self.store.ynab_accounts().await?;
        let mut unlinked = 0_usize;
        for account in &bunq_accounts {
            match link_account(account, &ynab_accounts) {
                Ok(link) => {
                    info!(account.id = account.id, budget.id = %link.budget_id, ynab_account.id = %link.ynab_account_id, "bunq account linked")
                }
                Err(reason) => {
                    unlinked += 1;
                    warn!(account.id = account.id, reason = %reason, "bunq account not linked to YNAB");
                }
            }
        }
        add(counts, "unlinked_accounts", unlinked);
        Ok(())
    }
}

fn add(counts: &mut RunSummary, name: &str, value: impl TryInto<i64>) {
    *counts.entry(name.to_owned()).or_default() += value.try_into().unwrap_or(i64::MAX);
}

fn saturating(value: impl TryInto<i64>) -> i64 {
    value.try_into().unwrap_or(i64::MAX)
}

impl Ingest {
    /// Connects to MongoDB (creating indexes) and builds the API clients.
    ///
    /// # Errors
    /// When MongoDB cannot be reached or a client cannot be built.
    pub async fn connect(config: IngestConfig) -> anyhow::Result<Self> {
        let store = Store::connect(&config.mongo)
            .await
            .context("could not connect to MongoDB")?;
        store
            .ensure_indexes()
            .await
            .context("could not create MongoDB indexes")?;
        let contexts = store::context::ContextRepo::new(store.database());
        let bunq = bunq::BunqClient::new(config.bunq.clone(), contexts)
            .context("could not build the bunq client")?;
        let ynab = ynab::YnabClient::new(config.ynab.clone())
            .context("could not build the YNAB client")?;
        Ok(Self {
            store,
            bunq,
            ynab,
            config,
        })
    }
}
