//! The model registry's rules: a new version is stored, and promoted when
//! it scores better than the promoted one or within a small tolerance of it
//! (a newer model knows newer categories), but never when it scores below
//! the payee-memory baseline. Retention keeps the promoted version and the
//! few newest.

use anyhow::Context;
use chrono::Utc;
use learning::{Metrics, Trained};
use store::{ModelCategoryRecord, ModelMetrics, ModelRecord, ModelStatus, Store};
use tracing::info;

/// Macro-F1 a new version may lose against the promoted one and still be
/// promoted (the Python system used the same value, on purpose).
pub const DEFAULT_TOLERANCE: f64 = 0.025;
/// Versions kept per budget besides the promoted one.
pub const DEFAULT_KEEP: usize = 5;

/// Whether a new version replaces the promoted one, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Promote it.
    Promote(&'static str),
    /// Keep it as a candidate only.
    Keep(&'static str),
}

/// The promotion rule, on macro-F1 of the time-ordered validation.
pub fn decide(
    new: &ModelMetrics,
    baseline: &ModelMetrics,
    current: Option<&ModelMetrics>,
    tolerance: f64,
) -> Verdict {
    if new.macro_f1 < baseline.macro_f1 {
        return Verdict::Keep("scores below the payee-memory baseline");
    }
    match current {
        None => Verdict::Promote("no promoted version yet"),
        Some(current) if new.macro_f1 >= current.macro_f1 => {
            Verdict::Promote("scores at least as well as the promoted version")
        }
        Some(current) if new.macro_f1 >= current.macro_f1 - tolerance => {
            Verdict::Promote("scores within the tolerance of the promoted version")
        }
        Some(_) => Verdict::Keep("scores worse than the promoted version"),
    }
}

/// What registering a version did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registered {
    /// The new version number.
    pub version: i64,
    /// The verdict.
    pub verdict: Verdict,
    /// Old versions deleted by retention.
    pub pruned: u64,
}

/// Stores `trained` as the next version of `budget_id`, promotes it when
/// the rule says so, and applies retention.
///
/// # Errors
/// When MongoDB fails or the model does not serialise.
pub async fn register(
    store: &Store,
    budget_id: &str,
    trained: &Trained,
    tolerance: f64,
    keep: usize,
) -> anyhow::Result<Registered> {
    let evaluation = &trained.evaluation;
    let best = evaluation.best();
    let metrics = stored(&best.metrics);
    let baseline = stored(&evaluation.baseline);
    let current = store
        .promoted_metrics(budget_id)
        .await
        .context("could not read the promoted model's metrics")?;
    let verdict = decide(&metrics, &baseline, current.as_ref(), tolerance);

    let version = store
        .next_model_version(budget_id)
        .await
        .context("could not number the new model")?;
    let record = ModelRecord {
        budget_id: budget_id.to_owned(),
        version,
        algorithm: trained.model.algorithm.clone(),
        params: best.params.clone(),
        metrics,
        baseline_metrics: baseline,
        training_size: i64::try_from(trained.training_size).unwrap_or(i64::MAX),
        categories: trained
            .model
            .categories
            .iter()
            .map(|c| ModelCategoryRecord {
                id: c.id.clone(),
                name: c.name.clone(),
                group: c.group.clone(),
            })
            .collect(),
        created_at: Utc::now(),
        status: ModelStatus::Candidate,
        model: trained.model.to_bytes()?,
        promoted_at: None,
    };
    store
        .insert_model(&record)
        .await
        .with_context(|| format!("could not store model version {version}"))?;
    if let Verdict::Promote(_) = verdict {
        store
            .promote_model(budget_id, version, Utc::now())
            .await
            .with_context(|| format!("could not promote model version {version}"))?;
    }
    let pruned = store
        .prune_models(budget_id, keep)
        .await
        .context("could not apply model retention")?;

    let (promoted, reason) = match verdict {
        Verdict::Promote(r) => (true, r),
        Verdict::Keep(r) => (false, r),
    };
    info!(budget.id = %budget_id, model.version = version, algorithm = %record.algorithm, macro_f1 = metrics.macro_f1,
          baseline_macro_f1 = baseline.macro_f1, promoted, reason, pruned, "model version stored");
    Ok(Registered {
        version,
        verdict,
        pruned,
    })
}

/// Metrics as the registry stores them.
pub fn stored(m: &Metrics) -> ModelMetrics {
    ModelMetrics {
        accuracy: m.accuracy,
        macro_f1: m.macro_f1,
        weighted_f1: m.weighted_f1,
        accuracy_at_threshold: m.accuracy_at_threshold,
        coverage_at_threshold: m.coverage_at_threshold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f1(macro_f1: f64) -> ModelMetrics {
        ModelMetrics {
            macro_f1,
            ..ModelMetrics::default()
        }
    }

    #[test]
    fn a_first_model_above_the_baseline_is_promoted() {
        assert!(matches!(
            decide(&f1(0.8), &f1(0.7), None, DEFAULT_TOLERANCE),
            Verdict::Promote(_)
        ));
    }

    #[test]
    fn a_model_below_the_baseline_is_never_promoted_even_as_the_first() {
        assert!(matches!(
            decide(&f1(0.69), &f1(0.7), None, DEFAULT_TOLERANCE),
            Verdict::Keep(_)
        ));
        assert!(matches!(
            decide(&f1(0.69), &f1(0.7), Some(&f1(0.2)), DEFAULT_TOLERANCE),
            Verdict::Keep(_)
        ));
    }

    #[test]
    fn a_slightly_worse_model_is_promoted_within_the_tolerance_only() {
        let current = f1(0.90);
        assert!(matches!(
            decide(&f1(0.88), &f1(0.5), Some(&current), DEFAULT_TOLERANCE),
            Verdict::Promote(_)
        ));
        assert!(matches!(
            decide(&f1(0.87), &f1(0.5), Some(&current), DEFAULT_TOLERANCE),
            Verdict::Keep(_)
        ));
        assert!(matches!(
            decide(&f1(0.95), &f1(0.5), Some(&current), DEFAULT_TOLERANCE),
            Verdict::Promote(_)
        ));
    }
}
