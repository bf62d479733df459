//! The fitted predictors in the form they are stored and served: plain
//! vectors of numbers, with no linfa types, so that prediction works on
//! sparse rows, allocates little and serialises to the same bytes every
//! time.

use serde::{Deserialize, Serialize};

use crate::vocabulary::SparseRow;

/// A fitted predictor of class probabilities.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Classifier {
    /// Scores linear in the features, turned into probabilities by
    /// softmax: logistic regression and naive Bayes.
    Linear(Linear),
    /// Decision trees whose leaf distributions are averaged: one tree for
    /// the decision tree, many for the random forest.
    Forest(Forest),
}

/// `softmax(bias + row · weights)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Linear {
    /// The number of classes.
    pub classes: u32,
    /// One bias per class.
    pub bias: Vec<f32>,
    /// Row-major `columns × classes`.
    pub weights: Vec<f32>,
}

/// An average of trees.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Forest {
    /// The number of classes.
    pub classes: u32,
    /// The trees.
    pub trees: Vec<Tree>,
}

/// One tree, its nodes in a flat list; node 0 is the root.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// The nodes.
    pub nodes: Vec<Node>,
}

/// A node of a [`Tree`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Node {
    /// Rows whose `column` is at most `threshold` go left.
    Split {
        /// The feature column.
        column: u32,
        /// The split value.
        threshold: f32,
        /// Index of the left child.
        left: u32,
        /// Index of the right child.
        right: u32,
    },
    /// The class distribution of the training rows that end here
    /// (`(class, probability)`, classes with none left out).
    Leaf(Vec<(u32, f32)>),
}

impl Classifier {
    /// The probability of each class for one row.
    pub fn probabilities(&self, row: &SparseRow) -> Vec<f32> {
        match self {
            Self::Linear(linear) => linear.probabilities(row),
            Self::Forest(forest) => forest.probabilities(row),
        }
    }
}

impl Linear {
    fn probabilities(&self, row: &SparseRow) -> Vec<f32> {
        let k = self.classes as usize;
        let mut scores = self.bias.clone();
        for &(column, value) in row {
            let start = column as usize * k;
            if let Some(weights) = self.weights.get(start..start + k) {
                scores
                    .iter_mut()
                    .zip(weights)
                    .for_each(|(s, w)| *s += value * w);
            }
        }
        softmax(&mut scores);
        scores
    }
}

impl Forest {
    fn probabilities(&self, row: &SparseRow) -> Vec<f32> {
        let mut total = vec![0.0_f32; self.classes as usize];
        for tree in &self.trees {
            for &(class, p) in tree.leaf(row) {
                if let Some(t) = total.get_mut(class as usize) {
                    *t += p;
                }
            }
        }
        let n = self.trees.len().max(1) as f32;
        total.iter_mut().for_each(|t| *t /= n);
        total
    }
}

impl Tree {
    /// The leaf distribution `row` ends in (empty for a malformed tree).
    pub fn leaf(&self, row: &SparseRow) -> &[(u32, f32)] {
        let mut at = 0_usize;
        // A tree has fewer levels than nodes; the bound only guards
        // against a corrupt tree whose links form a cycle.
        for _ in 0..=self.nodes.len() {
            match self.nodes.get(at) {
                Some(Node::Leaf(distribution)) => return distribution,
                Some(Node::Split {
                    column,
                    threshold,
                    left,
                    right,
                }) => {
                    at = if value(row, *column) <= *threshold {
                        *left
                    } else {
                        *right
                    } as usize;
                }
                None => break,
            }
        }
        &[]
    }
}

/// The value of `column` in a sparse row (0 when absent).
pub(crate) fn value(row: &SparseRow, column: u32) -> f32 {
    row.binary_search_by_key(&column, |(c, _)| *c)
        .map_or(0.0, |i| row[i].1)
}

/// In-place softmax, stable for large scores.
pub(crate) fn softmax(scores: &mut [f32]) {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for s in scores.iter_mut() {
        *s = (*s - max).exp();
        sum += *s;
    }
    if sum > 0.0 {
        scores.iter_mut().for_each(|s| *s /= sum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linear_classifier_reads_sparse_rows() {
        let linear = Linear {
            classes: 2,
            bias: vec![0.0, 0.0],
            weights: vec![2.0, 0.0, 0.0, 2.0],
        };

        let p = Classifier::Linear(linear).probabilities(&vec![(1, 1.0)]);

        assert!(p[1] > 0.85 && (p[0] + p[1] - 1.0).abs() < 1e-6, "{p:?}");
    }

    #[test]
    fn a_tree_routes_by_threshold_and_a_forest_averages() {
        let tree = Tree {
            nodes: vec![
                Node::Split {
                    column: 3,
                    threshold: 0.5,
                    left: 1,
                    right: 2,
                },
                Node::Leaf(vec![(0, 1.0)]),
                Node::Leaf(vec![(1, 0.5), (2, 0.5)]),
            ],
        };
        let forest = Forest {
            classes: 3,
            trees: vec![tree.clone(), tree],
        };

        assert_eq!(forest.probabilities(&vec![(3, 1.0)]), [0.0, 0.5, 0.5]);
        assert_eq!(forest.probabilities(&vec![(2, 1.0)]), [1.0, 0.0, 0.0]);
    }
}
