//! What can go wrong configuring or calling the webhook. No message
//! contains the webhook URL: it carries a token.

/// A webhook failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// `NOTIFY_WEBHOOK_FORMAT` names no known format.
    #[error("webhook format {0:?} is unknown: expected `ntfy` or `slack`")]
    UnknownFormat(String),
    /// The HTTP client could not be built.
    #[error("could not build the webhook client")]
    Client(#[source] reqwest::Error),
    /// No answer within the timeout, or the connection failed.
    #[error("the webhook could not be reached (after {attempts} attempts)")]
    Unreachable {
        /// Attempts made.
        attempts: u32,
        /// The last transport error, without the URL.
        #[source]
        source: reqwest::Error,
    },
    /// The webhook answered with an error status.
    #[error("the webhook answered {status} (after {attempts} attempts)")]
    Status {
        /// The last status.
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
}
