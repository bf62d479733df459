//! Dense matrices for linfa, which fits on `ndarray` arrays only.

use ndarray::{Array1, Array2};

use crate::vocabulary::SparseRow;

/// The rows `indices` of `rows`, restricted to `columns` (in that order),
/// as a dense matrix.
pub(crate) fn matrix(rows: &[SparseRow], indices: &[usize], columns: &[u32]) -> Array2<f64> {
    let position: std::collections::HashMap<u32, usize> =
        columns.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let mut x = Array2::zeros((indices.len(), columns.len()));
    for (r, &i) in indices.iter().enumerate() {
        for &(column, value) in &rows[i] {
            if let Some(&c) = position.get(&column) {
                x[[r, c]] = f64::from(value);
            }
        }
    }
    x
}

/// The labels of the rows `indices`.
pub(crate) fn targets(labels: &[usize], indices: &[usize]) -> Array1<usize> {
    indices.iter().map(|&i| labels[i]).collect()
}

/// `0..n` as column ids.
pub(crate) fn all_columns(n: usize) -> Vec<u32> {
    (0..n as u32).collect()
}
