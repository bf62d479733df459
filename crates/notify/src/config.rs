//! The webhook settings, read once at start. The URL is a secret.

use std::time::Duration;

use runtime::backoff::Backoff;
use runtime::env;
use secrecy::SecretString;

use crate::NotifyError;

/// The bound on one webhook call when `NOTIFY_TIMEOUT_MS` is unset.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The least time between two equal notices when
/// `NOTIFY_MIN_INTERVAL_SECS` is unset.
pub const DEFAULT_MIN_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// How a notice is put in the request body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WebhookFormat {
    /// ntfy style: the message as a plain-text body, the title in a
    /// `Title` header.
    #[default]
    Ntfy,
    /// Slack incoming-webhook style: `{"text": "..."}` (also understood by
    /// Mattermost, Rocket.Chat and Discord's `/slack` endpoints).
    Slack,
}

impl WebhookFormat {
    /// Parses `ntfy` or `slack` (any case).
    ///
    /// # Errors
    /// [`NotifyError::UnknownFormat`] for anything else.
    pub fn parse(name: &str) -> Result<Self, NotifyError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "ntfy" | "plain" | "text" => Ok(Self::Ntfy),
            "slack" | "json" => Ok(Self::Slack),
            _ => Err(NotifyError::UnknownFormat(name.to_owned())),
        }
    }
}

/// Where and how notices go.
#[derive(Clone, Debug)]
pub struct NotifyConfig {
    /// The webhook (`NOTIFY_WEBHOOK_URL`); `None` sends nothing.
    pub url: Option<SecretString>,
    /// The body format (`NOTIFY_WEBHOOK_FORMAT`, default `ntfy`).
    pub format: WebhookFormat,
    /// The bound on one call (`NOTIFY_TIMEOUT_MS`, default 5000).
    pub timeout: Duration,
    /// Attempts and delays: three attempts, 0.5 s doubling to 5 s.
    pub backoff: Backoff,
    /// Equal notices within this span are sent once
    /// (`NOTIFY_MIN_INTERVAL_SECS`, default 900).
    pub min_interval: Duration,
}

impl Default for NotifyConfig {
    /// No webhook: notices are only counted.
    fn default() -> Self {
        Self {
            url: None,
            format: WebhookFormat::Ntfy,
            timeout: DEFAULT_TIMEOUT,
            backoff: Backoff {
                max_attempts: 3,
                base: Duration::from_millis(500),
                max_delay: Duration::from_secs(5),
            },
            min_interval: DEFAULT_MIN_INTERVAL,
        }
    }
}

impl NotifyConfig {
    /// A config posting to `url` in `format`, with the default timing.
    pub fn webhook(url: impl Into<String>, format: WebhookFormat) -> Self {
        Self {
            url: Some(SecretString::from(url.into())),
            format,
            ..Self::default()
        }
    }

    /// Reads the `NOTIFY_*` variables.
    ///
    /// # Errors
    /// When one is malformed; the message names the variable (never the
    /// URL's value).
    pub fn from_env() -> anyhow::Result<Self> {
        let defaults = Self::default();
        let url = env::optional_with("NOTIFY_WEBHOOK_URL", |v| {
            if v.starts_with("http://") || v.starts_with("https://") {
                Ok(SecretString::from(v.to_owned()))
            } else {
                Err("expected an http:// or https:// URL")
            }
        })
        // The value is a secret: drop it from the error text.
        .map_err(|_| {
            anyhow::anyhow!("NOTIFY_WEBHOOK_URL is invalid: expected an http:// or https:// URL")
        })?;
        let format =
            env::optional_with("NOTIFY_WEBHOOK_FORMAT", WebhookFormat::parse)?.unwrap_or_default();
        let timeout_ms: u64 = env::parsed_or("NOTIFY_TIMEOUT_MS", 5000)?;
        anyhow::ensure!(
            timeout_ms > 0,
            "NOTIFY_TIMEOUT_MS is invalid: it must be above 0"
        );
        let interval: u64 =
            env::parsed_or("NOTIFY_MIN_INTERVAL_SECS", defaults.min_interval.as_secs())?;
        Ok(Self {
            url,
            format,
            timeout: Duration::from_millis(timeout_ms),
            min_interval: Duration::from_secs(interval),
            ..defaults
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_by_name_and_unknown_ones_are_named_in_the_error() {
        assert_eq!(
            WebhookFormat::parse("Slack").ok(),
            Some(WebhookFormat::Slack)
        );
        assert_eq!(WebhookFormat::parse("ntfy").ok(), Some(WebhookFormat::Ntfy));

        let error = WebhookFormat::parse("pager").expect_err("unknown");

        assert!(error.to_string().contains("\"pager\""), "{error}");
    }
}
