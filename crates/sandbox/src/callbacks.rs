//! Callback delivery, as bunq does it: when a payment is created through
//! the admin API, a MUTATION `NotificationUrl` goes to every registered
//! MUTATION target, and a failed delivery (no answer, or not 2xx) is tried
//! again per [`CallbackRetry`] (bunq: five more times, a minute apart).
//! Tests choose the source address, so that a callback service's
//! allow-list can be exercised on loopback (127.0.0.2, 127.0.0.3, ...).

use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use crate::config::CallbackRetry;

/// How long one delivery attempt may take before it counts as failed.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// How callbacks are sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallbackSettings {
    /// Retries after a failed first attempt.
    pub retry: CallbackRetry,
    /// The local address deliveries are sent from (`None`: the system's
    /// choice).
    pub source: Option<IpAddr>,
    /// Whether `https://` targets are called over plain HTTP, as if a
    /// TLS-terminating proxy (Traefik) stood in front of the receiver.
    pub over_http: bool,
}

/// One delivery attempt, as tests inspect them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// The registered target.
    pub target: String,
    /// The payment the callback announced.
    pub payment_id: i64,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
    /// The receiver's status, when it answered.
    pub status: Option<u16>,
    /// Why the attempt failed without an answer.
    pub error: Option<String>,
    /// When the attempt ended.
    pub at: DateTime<Utc>,
}

impl Delivery {
    /// Whether the receiver accepted the callback (2xx).
    pub fn accepted(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The sender and its record of attempts.
pub struct Callbacks {
    client: reqwest::Client,
    settings: CallbackSettings,
    log: Mutex<Vec<Delivery>>,
}

impl Callbacks {
    /// A sender with `settings`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(settings: CallbackSettings) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(ATTEMPT_TIMEOUT)
            .local_address(settings.source)
            .build()
            .context("could not build the callback HTTP client")?;
        Ok(Self {
            client,
            settings,
            log: Mutex::new(Vec::new()),
        })
    }

    /// Every attempt so far, in the order they ended.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.log().clone()
    }

    fn log(&self) -> MutexGuard<'_, Vec<Delivery>> {
        self.log.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends `payment` (bunq's `{"Payment": {...}}`) to each target in a
    /// task of its own, with retries; returns at once.
    pub fn payment_created(self: &Arc<Self>, targets: Vec<String>, payment: &Value) {
        let payment_id = payment["Payment"]["id"].as_i64().unwrap_or_default();
        for target in targets {
            let body = notification(&target, payment.clone());
            let sender = self.clone();
            tokio::spawn(async move { sender.deliver(target, payment_id, body).await });
        }
    }

    /// Tries one target until it accepts or the retries are used up.
    async fn deliver(&self, target: String, payment_id: i64, body: Value) {
        let url = self.url_for(&target);
        let attempts = 1 + self.settings.retry.attempts;
        for attempt in 1..=attempts {
            let delivery = self
                .attempt(&url, &body, &target, payment_id, attempt)
                .await;
            let accepted = delivery.accepted();
            self.log().push(delivery);
            if accepted {
                tracing::debug!(payment.id = payment_id, attempt, "callback delivered");
                return;
            }
            if attempt < attempts {
                tokio::time::sleep(self.settings.retry.interval).await;
            }
        }
        tracing::warn!(payment.id = payment_id, attempts, "callback not delivered");
    }

    async fn attempt(
        &self,
        url: &str,
        body: &Value,
        target: &str,
        payment_id: i64,
        attempt: u32,
    ) -> Delivery {
        let answer = self.client.post(url).json(body).send().await;
        let (status, error) = match answer {
            Ok(response) => (Some(response.status().as_u16()), None),
            Err(e) => (None, Some(e.without_url().to_string())),
        };
        Delivery {
            target: target.to_owned(),
            payment_id,
            attempt,
            status,
            error,
            at: Utc::now(),
        }
    }

    /// The URL actually called for `target`.
    fn url_for(&self, target: &str) -> String {
        match target.strip_prefix("https://") {
            Some(rest) if self.settings.over_http => format!("http://{rest}"),
            _ => target.to_owned(),
        }
    }
}

/// A MUTATION callback body as bunq posts it.
pub fn notification(target: &str, object: Value) -> Value {
    json!({"NotificationUrl": {
        "target_url": target,
        "category": "MUTATION",
        "event_type": "MUTATION_CREATED",
        "object": object,
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(over_http: bool) -> CallbackSettings {
        CallbackSettings {
            retry: CallbackRetry::default(),
            source: None,
            over_http,
        }
    }

    #[test]
    fn https_targets_are_called_over_http_only_when_asked() {
        let plain = Callbacks::new(settings(true)).expect("client");
        let strict = Callbacks::new(settings(false)).expect("client");

        assert_eq!(plain.url_for("https://h:1/payment"), "http://h:1/payment");
        assert_eq!(strict.url_for("https://h:1/payment"), "https://h:1/payment");
        assert_eq!(plain.url_for("http://h/p"), "http://h/p");
    }

    #[test]
    fn the_body_is_a_mutation_notification_url_around_the_object() {
        let body = notification("https://h/payment", json!({"Payment": {"id": 5}}));

        assert_eq!(body["NotificationUrl"]["category"], "MUTATION");
        assert_eq!(body["NotificationUrl"]["event_type"], "MUTATION_CREATED");
        assert_eq!(body["NotificationUrl"]["target_url"], "https://h/payment");
        assert_eq!(body["NotificationUrl"]["object"]["Payment"]["id"], 5);
    }
}
