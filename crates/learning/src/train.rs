//! Training that predicts the future: every candidate is fitted on the
//! older part of a budget's history and scored on the newer part (time
//! order, never a random split), next to the payee-memory baseline. The
//! best candidate by macro-F1 is then refitted on all of it; the metrics
//! kept are those of the time-ordered validation.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chrono_tz::Tz;
use serde::Serialize;
use tracing::info;

use crate::baseline::PayeeMemory;
use crate::candidates::{Candidate, TrainingData};
use crate::error::LearningError;
use crate::features::PaymentFeatures;
use crate::metrics::{DEFAULT_CONFIDENCE_THRESHOLD, Metrics, Scored, score};
use crate::model::{Model, ModelCategory};
use crate::vocabulary::{SparseRow, Vocabulary};

/// One labelled payment.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// What the model sees.
    pub features: PaymentFeatures,
    /// The category the user chose.
    pub category: ModelCategory,
}

/// How training is done.
#[derive(Clone, Debug)]
pub struct TrainingConfig {
    /// The candidates, tried in order (default [`Candidate::defaults`]).
    pub candidates: Vec<Candidate>,
    /// The newest share of the history used for validation (default 0.2).
    pub validation_share: f64,
    /// The sync's confidence threshold (default 0.6).
    pub threshold: f64,
    /// Tokens must occur in this many payments to become columns
    /// (default 1).
    pub min_token_count: usize,
    /// At most this many token columns (default 1,500).
    pub max_vocabulary: usize,
    /// Fewer labelled payments than this is no usable history
    /// (default 20).
    pub min_examples: usize,
    /// The zone of the day features (default Europe/Amsterdam).
    pub zone: Tz,
    /// How many candidates are fitted at once (default: the machine's
    /// available parallelism). Each candidate is seeded on its own, so the
    /// result does not depend on it.
    pub threads: usize,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        Self {
            candidates: Candidate::defaults(),
            validation_share: 0.2,
            threshold: DEFAULT_CONFIDENCE_THRESHOLD,
            min_token_count: 1,
            max_vocabulary: 1_500,
            min_examples: 20,
            zone: chrono_tz::Europe::Amsterdam,
            threads: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }
}

/// How one candidate did on the validation part.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CandidateReport {
    /// The algorithm.
    pub algorithm: String,
    /// Its parameters.
    pub params: serde_json::Value,
    /// Its validation metrics.
    pub metrics: Metrics,
    /// Fit time on the training part, in milliseconds.
    pub fit_ms: u64,
    /// Mean time to featurise and predict one validation payment, in
    /// microseconds.
    pub predict_us: f64,
}

/// The result of the time-ordered validation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// Older payments fitted on.
    pub training_rows: usize,
    /// Newer payments scored.
    pub validation_rows: usize,
    /// Categories seen in training.
    pub categories: usize,
    /// Every candidate, in the order tried.
    pub candidates: Vec<CandidateReport>,
    /// Index of the best candidate in `candidates`.
    pub best: usize,
    /// The payee-memory baseline on the same validation.
    pub baseline: Metrics,
}

impl Evaluation {
    /// The best candidate's report.
    pub fn best(&self) -> &CandidateReport {
        &self.candidates[self.best]
    }
}

/// A model ready to store, with its evaluation.
#[derive(Clone, Debug)]
pub struct Trained {
    /// The model refitted on all payments.
    pub model: Model,
    /// The validation that chose it.
    pub evaluation: Evaluation,
    /// Payments it was refitted on.
    pub training_size: usize,
    /// Refit time, in milliseconds.
    pub refit_ms: u64,
}

/// Scores every candidate and the baseline on the newest part of
/// `examples` after fitting on the rest.
///
/// # Errors
/// [`LearningError::NoUsableHistory`] for too few payments or categories,
/// [`LearningError::Fit`] when every candidate fails.
pub fn evaluate(
    examples: &[Example],
    config: &TrainingConfig,
) -> Result<Evaluation, LearningError> {
    let ordered = in_time_order(examples);
    if ordered.len() < config.min_examples {
        let message = format!(
            "{} labelled payments, at least {} needed",
            ordered.len(),
            config.min_examples
        );
        return Err(LearningError::NoUsableHistory(message));
    }
    let cut = ((ordered.len() as f64) * (1.0 - config.validation_share)).round() as usize;
    let (older, newer) = ordered.split_at(cut.clamp(1, ordered.len() - 1));
    let prepared = Prepared::new(older, config);
    if prepared.categories.len() < 2 {
        return Err(LearningError::NoUsableHistory(
            "fewer than two categories in the older history".into(),
        ));
    }
    let truth: Vec<&str> = newer.iter().map(|e| e.category.id.as_str()).collect();

    let (reports, best) = fit_candidates(&prepared, newer, &truth, config)?;

    let memory = PayeeMemory::fit(older.iter().map(|e| (&e.features, e.category.id.as_str())));
    let guesses: Vec<Scored<'_>> = newer.iter().map(|e| memory.predict(&e.features)).collect();
    Ok(Evaluation {
        training_rows: older.len(),
        validation_rows: newer.len(),
        categories: prepared.categories.len(),
        candidates: reports,
        best,
        baseline: score(&truth, &guesses, config.threshold),
    })
}

/// Evaluates, then refits the best candidate on every payment.
///
/// # Errors
/// As [`evaluate`], or [`LearningError::Fit`] when the refit fails.
pub fn train(examples: &[Example], config: &TrainingConfig) -> Result<Trained, LearningError> {
    let evaluation = evaluate(examples, config)?;
    let chosen = config.candidates.iter().find(|c| {
        c.name() == evaluation.best().algorithm && c.params() == evaluation.best().params
    });
    let chosen = chosen
        .ok_or_else(|| LearningError::NoUsableHistory("the chosen candidate vanished".into()))?;
    let ordered = in_time_order(examples);
    info!(
        algorithm = chosen.name(),
        rows = ordered.len(),
        "refitting the chosen candidate on all payments"
    );

    let clock = Instant::now();
    let model = Prepared::new(&ordered, config).fit(chosen, config.zone)?;
    Ok(Trained {
        model,
        evaluation,
        training_size: ordered.len(),
        refit_ms: domain::time::millis(clock.elapsed()),
    })
}

/// Fits and scores every candidate (several at once, see
/// [`TrainingConfig::threads`]); the reports keep the configured order,
/// and the index of the best by macro-F1 comes with them. Only when every
/// candidate fails is the last failure returned.
fn fit_candidates(
    prepared: &Prepared,
    newer: &[Example],
    truth: &[&str],
    config: &TrainingConfig,
) -> Result<(Vec<CandidateReport>, usize), LearningError> {
    let outcomes = in_parallel(&config.candidates, config.threads, |step, candidate| {
        info!(
            algorithm = candidate.name(),
            step = step + 1,
            of = config.candidates.len(),
            rows = prepared.labels.len(),
            "fitting candidate"
        );
        let clock = Instant::now();
        let model = prepared.fit(candidate, config.zone)?;
        let fit_ms = domain::time::millis(clock.elapsed());
        let (metrics, predict_us) = score_model(&model, newer, truth, config.threshold);
        info!(
            algorithm = candidate.name(),
            macro_f1 = metrics.macro_f1,
            accuracy = metrics.accuracy,
            fit_ms,
            "candidate scored"
        );
        Ok(CandidateReport {
            algorithm: candidate.name().into(),
            params: candidate.params(),
            metrics,
            fit_ms,
            predict_us,
        })
    });
    let mut reports = Vec::new();
    let mut last_error = None;
    for (candidate, outcome) in config.candidates.iter().zip(outcomes) {
        match outcome {
            Ok(report) => reports.push(report),
            Err(error) => {
                tracing::warn!(algorithm = candidate.name(), error = %error, "candidate failed");
                last_error = Some(error);
            }
        }
    }
    let best = best_index(&reports).ok_or_else(|| {
        last_error
            .unwrap_or_else(|| LearningError::NoUsableHistory("no candidates configured".into()))
    })?;
    Ok((reports, best))
}

/// `work` applied to every candidate on up to `threads` threads, the
/// costliest candidates first so that the cheap ones fill in around them;
/// the outcomes come back in the candidates' order.
fn in_parallel<T, F>(candidates: &[Candidate], threads: usize, work: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize, &Candidate) -> T + Sync,
{
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(candidates[i].relative_cost()));
    let next = AtomicUsize::new(0);
    let threads = threads.clamp(1, candidates.len().max(1));
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                        mine.push((i, work(i, &candidates[i])));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(mine) => mine,
                // A panic in a fit is a bug; carry it to the caller as one.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, outcome)| outcome).collect()
}

/// The examples ordered by payment time (stable for equal times).
fn in_time_order(examples: &[Example]) -> Vec<Example> {
    let mut ordered = examples.to_vec();
    ordered.sort_by_key(|e| e.features.created);
    ordered
}

/// The highest macro-F1; the earliest (cheapest) candidate wins a tie.
fn best_index(reports: &[CandidateReport]) -> Option<usize> {
    (0..reports.len()).reduce(|best, i| {
        if reports[i].metrics.macro_f1 > reports[best].metrics.macro_f1 {
            i
        } else {
            best
        }
    })
}

/// The metrics of `model` on `newer`, and its mean prediction time per
/// payment in microseconds.
fn score_model(model: &Model, newer: &[Example], truth: &[&str], threshold: f64) -> (Metrics, f64) {
    let clock = Instant::now();
    let predictions = newer
        .iter()
        .map(|e| model.predict_one(&e.features))
        .collect::<Vec<_>>();
    let predict_us = clock.elapsed().as_secs_f64() * 1e6 / newer.len().max(1) as f64;
    let scored: Vec<Scored<'_>> = predictions
        .iter()
        .map(|p| Some((p.category_id.as_str(), p.confidence)))
        .collect();
    (score(truth, &scored, threshold), predict_us)
}

/// Examples encoded against a vocabulary and class list fitted on them.
struct Prepared {
    vocabulary: Vocabulary,
    categories: Vec<ModelCategory>,
    rows: Vec<SparseRow>,
    labels: Vec<usize>,
}

impl Prepared {
    fn new(examples: &[Example], config: &TrainingConfig) -> Self {
        let tokens: Vec<Vec<String>> = examples
            .iter()
            .map(|e| e.features.tokens(config.zone))
            .collect();
        let vocabulary = Vocabulary::fit(
            tokens.iter().map(Vec::as_slice),
            config.min_token_count,
            config.max_vocabulary,
        );
        // Classes sorted by id; the latest name and group of each win.
        let by_id: BTreeMap<&str, &ModelCategory> = examples
            .iter()
            .map(|e| (e.category.id.as_str(), &e.category))
            .collect();
        let categories: Vec<ModelCategory> = by_id.values().map(|c| (*c).clone()).collect();
        let index: BTreeMap<&str, usize> =
            by_id.keys().enumerate().map(|(i, id)| (*id, i)).collect();
        let rows = examples
            .iter()
            .zip(&tokens)
            .map(|(e, t)| vocabulary.encode(t, e.features.numeric(config.zone)))
            .collect();
        let labels = examples
            .iter()
            .map(|e| index[e.category.id.as_str()])
            .collect();
        Self {
            vocabulary,
            categories,
            rows,
            labels,
        }
    }

    fn fit(&self, candidate: &Candidate, zone: Tz) -> Result<Model, LearningError> {
        let data = TrainingData {
            rows: &self.rows,
            labels: &self.labels,
            classes: self.categories.len(),
            tokens: self.vocabulary.len(),
        };
        let classifier = candidate.fit(&data)?;
        Ok(Model::new(
            candidate.name(),
            &candidate.params(),
            zone,
            self.vocabulary.clone(),
            self.categories.clone(),
            classifier,
        ))
    }
}

#[cfg(test)]
mod tests;
