//! The labelled data set as a file: JSON Lines, one labelled payment per
//! line, in time order:
//!
//! ```json
//! {"payment": {...bunq Payment object...}, "category": "Groceries", "category_group": "Living"}
//! ```
//!
//! `category_group` is optional. Reading checks every line and names the
//! first bad one.

use std::io::{BufRead, Write};
use std::path::Path;

use learning::{Example, ModelCategory, PaymentFeatures};
use serde_json::{Value, json};

/// Why a data set file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DataSetError {
    /// The file cannot be opened or read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file has no labelled payment.
    #[error(
        "{path} holds no labelled payments (expected JSON Lines: one {{\"payment\": ..., \"category\": ...}} per line)"
    )]
    Empty {
        /// The file.
        path: String,
    },
    /// One line is not a labelled payment.
    #[error("{path} line {line}: {reason}")]
    Line {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

/// One line of the file.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledLine {
    /// The bunq payment object.
    pub payment: Value,
    /// The category's name.
    pub category: String,
    /// The group's name.
    pub category_group: Option<String>,
}

impl LabelledLine {
    /// The line as JSON text.
    pub fn to_json(&self) -> String {
        let mut object = json!({"payment": self.payment, "category": self.category});
        if let (Some(group), Some(map)) = (&self.category_group, object.as_object_mut()) {
            map.insert("category_group".into(), Value::from(group.as_str()));
        }
        object.to_string()
    }
}

/// Writes `lines` to `out`, one per line.
///
/// # Errors
/// The writer's error.
pub fn write_lines(out: &mut impl Write, lines: &[LabelledLine]) -> std::io::Result<()> {
    for line in lines {
        writeln!(out, "{}", line.to_json())?;
    }
    out.flush()
}

/// Reads a data set file into training examples; the category name is
/// the label (the file has no category ids). Blank lines are skipped.
///
/// # Errors
/// [`DataSetError`] naming the file and, for a bad line, its number.
pub fn read_examples(path: &Path) -> Result<Vec<Example>, DataSetError> {
    let name = path.display().to_string();
    let read_error = |source| DataSetError::Read {
        path: name.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut examples = Vec::new();
    for (index, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(read_error)?;
        if line.trim().is_empty() {
            continue;
        }
        let example = parse_line(&line).map_err(|reason| DataSetError::Line {
            path: name.clone(),
            line: index + 1,
            reason,
        })?;
        examples.push(example);
    }
    if examples.is_empty() {
        return Err(DataSetError::Empty { path: name });
    }
    Ok(examples)
}

fn parse_line(line: &str) -> Result<Example, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let payment = value.get("payment").filter(|p| p.is_object());
    let payment = payment.ok_or("\"payment\" is missing or not an object")?;
    let category = value.get("category").and_then(Value::as_str).map(str::trim);
    let category = category.filter(|c| !c.is_empty());
    let category = category.ok_or("\"category\" is missing or not a non-empty string")?;
    let group = value
        .get("category_group")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let features = PaymentFeatures::from_json(payment).map_err(|e| e.to_string())?;
    Ok(Example {
        features,
        category: ModelCategory {
            id: category.to_owned(),
            name: category.to_owned(),
            group,
        },
    })
}
