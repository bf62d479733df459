//! Scores of predictions against the categories the user chose: accuracy,
//! macro- and weighted-F1 (as scikit-learn computes them, over every
//! category that is either true or predicted), and accuracy and coverage at
//! the confidence threshold the sync uses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The confidence below which the sync leaves a transaction uncategorised
/// (`CATEGORY_CONFIDENCE_THRESHOLD`).
pub const DEFAULT_CONFIDENCE_THRESHOLD: f64 = 0.6;

/// How well predictions matched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Share of payments predicted right (no prediction counts as wrong).
    pub accuracy: f64,
    /// Unweighted mean of the per-category F1 scores.
    pub macro_f1: f64,
    /// Mean of the per-category F1 scores weighted by true counts.
    pub weighted_f1: f64,
    /// Share right among the predictions at or above the threshold.
    pub accuracy_at_threshold: f64,
    /// Share of payments with a prediction at or above the threshold.
    pub coverage_at_threshold: f64,
}

/// One prediction to score: the category and its confidence, or none.
pub type Scored<'a> = Option<(&'a str, f64)>;

#[derive(Default)]
struct Tally {
    true_positive: f64,
    false_positive: f64,
    false_negative: f64,
}

impl Tally {
    fn f1(&self) -> f64 {
        let denominator = 2.0 * self.true_positive + self.false_positive + self.false_negative;
        if denominator == 0.0 {
            0.0
        } else {
            2.0 * self.true_positive / denominator
        }
    }
}

/// Scores `predicted` against `truth` (same length, same order).
pub fn score(truth: &[&str], predicted: &[Scored<'_>], threshold: f64) -> Metrics {
    let n = truth.len().min(predicted.len());
    if n == 0 {
        return Metrics::default();
    }
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let (mut right, mut confident, mut confident_right) = (0_usize, 0_usize, 0_usize);
    for (&actual, guess) in truth.iter().zip(predicted) {
        let guessed = guess.map(|(category, _)| category);
        let hit = guessed == Some(actual);
        right += usize::from(hit);
        if guess.is_some_and(|(_, confidence)| confidence >= threshold) {
            confident += 1;
            confident_right += usize::from(hit);
        }
        if hit {
            tallies.entry(actual).or_default().true_positive += 1.0;
            continue;
        }
        tallies.entry(actual).or_default().false_negative += 1.0;
        if let Some(category) = guessed {
            tallies.entry(category).or_default().false_positive += 1.0;
        }
    }

    let macro_f1 = tallies.values().map(Tally::f1).sum::<f64>() / tallies.len() as f64;
    let weighted_f1 = tallies
        .values()
        .map(|t| t.f1() * (t.true_positive + t.false_negative))
        .sum::<f64>()
        / n as f64;
    Metrics {
        accuracy: right as f64 / n as f64,
        macro_f1,
        weighted_f1,
        accuracy_at_threshold: if confident == 0 {
            0.0
        } else {
            confident_right as f64 / confident as f64
        },
        coverage_at_threshold: confident as f64 / n as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn scores_match_a_hand_computed_example() {
        // Truth a a b c; predicted a b b (none): a: tp1 fn1 -> 2/3; b: tp1 fp1 -> 2/3; c: fn1 -> 0.
        let truth = ["a", "a", "b", "c"];
        let predicted = [Some(("a", 0.9)), Some(("b", 0.5)), Some(("b", 0.7)), None];

        let m = score(&truth, &predicted, 0.6);

        assert!(close(m.accuracy, 0.5));
        assert!(close(m.macro_f1, (2.0 / 3.0 + 2.0 / 3.0) / 3.0));
        assert!(close(m.weighted_f1, (2.0 * 2.0 / 3.0 + 2.0 / 3.0) / 4.0));
        assert!(close(m.accuracy_at_threshold, 1.0));
        assert!(close(m.coverage_at_threshold, 0.5));
    }

    #[test]
    fn nothing_to_score_gives_zeros() {
        assert_eq!(score(&[], &[], 0.6), Metrics::default());
    }
}
