//! `trainer evaluate`: the time-ordered evaluation of a JSON Lines data set
//! (the first 80 percent trains, the newest 20 percent validates), printed
//! as one JSON object with the chosen model's and the baseline's metrics.

use std::path::Path;
use std::time::Instant;

use learning::TrainingConfig;
use serde_json::{Value, json};

use crate::config::LearningSettings;
use crate::jsonl::read_examples;

/// Evaluates the data set in `input`.
///
/// # Errors
/// A clear error for an unreadable, empty or malformed file (naming the
/// line), or for a history too small to split.
pub fn evaluate_file(input: &Path, settings: &LearningSettings) -> anyhow::Result<Value> {
    let examples = read_examples(input)?;
    let config = TrainingConfig {
        threshold: settings.threshold,
        zone: settings.timezone,
        ..TrainingConfig::default()
    };

    let clock = Instant::now();
    let evaluation = learning::evaluate(&examples, &config)?;
    let total_seconds = clock.elapsed().as_secs_f64();

    let best = evaluation.best();
    Ok(json!({
        "input": input.display().to_string(),
        "payments": examples.len(),
        "training_rows": evaluation.training_rows,
        "validation_rows": evaluation.validation_rows,
        "categories": evaluation.categories,
        "threshold": settings.threshold,
        "model": {
            "algorithm": best.algorithm,
            "params": best.params,
            "metrics": best.metrics,
            "fit_seconds": best.fit_ms as f64 / 1000.0,
            "predict_us_per_payment": best.predict_us,
        },
        "baseline": { "algorithm": "payee_memory", "metrics": evaluation.baseline },
        "candidates": evaluation.candidates,
        "total_seconds": total_seconds,
    }))
}
