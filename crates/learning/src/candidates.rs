//! The candidate algorithms, all from the linfa family, each fitted on
//! encoded rows and turned into a [`Classifier`]: a decision tree, a random
//! forest, a multinomial logistic regression and a Bernoulli naive Bayes.
//! Class imbalance: rare classes are repeated (trees, forest, logistic
//! regression) or the class prior is made uniform (naive Bayes).

use serde::{Deserialize, Serialize};

use crate::classifier::Classifier;
use crate::error::LearningError;
use crate::vocabulary::SparseRow;

mod bayes;
mod dense;
mod linear;
mod trees;

/// Encoded training rows and their class indices.
#[derive(Clone, Copy, Debug)]
pub struct TrainingData<'a> {
    /// One row per payment.
    pub rows: &'a [SparseRow],
    /// The class index of each row.
    pub labels: &'a [usize],
    /// The number of classes.
    pub classes: usize,
    /// The number of token columns (numeric columns follow them).
    pub tokens: usize,
}

/// The newest rows the costly candidates (trees, forest, logistic
/// regression) fit on by default: their fit time grows with the rows,
/// and the newest history says most about the next payments. Naive Bayes
/// always fits on every row.
pub const RECENT_ROWS: usize = 2_000;

impl TrainingData<'_> {
    /// The newest `max_rows` rows (rows are in time order).
    pub fn newest(&self, max_rows: usize) -> Self {
        let skip = self.rows.len().saturating_sub(max_rows.max(1));
        Self {
            rows: &self.rows[skip..],
            labels: &self.labels[skip..],
            ..*self
        }
    }
}

/// An algorithm with its parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "algorithm", rename_all = "snake_case")]
pub enum Candidate {
    /// One CART tree (linfa-trees, Gini).
    DecisionTree {
        /// Fits on the newest this many rows only.
        max_rows: usize,
        /// Deepest level.
        max_depth: usize,
        /// The most frequent token columns the tree may split on.
        tree_features: usize,
    },
    /// Bagged trees on random feature subsets (linfa-ensemble).
    RandomForest {
        /// Fits on the newest this many rows only.
        max_rows: usize,
        /// Number of trees.
        trees: usize,
        /// Deepest level of each tree.
        max_depth: usize,
        /// Share of columns each tree sees.
        feature_proportion: f64,
        /// The most frequent token columns the trees may split on.
        tree_features: usize,
        /// Seed of the bootstrap and feature sampling.
        seed: u64,
    },
    /// Multinomial logistic regression, L2-regularised (linfa-logistic).
    LogisticRegression {
        /// Fits on the newest this many rows only.
        max_rows: usize,
        /// L2 strength.
        alpha: f64,
        /// L-BFGS iterations at most.
        max_iterations: u64,
    },
    /// Bernoulli naive Bayes on the token columns (linfa-bayes).
    NaiveBayes {
        /// Additive smoothing.
        alpha: f64,
        /// Whether to keep the class frequencies as prior (false: uniform,
        /// which favours rare categories).
        fit_prior: bool,
    },
}

impl Candidate {
    /// The candidates tried by default, cheapest first.
    pub fn defaults() -> Vec<Self> {
        vec![
            Self::NaiveBayes {
                alpha: 0.1,
                fit_prior: false,
            },
            Self::LogisticRegression {
                max_rows: RECENT_ROWS,
                alpha: 5.0,
                max_iterations: 150,
            },
            Self::DecisionTree {
                max_rows: RECENT_ROWS,
                max_depth: 24,
                tree_features: 96,
            },
            Self::RandomForest {
                max_rows: RECENT_ROWS,
                trees: 8,
                max_depth: 24,
                feature_proportion: 0.7,
                tree_features: 96,
                seed: 17,
            },
        ]
    }

    /// The algorithm's name (`random_forest`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Self::DecisionTree { .. } => "decision_tree",
            Self::RandomForest { .. } => "random_forest",
            Self::LogisticRegression { .. } => "logistic_regression",
            Self::NaiveBayes { .. } => "naive_bayes",
        }
    }

    /// A rough rank of how long a fit takes (higher is longer), to start
    /// the slow candidates first when several are fitted at once.
    pub fn relative_cost(&self) -> u8 {
        match self {
            Self::RandomForest { .. } => 3,
            Self::LogisticRegression { .. } => 2,
            Self::DecisionTree { .. } => 1,
            Self::NaiveBayes { .. } => 0,
        }
    }

    /// The parameters as a JSON object, without the algorithm's name.
    pub fn params(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(object) = value.as_object_mut() {
            object.remove("algorithm");
        }
        value
    }

    /// Fits the candidate.
    ///
    /// # Errors
    /// [`LearningError::Fit`] when linfa refuses the data (for example a
    /// single class, or no token columns for naive Bayes).
    pub fn fit(&self, data: &TrainingData<'_>) -> Result<Classifier, LearningError> {
        if data.classes < 2 || data.rows.is_empty() {
            return Err(self.failed("at least two categories are needed"));
        }
        let fitted = match self {
            Self::DecisionTree {
                max_rows,
                max_depth,
                tree_features,
            } => trees::decision_tree(&data.newest(*max_rows), *max_depth, *tree_features),
            Self::RandomForest {
                max_rows,
                trees,
                max_depth,
                feature_proportion,
                tree_features,
                seed,
            } => {
                let shape = trees::ForestShape {
                    trees: *trees,
                    max_depth: *max_depth,
                    feature_proportion: *feature_proportion,
                    tree_features: *tree_features,
                    seed: *seed,
                };
                trees::random_forest(&data.newest(*max_rows), &shape)
            }
            Self::LogisticRegression {
                max_rows,
                alpha,
                max_iterations,
            } => linear::logistic_regression(&data.newest(*max_rows), *alpha, *max_iterations),
            Self::NaiveBayes { alpha, fit_prior } => bayes::naive_bayes(data, *alpha, *fit_prior),
        };
        fitted.map_err(|reason| self.failed(&reason))
    }

    fn failed(&self, reason: &str) -> LearningError {
        LearningError::Fit {
            algorithm: self.name(),
            reason: reason.to_owned(),
        }
    }
}

/// Row indices with rare classes repeated: a class gets
/// `round(median count / its count)` copies of each row, between 1 and 4,
/// so that rare categories weigh more without drowning the common ones.
pub(crate) fn balanced_rows(labels: &[usize], classes: usize) -> Vec<usize> {
    let mut counts = vec![0_usize; classes];
    labels.iter().for_each(|&l| counts[l] += 1);
    let mut present: Vec<usize> = counts.iter().copied().filter(|&c| c > 0).collect();
    present.sort_unstable();
    let median = present.get(present.len() / 2).copied().unwrap_or(1) as f64;
    let copies: Vec<usize> = counts
        .iter()
        .map(|&c| {
            if c == 0 {
                1
            } else {
                (median / c as f64).round().clamp(1.0, 4.0) as usize
            }
        })
        .collect();
    labels
        .iter()
        .enumerate()
        .flat_map(|(i, &l)| std::iter::repeat_n(i, copies[l]))
        .collect()
}

#[cfg(test)]
mod tests;
