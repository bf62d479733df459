//! Why the model server gave no usable answer. Messages name the budget or
//! the status, never a request or response body.

use std::time::Duration;

/// A failed inference request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClassifierError {
    /// `MODEL_SERVER_URL` is not set.
    #[error("no model server is configured (MODEL_SERVER_URL is unset)")]
    NotConfigured,
    /// The configuration cannot work.
    #[error("invalid classifier configuration: {0}")]
    InvalidConfig(String),
    /// The server could not be reached (refused, reset, DNS).
    #[error("the model server at {url} could not be reached")]
    Unreachable {
        /// The URL asked.
        url: String,
        /// The transport's reason.
        #[source]
        source: reqwest::Error,
    },
    /// No answer within the timeout.
    #[error("the model server did not answer within {} ms", after.as_millis())]
    Timeout {
        /// The configured timeout.
        after: Duration,
    },
    /// The server has no model for the budget (404).
    #[error("the model server has no model for budget {budget_id}")]
    NoModel {
        /// The budget asked about.
        budget_id: String,
    },
    /// Any other non-success status.
    #[error("the model server answered {status} for budget {budget_id}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The budget asked about.
        budget_id: String,
    },
    /// A success answer without the documented outputs.
    #[error("malformed model server answer for budget {budget_id}: {message}")]
    Malformed {
        /// The budget asked about.
        budget_id: String,
        /// What is wrong, naming the output.
        message: String,
    },
}

impl ClassifierError {
    /// Whether the model server was simply not there to ask (as opposed to
    /// answering wrongly): absent, unreachable, slow, or without a model.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::NotConfigured
                | Self::Unreachable { .. }
                | Self::Timeout { .. }
                | Self::NoModel { .. }
        )
    }
}
