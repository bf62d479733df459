//! What can go wrong building features, fitting or loading a model.

/// A learning failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LearningError {
    /// A payment object lacks a field the features need.
    #[error("payment field {field} is invalid: {reason}")]
    Payment {
        /// The field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Too little labelled history to train and validate.
    #[error("no usable history: {0}")]
    NoUsableHistory(String),
    /// A linfa algorithm refused the data.
    #[error("fitting {algorithm} failed: {reason}")]
    Fit {
        /// The candidate.
        algorithm: &'static str,
        /// linfa's reason.
        reason: String,
    },
    /// Serialised model bytes that do not decode.
    #[error("model bytes do not decode: {0}")]
    Decode(String),
    /// A model that cannot be serialised.
    #[error("model does not serialise: {0}")]
    Encode(String),
}
