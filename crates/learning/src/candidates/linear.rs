//! Multinomial logistic regression (linfa-logistic, L-BFGS), read out into
//! a [`Linear`] classifier.

use linfa::Dataset;
use linfa::traits::Fit;
use linfa_logistic::MultiLogisticRegression;

use super::dense::{all_columns, matrix, targets};
use super::{TrainingData, balanced_rows};
use crate::classifier::{Classifier, Linear};
use crate::features::NUMERIC_FEATURES;

/// Fits on every column, with rare classes repeated.
pub(crate) fn logistic_regression(
    data: &TrainingData<'_>,
    alpha: f64,
    max_iterations: u64,
) -> Result<Classifier, String> {
    let columns = data.tokens + NUMERIC_FEATURES;
    let indices = balanced_rows(data.labels, data.classes);
    let x = matrix(data.rows, &indices, &all_columns(columns));
    let dataset = Dataset::new(x, targets(data.labels, &indices));
    let fitted = MultiLogisticRegression::default()
        .alpha(alpha)
        .max_iterations(max_iterations)
        .fit(&dataset)
        .map_err(|e| e.to_string())?;

    // linfa orders the columns of `params` by its sorted list of classes.
    let k = data.classes;
    let mut bias = vec![-1.0e9_f32; k];
    let mut weights = vec![0.0_f32; columns * k];
    for (position, &class) in fitted.classes().iter().enumerate() {
        bias[class] = fitted.intercept()[position] as f32;
        for j in 0..columns {
            weights[j * k + class] = fitted.params()[[j, position]] as f32;
        }
    }
    Ok(Classifier::Linear(Linear {
        classes: k as u32,
        bias,
        weights,
    }))
}
