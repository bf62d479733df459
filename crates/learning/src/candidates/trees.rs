//! Decision tree (linfa-trees) and random forest (linfa-ensemble), copied
//! into flat [`Tree`]s whose leaves hold the class distribution of the
//! training rows that reach them (linfa keeps only the majority class).
//!
//! linfa-trees scans every row of every column at every node, so trees see
//! only the most frequent token columns and the numeric ones. The
//! workspace patches it (`vendor/linfa-trees`) to sum class frequencies in
//! label order, so exact ties between equally good splits are broken the
//! same way in every fit.

use linfa::Dataset;
use linfa::traits::Fit;
use linfa_ensemble::EnsembleLearnerParams;
use linfa_trees::{DecisionTree, TreeNode};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

use super::dense::{matrix, targets};
use super::{TrainingData, balanced_rows};
use crate::classifier::{Classifier, Forest, Node, Tree};
use crate::features::NUMERIC_FEATURES;
use crate::vocabulary::SparseRow;

/// The shape of a forest.
pub(crate) struct ForestShape {
    pub(crate) trees: usize,
    pub(crate) max_depth: usize,
    pub(crate) feature_proportion: f64,
    pub(crate) tree_features: usize,
    pub(crate) seed: u64,
}

/// One tree on the balanced rows.
pub(crate) fn decision_tree(
    data: &TrainingData<'_>,
    max_depth: usize,
    tree_features: usize,
) -> Result<Classifier, String> {
    let columns = tree_columns(data, tree_features);
    let indices = balanced_rows(data.labels, data.classes);
    let dataset = Dataset::new(
        jittered(
            matrix(data.rows, &indices, &columns),
            columns.len() - NUMERIC_FEATURES,
        ),
        targets(data.labels, &indices),
    );
    let fitted = DecisionTree::params()
        .max_depth(Some(max_depth))
        .fit(&dataset)
        .map_err(|e| e.to_string())?;

    let tree = flatten(fitted.root_node(), &columns, data, &indices);
    Ok(Classifier::Forest(Forest {
        classes: data.classes as u32,
        trees: vec![tree],
    }))
}

/// Bagged trees, each on a bootstrap sample of the balanced rows and a
/// random subset of the columns, drawn from a seeded generator.
pub(crate) fn random_forest(
    data: &TrainingData<'_>,
    shape: &ForestShape,
) -> Result<Classifier, String> {
    let columns = tree_columns(data, shape.tree_features);
    let indices = balanced_rows(data.labels, data.classes);
    let dataset = Dataset::new(
        jittered(
            matrix(data.rows, &indices, &columns),
            columns.len() - NUMERIC_FEATURES,
        ),
        targets(data.labels, &indices),
    );
    let rng = ChaCha8Rng::seed_from_u64(shape.seed);
    let tree = DecisionTree::params().max_depth(Some(shape.max_depth));
    let fitted = EnsembleLearnerParams::new_fixed_rng(tree, rng)
        .ensemble_size(shape.trees)
        .bootstrap_proportion(1.0)
        .feature_proportion(shape.feature_proportion)
        .fit(&dataset)
        .map_err(|e| e.to_string())?;

    let trees = fitted
        .models
        .iter()
        .zip(&fitted.model_features)
        .map(|(model, picked)| {
            let own: Vec<u32> = picked.iter().map(|&i| columns[i]).collect();
            flatten(model.root_node(), &own, data, &indices)
        })
        .collect();
    Ok(Classifier::Forest(Forest {
        classes: data.classes as u32,
        trees,
    }))
}

/// The matrix with a small, fixed, row-dependent offset (below 0.4) added
/// to each value of the first `tokens` (binary) columns. linfa-trees 0.8.1 evaluates a split only after the
/// globally last row of a run of equal values, so on a binary column a
/// node that does not hold that very row can never split on it; distinct
/// values let every node split where its own rows change value. The
/// offsets keep 0 below 0.5 and 1 above it, so a split at 0.5 reads the
/// same on the unjittered rows at prediction time.
fn jittered(mut x: ndarray::Array2<f64>, tokens: usize) -> ndarray::Array2<f64> {
    for ((row, column), value) in x.indexed_iter_mut().filter(|((_, c), _)| *c < tokens) {
        // A low-discrepancy sequence: deterministic and spread evenly.
        let step = (row as f64 * 0.618_033_988_75 + column as f64 * 0.414_213_562_37).fract();
        *value += 0.4 * step;
    }
    x
}

/// The `limit` token columns present in most rows (ties by column), then
/// the numeric columns, in ascending order.
fn tree_columns(data: &TrainingData<'_>, limit: usize) -> Vec<u32> {
    let mut frequency = vec![0_usize; data.tokens];
    for row in data.rows {
        for &(column, _) in row {
            if let Some(f) = frequency.get_mut(column as usize) {
                *f += 1;
            }
        }
    }
    let mut ranked: Vec<u32> = (0..data.tokens as u32)
        .filter(|&c| frequency[c as usize] > 0)
        .collect();
    ranked.sort_by(|a, b| {
        frequency[*b as usize]
            .cmp(&frequency[*a as usize])
            .then(a.cmp(b))
    });
    ranked.truncate(limit);
    ranked.extend((0..NUMERIC_FEATURES as u32).map(|i| data.tokens as u32 + i));
    ranked.sort_unstable();
    ranked
}

/// Copies a linfa tree into a flat [`Tree`] (`columns` maps linfa's
/// feature index to ours), then fills its leaves with the class
/// distribution of the training rows `indices`.
fn flatten(
    root: &TreeNode<f64, usize>,
    columns: &[u32],
    data: &TrainingData<'_>,
    indices: &[usize],
) -> Tree {
    let mut tree = Tree { nodes: Vec::new() };
    copy(root, columns, &mut tree.nodes);
    let mut counts: Vec<Vec<f32>> = tree.nodes.iter().map(|_| vec![0.0; data.classes]).collect();
    for &i in indices {
        let leaf = leaf_index(&tree, &data.rows[i]);
        counts[leaf][data.labels[i]] += 1.0;
    }
    for (node, count) in tree.nodes.iter_mut().zip(counts) {
        if let Node::Leaf(distribution) = node {
            let total: f32 = count.iter().sum();
            *distribution = count
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0.0)
                .map(|(class, c)| (class as u32, c / total))
                .collect();
        }
    }
    tree
}

/// Appends `node` and its subtree; returns its index.
fn copy(node: &TreeNode<f64, usize>, columns: &[u32], nodes: &mut Vec<Node>) -> u32 {
    let at = nodes.len();
    nodes.push(Node::Leaf(Vec::new()));
    let children = node.children();
    let (Some(left), Some(right)) = (children[0], children[1]) else {
        return at as u32;
    };
    if node.is_leaf() {
        return at as u32;
    }
    let (feature, threshold, _) = node.split();
    let left = copy(left, columns, nodes);
    let right = copy(right, columns, nodes);
    nodes[at] = Node::Split {
        column: columns[feature],
        threshold: threshold as f32,
        left,
        right,
    };
    at as u32
}

/// The index of the leaf `row` ends in.
fn leaf_index(tree: &Tree, row: &SparseRow) -> usize {
    let mut at = 0;
    while let Some(Node::Split {
        column,
        threshold,
        left,
        right,
    }) = tree.nodes.get(at)
    {
        let value = crate::classifier::value(row, *column);
        at = if value <= *threshold { *left } else { *right } as usize;
    }
    at
}
