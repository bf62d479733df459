//! Turning one JSON object from an API into a checked record, keeping the
//! object itself so that it can be stored with the source's field names.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A source object that does not have the shape its API documents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind}{}: {message}", id.as_ref().map(|id| format!(" {id}")).unwrap_or_default())]
pub struct RecordError {
    /// What the object should have been (`bunq payment`, `YNAB account`).
    pub kind: &'static str,
    /// Its id, when that much could be read.
    pub id: Option<String>,
    /// What is wrong with it.
    pub message: String,
}

impl RecordError {
    /// A new error for an object of `kind`.
    pub fn new(kind: &'static str, id: Option<String>, message: impl Into<String>) -> Self {
        Self {
            kind,
            id,
            message: message.into(),
        }
    }
}

/// Checks `value` against the typed view `T` and returns both the view and
/// the untouched object.
pub(crate) fn checked<T: DeserializeOwned>(
    kind: &'static str,
    value: &Value,
) -> Result<(T, Map<String, Value>), RecordError> {
    let id = value.get("id").map(|id| match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let Value::Object(raw) = value else {
        return Err(RecordError::new(kind, id, "expected a JSON object"));
    };
    let view = T::deserialize(value).map_err(|e| RecordError::new(kind, id, e.to_string()))?;
    Ok((view, raw.clone()))
}
