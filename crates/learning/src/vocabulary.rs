//! The fitted vocabulary: which named features become which columns. Fitted
//! on the training rows only (rare tokens dropped, the most frequent kept),
//! so that encoding a payment at prediction time is a few hash look-ups.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::features::NUMERIC_FEATURES;

/// One encoded payment: `(column, value)` pairs in ascending column order.
pub type SparseRow = Vec<(u32, f32)>;

/// Token → column. Columns `0..len()` are tokens, in lexicographic order;
/// the [`NUMERIC_FEATURES`] numeric columns follow.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Vocabulary {
    tokens: Vec<String>,
    #[serde(skip)]
    index: HashMap<String, u32>,
}

impl PartialEq for Vocabulary {
    fn eq(&self, other: &Self) -> bool {
        self.tokens == other.tokens
    }
}

impl Vocabulary {
    /// Keeps tokens seen in at least `min_count` documents, at most
    /// `max_size` of them (the most frequent; ties by name), so the result
    /// depends on the data alone.
    pub fn fit<'a>(
        documents: impl IntoIterator<Item = &'a [String]>,
        min_count: usize,
        max_size: usize,
    ) -> Self {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for document in documents {
            for token in document {
                *counts.entry(token.as_str()).or_default() += 1;
            }
        }
        let mut kept: Vec<(&str, usize)> = counts
            .into_iter()
            .filter(|(_, n)| *n >= min_count)
            .collect();
        kept.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        kept.truncate(max_size);
        let mut tokens: Vec<String> = kept.into_iter().map(|(t, _)| t.to_owned()).collect();
        tokens.sort_unstable();
        Self::from_tokens(tokens)
    }

    /// A vocabulary of exactly these tokens, in this order.
    pub fn from_tokens(tokens: Vec<String>) -> Self {
        let index = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        Self { tokens, index }
    }

    /// Rebuilds the look-up table after deserialisation.
    pub(crate) fn reindex(&mut self) {
        *self = Self::from_tokens(std::mem::take(&mut self.tokens));
    }

    /// The number of token columns.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether no token was kept.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// All columns: tokens, then the numeric ones.
    pub fn columns(&self) -> usize {
        self.tokens.len() + NUMERIC_FEATURES
    }

    /// The token of a column, if it is a token column.
    pub fn token(&self, column: usize) -> Option<&str> {
        self.tokens.get(column).map(String::as_str)
    }

    /// The row of a payment: 1.0 for each known token, then the numeric
    /// values. Unknown tokens are ignored.
    pub fn encode(&self, tokens: &[String], numeric: [f32; NUMERIC_FEATURES]) -> SparseRow {
        let row = tokens
            .iter()
            .filter_map(|t| self.column(t))
            .map(|c| (c, 1.0))
            .collect();
        self.finish_row(row, numeric)
    }

    /// The column of a token, if it is in the vocabulary.
    pub fn column(&self, token: &str) -> Option<u32> {
        self.index.get(token).copied()
    }

    /// A row from the `(column, 1.0)` entries of its known tokens, in any
    /// order and possibly repeated: sorted, deduplicated and followed by
    /// the numeric values.
    pub fn finish_row(&self, mut row: SparseRow, numeric: [f32; NUMERIC_FEATURES]) -> SparseRow {
        row.sort_unstable_by_key(|(c, _)| *c);
        row.dedup_by_key(|(c, _)| *c);
        let first = self.tokens.len() as u32;
        row.extend(
            numeric
                .iter()
                .enumerate()
                .map(|(i, v)| (first + i as u32, *v)),
        );
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Vec<Vec<String>> {
        let doc = |t: &[&str]| t.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        vec![
            doc(&["b", "a"]),
            doc(&["a", "c"]),
            doc(&["a", "b"]),
            doc(&["d"]),
        ]
    }

    #[test]
    fn rare_tokens_are_dropped_and_columns_are_sorted() {
        let docs = docs();

        let vocabulary = Vocabulary::fit(docs.iter().map(Vec::as_slice), 2, 10);

        assert_eq!(vocabulary.tokens, ["a", "b"]);
        let row = vocabulary.encode(&["b".into(), "zz".into()], [0.5, 0.0, 1.0]);
        assert_eq!(row, [(1, 1.0), (2, 0.5), (3, 0.0), (4, 1.0)]);
    }

    #[test]
    fn the_size_cap_keeps_the_most_frequent_tokens() {
        let docs = docs();

        let vocabulary = Vocabulary::fit(docs.iter().map(Vec::as_slice), 1, 2);

        assert_eq!(vocabulary.tokens, ["a", "b"]);
    }
}
