//! How the classifier client is set up: where the model server is, how long
//! to wait for it, and how sure a suggestion must be to be used.

use std::time::Duration;

/// How long one inference request may take by default: a sync must not
/// wait long for an optional suggestion.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(500);

/// The confidence a suggestion needs by default to be used.
pub const DEFAULT_THRESHOLD: f64 = 0.6;

/// Everything the client needs, read once at start.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassifierConfig {
    /// The model server's root URL (`MODEL_SERVER_URL`), without a trailing
    /// slash; `None` means no classification at all.
    pub base_url: Option<String>,
    /// Per-request timeout, body included (`MODEL_SERVER_TIMEOUT_MS`,
    /// default 500 ms).
    pub timeout: Duration,
    /// Suggestions at or above this confidence are used
    /// (`CATEGORY_CONFIDENCE_THRESHOLD`, default 0.6).
    pub threshold: f64,
}

impl ClassifierConfig {
    /// The defaults, against `base_url`.
    pub fn new(base_url: Option<String>) -> Self {
        Self {
            base_url: base_url.map(|u| u.trim_end_matches('/').to_owned()),
            timeout: DEFAULT_TIMEOUT,
            threshold: DEFAULT_THRESHOLD,
        }
    }
}

impl Default for ClassifierConfig {
    /// No model server: every payment is left uncategorised.
    fn default() -> Self {
        Self::new(None)
    }
}
