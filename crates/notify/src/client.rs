//! The webhook client: one POST per notice, bounded by a timeout, retried
//! with jittered backoff, sent from a background task so the failing job
//! is never held up, and throttled so a failure that repeats every minute
//! is announced once per interval.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use secrecy::{ExposeSecret, SecretString};

use crate::{Notice, NotifyConfig, NotifyError, WebhookFormat};

/// Sends notices; cheap to clone. Without a URL it only counts them.
#[derive(Clone, Debug)]
pub struct Notifier {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    url: Option<SecretString>,
    config: NotifyConfig,
    /// When each notice key was last sent.
    last_sent: Mutex<HashMap<String, Instant>>,
}

impl Notifier {
    /// A notifier for `config`.
    ///
    /// # Errors
    /// [`NotifyError::Client`] when the HTTP client cannot be built.
    pub fn new(config: NotifyConfig) -> Result<Self, NotifyError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(NotifyError::Client)?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                url: config.url.clone(),
                config,
                last_sent: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// Whether a webhook is configured.
    pub fn is_enabled(&self) -> bool {
        self.inner.url.is_some()
    }

    /// Sends `notice` now, retrying per the backoff.
    ///
    /// # Errors
    /// [`NotifyError::Unreachable`] or [`NotifyError::Status`] once the
    /// attempts are used up. Without a URL, succeeds doing nothing.
    pub async fn send(&self, notice: &Notice) -> Result<(), NotifyError> {
        let Some(url) = &self.inner.url else {
            return Ok(());
        };
        let backoff = self.inner.config.backoff;
        let mut attempt = 1;
        loop {
            let error = match self.post(url, notice).await {
                Ok(()) => return Ok(()),
                Err(error) => error,
            };
            if !backoff.allows_retry_after(attempt) || !retryable(&error) {
                return Err(with_attempts(error, attempt));
            }
            tokio::time::sleep(backoff.delay(attempt)).await;
            attempt += 1;
        }
    }

    /// Sends `notice` from a background task, unless an equal one (same
    /// key) went out within the minimum interval. Logs and counts the
    /// result; never fails and never waits.
    pub fn spawn(&self, notice: Notice) {
        let kind = notice.kind.as_str();
        if !self.is_enabled() {
            ::metrics::counter!("bunqynab_notices_total", "kind" => kind, "result" => "disabled")
                .increment(1);
            return;
        }
        if !self.claim_slot(&notice.key) {
            ::metrics::counter!("bunqynab_notices_total", "kind" => kind, "result" => "suppressed")
                .increment(1);
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(
                notice.kind = kind,
                "no async runtime: the notice is dropped"
            );
            return;
        };
        let notifier = self.clone();
        runtime.spawn(async move {
            let result = notifier.send(&notice).await;
            let label = if result.is_ok() { "sent" } else { "failed" };
            ::metrics::counter!("bunqynab_notices_total", "kind" => kind, "result" => label)
                .increment(1);
            match result {
                Ok(()) => tracing::info!(notice.kind = kind, "failure notice sent"),
                Err(error) => tracing::warn!(
                    notice.kind = kind, error = %error, "could not send the failure notice"
                ),
            }
        });
    }

    /// Records that `key` is sent now, unless it was within the interval.
    fn claim_slot(&self, key: &str) -> bool {
        let now = Instant::now();
        let interval = self.inner.config.min_interval;
        let Ok(mut last) = self.inner.last_sent.lock() else {
            // A poisoned lock only loses throttling, never a notice.
            return true;
        };
        match last.get(key) {
            Some(at) if now.duration_since(*at) < interval => false,
            _ => {
                last.insert(key.to_owned(), now);
                true
            }
        }
    }

    async fn post(&self, url: &SecretString, notice: &Notice) -> Result<(), NotifyError> {
        let request = self.inner.http.post(url.expose_secret());
        let request = match self.inner.config.format {
            WebhookFormat::Ntfy => request
                .header("Title", ascii_header(&notice.title))
                .header("Tags", "warning")
                .header(reqwest::header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(notice.plain_body()),
            WebhookFormat::Slack => request.json(&notice.slack_body()),
        };
        let response = request.send().await.map_err(|e| NotifyError::Unreachable {
            attempts: 1,
            source: e.without_url(),
        })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(NotifyError::Status {
                status: status.as_u16(),
                attempts: 1,
            })
        }
    }
}

/// Transport failures, 429 and 5xx are worth another attempt; other
/// answers (a wrong URL, a revoked hook) will not change.
fn retryable(error: &NotifyError) -> bool {
    match error {
        NotifyError::Status { status, .. } => *status == 429 || *status >= 500,
        NotifyError::Unreachable { .. } => true,
        _ => false,
    }
}

fn with_attempts(error: NotifyError, attempts: u32) -> NotifyError {
    match error {
        NotifyError::Unreachable { source, .. } => NotifyError::Unreachable { attempts, source },
        NotifyError::Status { status, .. } => NotifyError::Status { status, attempts },
        other => other,
    }
}

/// Header values must be visible ASCII: other characters become `?`.
fn ascii_header(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}
