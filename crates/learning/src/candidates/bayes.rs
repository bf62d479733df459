//! Bernoulli naive Bayes (linfa-bayes) on the token columns, read out into
//! a [`Linear`] classifier: its joint log-likelihood is linear in the
//! binary tokens, `log prior(c) + Σ_j log(1 - p_jc) + Σ_j x_j log(p_jc /
//! (1 - p_jc))`.
//!
//! Bernoulli, not multinomial: the tokens are present-or-absent, and
//! linfa-bayes 0.8.1's multinomial fit prints every class histogram to
//! standard error (a leftover `dbg!`).

use linfa::Dataset;
use linfa::traits::Fit;
use linfa_bayes::{BernoulliNb, NaiveBayes};
use ndarray::Array2;

use super::TrainingData;
use super::dense::{all_columns, matrix, targets};
use crate::classifier::{Classifier, Linear};
use crate::features::NUMERIC_FEATURES;

/// Fits on the token columns; the numeric columns get zero weight.
pub(crate) fn naive_bayes(
    data: &TrainingData<'_>,
    alpha: f64,
    fit_prior: bool,
) -> Result<Classifier, String> {
    if data.tokens == 0 {
        return Err("no token columns".to_owned());
    }
    let indices: Vec<usize> = (0..data.rows.len()).collect();
    let x = matrix(data.rows, &indices, &all_columns(data.tokens));
    let dataset = Dataset::new(x, targets(data.labels, &indices));
    let fitted = BernoulliNb::params()
        .alpha(alpha)
        .fit(&dataset)
        .map_err(|e| e.to_string())?;

    // linfa keeps its parameters private; they are read back by asking for
    // the log-likelihood of the empty row (the bias) and of each unit row
    // (bias + the token's weight).
    let mut probe = Array2::zeros((data.tokens + 1, data.tokens));
    (0..data.tokens).for_each(|j| probe[[j + 1, j]] = 1.0);
    let likelihood = fitted.joint_log_likelihood(probe.view());

    let k = data.classes;
    let mut counts = vec![0_usize; k];
    data.labels.iter().for_each(|&l| counts[l] += 1);
    let columns = data.tokens + NUMERIC_FEATURES;
    let mut bias = vec![-1.0e9_f32; k];
    let mut weights = vec![0.0_f32; columns * k];
    for (&&class, values) in &likelihood {
        // Without the fitted prior every category starts equal, which
        // keeps rare categories from being drowned by common ones.
        let prior = (counts[class] as f64 / data.rows.len() as f64).ln();
        bias[class] = if fit_prior {
            values[0]
        } else {
            values[0] - prior
        } as f32;
        for j in 0..data.tokens {
            weights[j * k + class] = (values[j + 1] - values[0]) as f32;
        }
    }
    Ok(Classifier::Linear(Linear {
        classes: k as u32,
        bias,
        weights,
    }))
}
