//! The client: one inference request per budget batch, and the decision
//! whether each suggestion is used.

use domain::bunq::Payment;
use reqwest::StatusCode;

use crate::response::{Suggestion, read};
use crate::{ClassifierConfig, ClassifierError, Prediction, infer_request};

/// How one payment's classification ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The suggestion was confident enough and is used.
    Used,
    /// A suggestion came, below the threshold; not used.
    BelowThreshold,
    /// No model server (not configured, unreachable, too slow, no model).
    Unavailable,
    /// The model server answered wrongly (error status, malformed body).
    Error,
}

impl Outcome {
    /// The name stored in `payment_classifications.outcome`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Used => "used",
            Self::BelowThreshold => "below_threshold",
            Self::Unavailable => "unavailable",
            Self::Error => "error",
        }
    }
}

/// What was decided for one payment.
#[derive(Clone, Debug, PartialEq)]
pub struct Classification {
    /// How it ended.
    pub outcome: Outcome,
    /// The suggestion, when the model answered.
    pub suggestion: Option<Suggestion>,
    /// The model version that answered.
    pub model_version: Option<String>,
    /// Why there is no usable suggestion (the error, or the threshold).
    pub message: Option<String>,
}

impl Classification {
    /// The category to create the transaction with, if any.
    pub fn category_id(&self) -> Option<&str> {
        match (self.outcome, &self.suggestion) {
            (Outcome::Used, Some(s)) => Some(&s.category_id),
            _ => None,
        }
    }

    fn failed(error: &ClassifierError) -> Self {
        let outcome = if error.is_unavailable() {
            Outcome::Unavailable
        } else {
            Outcome::Error
        };
        Self {
            outcome,
            suggestion: None,
            model_version: None,
            message: Some(error.to_string()),
        }
    }
}

/// A client for the model server.
#[derive(Debug)]
pub struct ClassifierClient {
    http: reqwest::Client,
    config: ClassifierConfig,
}

impl ClassifierClient {
    /// Checks `config` and builds the client. Sends nothing.
    ///
    /// # Errors
    /// [`ClassifierError::InvalidConfig`] for a zero timeout, a threshold
    /// outside `[0, 1]` or a URL that is not http(s).
    pub fn new(config: ClassifierConfig) -> Result<Self, ClassifierError> {
        let invalid = |m: String| ClassifierError::InvalidConfig(m);
        if config.timeout.is_zero() {
            return Err(invalid("the timeout must be above zero".into()));
        }
        if !(0.0..=1.0).contains(&config.threshold) {
            return Err(invalid(format!(
                "threshold {} is not in [0, 1]",
                config.threshold
            )));
        }
        if let Some(url) = &config.base_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(invalid(format!(
                "model server URL {url:?} is not an http(s) URL"
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| invalid(format!("could not build the HTTP client: {e}")))?;
        Ok(Self { http, config })
    }

    /// The settings it runs with.
    pub fn config(&self) -> &ClassifierConfig {
        &self.config
    }

    /// Asks the model of `budget_id` about `payments`, one row each.
    ///
    /// # Errors
    /// Any [`ClassifierError`] but `InvalidConfig`.
    pub async fn predict(
        &self,
        budget_id: &str,
        payments: &[&Payment],
    ) -> Result<Prediction, ClassifierError> {
        let base = self
            .config
            .base_url
            .as_deref()
            .ok_or(ClassifierError::NotConfigured)?;
        let url = format!("{base}/v2/models/{budget_id}/infer");
        let sent = self
            .http
            .post(&url)
            .json(&infer_request(payments))
            .send()
            .await;
        let response = sent.map_err(|e| self.transport(&url, e))?;

        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Err(ClassifierError::NoModel {
                budget_id: budget_id.to_owned(),
            });
        }
        if !status.is_success() {
            return Err(ClassifierError::Status {
                status: status.as_u16(),
                budget_id: budget_id.to_owned(),
            });
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport(&url, e))?;
        read(&body, payments.len()).map_err(|message| ClassifierError::Malformed {
            budget_id: budget_id.to_owned(),
            message,
        })
    }

    /// Classifies `payments` for `budget_id`: one [`Classification`] per
    /// payment, in order. Never fails: every failure becomes the reason
    /// on each row.
    pub async fn classify(&self, budget_id: &str, payments: &[&Payment]) -> Vec<Classification> {
        if payments.is_empty() {
            return Vec::new();
        }
        match self.predict(budget_id, payments).await {
            Ok(prediction) => {
                let version = prediction.model_version;
                prediction
                    .rows
                    .into_iter()
                    .map(|s| self.judge(s, version.clone()))
                    .collect()
            }
            Err(error) => {
                if !matches!(error, ClassifierError::NotConfigured) {
                    tracing::warn!(budget.id = budget_id, error = %error, "no category suggestions; creating uncategorised");
                }
                let failed = Classification::failed(&error);
                vec![failed; payments.len()]
            }
        }
    }

    /// Uses a suggestion at or above the threshold.
    fn judge(&self, suggestion: Suggestion, model_version: Option<String>) -> Classification {
        let threshold = self.config.threshold;
        let (outcome, message) = if suggestion.confidence >= threshold {
            (Outcome::Used, None)
        } else {
            let note = format!(
                "confidence {:.3} is below the threshold {threshold}",
                suggestion.confidence
            );
            (Outcome::BelowThreshold, Some(note))
        };
        Classification {
            outcome,
            suggestion: Some(suggestion),
            model_version,
            message,
        }
    }

    fn transport(&self, url: &str, error: reqwest::Error) -> ClassifierError {
        if error.is_timeout() {
            ClassifierError::Timeout {
                after: self.config.timeout,
            }
        } else {
            ClassifierError::Unreachable {
                url: url.to_owned(),
                source: error,
            }
        }
    }
}
