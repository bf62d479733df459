//! One training run: for each YNAB budget, rebuild its matched data set,
//! train and evaluate the candidates (off the async workers), and register
//! the new version. Each run is recorded in `runs`; a budget that fails is
//! logged and recorded without stopping the others.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::Utc;
use domain::linking::Link;
use domain::matching::MatchSettings;
use domain::run::{RunRecord, Trigger};
use domain::time::millis;
use learning::{Example, LearningError, ModelCategory, PaymentFeatures, TrainingConfig};
use store::{MatchedRow, Store};
use tracing::{Instrument, debug, info, info_span, warn};

use crate::config::TrainerConfig;
use crate::matching::{links, match_budget, store_matched};
use crate::registry::{Registered, register};

/// What training did for one budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BudgetOutcome {
    /// A new version was stored (and maybe promoted).
    Trained(Registered),
    /// No model: the reason (too little history, one category, ...).
    NoModel(String),
}

/// The store and settings a run works with.
pub struct Trainer {
    /// MongoDB.
    pub store: Store,
    /// Settings.
    pub config: TrainerConfig,
}

/// Named counts of a run (`budgets`, `models_promoted`, ...).
pub type RunCounts = BTreeMap<String, i64>;

impl Trainer {
    /// Connects to MongoDB and creates the indexes.
    ///
    /// # Errors
    /// When MongoDB cannot be reached or refuses an index.
    pub async fn connect(config: TrainerConfig) -> anyhow::Result<Self> {
        let clock = Instant::now();
        let store = Store::connect(&config.mongo)
            .await
            .context("could not connect to MongoDB")?;
        store
            .ensure_indexes()
            .await
            .context("could not create MongoDB indexes")?;
        debug!(
            elapsed_ms = millis(clock.elapsed()),
            "connected, indexes ensured"
        );
        Ok(Self { store, config })
    }

    /// Trains every budget (or only `budget`) and records the run.
    ///
    /// # Errors
    /// When the run cannot be recorded, the accounts cannot be read, the
    /// named budget is unknown, or any budget failed (after all were tried).
    pub async fn run(&self, trigger: Trigger, budget: Option<&str>) -> anyhow::Result<RunCounts> {
        let run_id = uuid::Uuid::new_v4().to_string();
        let mut record = RunRecord::start("train", trigger, Utc::now(), run_id);
        self.store
            .insert_run(&record)
            .await
            .context("could not record the run start")?;
        let span = info_span!("train", run.id = %record.run_id, trigger = ?trigger);
        let clock = Instant::now();

        let result = self
            .train_all(budget, &mut record.counts)
            .instrument(span)
            .await;

        record.finish(Utc::now(), result.as_ref().err().map(|e| format!("{e:#}")));
        let duration_ms = millis(clock.elapsed());
        match &result {
            Ok(()) => {
                info!(run.id = %record.run_id, duration_ms, counts = ?record.counts, "training run succeeded")
            }
            Err(e) => {
                warn!(run.id = %record.run_id, duration_ms, error = format!("{e:#}"), "training run failed")
            }
        }
        self.store
            .finish_run(&record)
            .await
            .context("could not record the run end")?;
        result.map(|()| record.counts)
    }

    async fn train_all(&self, only: Option<&str>, counts: &mut RunCounts) -> anyhow::Result<()> {
        let clock = Instant::now();
        let links = links(&self.store).await?;
        let budgets = self
            .store
            .ynab_budgets()
            .await
            .context("could not read YNAB budgets")?;
        let mut ids: Vec<String> = budgets.into_iter().map(|b| b.id).collect();
        if let Some(only) = only {
            if !ids.iter().any(|id| id == only) {
                bail!("YNAB budget {only} is not in the store (run the ingest first)");
            }
            ids.retain(|id| id == only);
        }
        debug!(
            elapsed_ms = millis(clock.elapsed()),
            "accounts and budgets read"
        );

        let mut failed = Vec::new();
        for budget_id in &ids {
            let span = info_span!("budget", budget.id = %budget_id);
            match self.train_budget(budget_id, &links).instrument(span).await {
                Ok(outcome) => tally(counts, &outcome),
                Err(e) => {
                    warn!(budget.id = %budget_id, error = format!("{e:#}"), "training a budget failed");
                    failed.push(format!("{budget_id}: {e:#}"));
                }
            }
        }
        add(counts, "budgets", ids.len());
        add(counts, "budgets_failed", failed.len());
        if !failed.is_empty() {
            bail!("{} budget(s) failed: {}", failed.len(), failed.join("; "));
        }
        Ok(())
    }

    /// Rebuilds the matched data set of one budget, trains on it (while
    /// the changed rows are stored) and registers the result.
    ///
    /// # Errors
    /// When MongoDB fails or every candidate fails to fit.
    pub async fn train_budget(
        &self,
        budget_id: &str,
        links: &[Link],
    ) -> anyhow::Result<BudgetOutcome> {
        let clock = Instant::now();
        let matched =
            Arc::new(match_budget(&self.store, budget_id, links, &self.match_settings()).await?);
        debug!(budget.id = %budget_id, elapsed_ms = millis(clock.elapsed()), "matched data set built");

        // Storing the rows (the MongoDB server's work) and training (this
        // process's) do not depend on each other: they run side by side,
        // and the model is registered only once both are done.
        let clock = Instant::now();
        let config = self.training_config();
        let for_training = Arc::clone(&matched);
        let training = tokio::task::spawn_blocking(move || {
            let examples = examples(&for_training.rows);
            let trained = learning::train(&examples, &config);
            (trained, millis(clock.elapsed()))
        });
        let (trained, stored) = tokio::join!(training, store_matched(&self.store, &matched));
        stored?;
        let (trained, training_ms) = trained.context("the training task panicked")?;
        debug!(budget.id = %budget_id, training_ms, elapsed_ms = millis(clock.elapsed()),
               "features, candidates and refit done, matched rows stored");
        let trained = match trained {
            Ok(trained) => trained,
            Err(LearningError::NoUsableHistory(reason)) => {
                info!(budget.id = %budget_id, reason = %reason, "no usable history: this budget gets no model");
                return Ok(BudgetOutcome::NoModel(reason));
            }
            Err(e) => {
                return Err(e).with_context(|| format!("training YNAB budget {budget_id} failed"));
            }
        };
        let c = &self.config;
        let clock = Instant::now();
        let registered = register(
            &self.store,
            budget_id,
            &trained,
            c.promotion_tolerance,
            c.keep_models,
        )
        .await?;
        debug!(budget.id = %budget_id, elapsed_ms = millis(clock.elapsed()), "model registered");
        Ok(BudgetOutcome::Trained(registered))
    }

    /// Matching settings from the configuration.
    pub fn match_settings(&self) -> MatchSettings {
        MatchSettings {
            window_days: self.config.match_window_days,
            zone: self.config.learning.timezone,
        }
    }

    /// Training settings from the configuration.
    pub fn training_config(&self) -> TrainingConfig {
        TrainingConfig {
            threshold: self.config.learning.threshold,
            zone: self.config.learning.timezone,
            ..TrainingConfig::default()
        }
    }
}

/// The training examples of labelled rows.
fn examples(rows: &[MatchedRow]) -> Vec<Example> {
    rows.iter()
        .map(|r| Example {
            features: PaymentFeatures::from_payment(&r.payment),
            category: ModelCategory {
                id: r.category_id.clone(),
                name: r.category_name.clone(),
                group: r.category_group_name.clone(),
            },
        })
        .collect()
}

fn tally(counts: &mut RunCounts, outcome: &BudgetOutcome) {
    match outcome {
        BudgetOutcome::Trained(r) => {
            add(counts, "models_trained", 1);
            add(
                counts,
                "models_promoted",
                usize::from(matches!(r.verdict, crate::registry::Verdict::Promote(_))),
            );
            add(
                counts,
                "models_pruned",
                usize::try_from(r.pruned).unwrap_or(usize::MAX),
            );
        }
        BudgetOutcome::NoModel(_) => add(counts, "budgets_without_model", 1),
    }
}

fn add(counts: &mut RunCounts, name: &str, value: usize) {
    *counts.entry(name.to_owned()).or_default() += i64::try_from(value).unwrap_or(i64::MAX);
}
