//! One HTTP exchange with bunq, done strictly: throttled by the rate
//! limiter, every documented header, the body signed, the answer's
//! signature verified before anything in it is believed, and retries with
//! jittered backoff where bunq cannot have applied the request twice.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode};
use runtime::backoff::Backoff;
use secrecy::SecretString;
use tokio::time::Instant;
use tracing::{debug, warn};

use crate::config::{BunqConfig, RateLimits};
use crate::crypto::{Signer, Verifier};
use crate::envelope::{error_description, without_query};
use crate::error::BunqError;
use crate::headers::{RequestHeaders, SERVER_SIGNATURE};
use crate::limiter::{RateLimiter, path_template};
use crate::stats::Counters;

/// One request, before headers: the path is relative to the base URL and
/// may carry a query.
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) body: Option<Bytes>,
}

impl Request {
    /// A GET of `path`.
    pub(crate) fn get(path: impl Into<String>) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            body: None,
        }
    }

    /// A POST of the JSON `body` to `path`.
    pub(crate) fn post(path: impl Into<String>, body: &serde_json::Value) -> Self {
        Self {
            method: Method::POST,
            path: path.into(),
            body: Some(Bytes::from(body.to_string())),
        }
    }

    /// The path without query, as errors and logs show it.
    pub(crate) fn shown_path(&self) -> &str {
        without_query(&self.path)
    }
}

/// The keys one request is made with.
pub(crate) struct Credentials<'a> {
    /// `X-Bunq-Client-Authentication`; `None` only for `installation`.
    pub(crate) token: Option<&'a SecretString>,
    /// Signs the body.
    pub(crate) signer: &'a Signer,
    /// Verifies the answer; `None` only for `installation`, which is where
    /// the server key comes from.
    pub(crate) verifier: Option<&'a Verifier>,
}

/// The HTTP side of a client.
pub(crate) struct Transport {
    http: reqwest::Client,
    base_url: String,
    base_path: String,
    user_agent: HeaderValue,
    timeout: Duration,
    backoff: Backoff,
    limiter: RateLimiter,
    pub(crate) counters: Counters,
}

impl Transport {
    /// A transport for `config`, throttled to `limits`.
    ///
    /// # Errors
    /// [`BunqError::Config`] for an unusable base URL or user agent.
    pub(crate) fn new(config: &BunqConfig, limits: RateLimits) -> Result<Self, BunqError> {
        let base_url = config.base_url.trim_end_matches('/').to_owned();
        let invalid = |what: &str| BunqError::Config {
            message: format!("{what}: {base_url:?}"),
        };
        let parsed = reqwest::Url::parse(&base_url).map_err(|_| invalid("not a URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.query().is_some() {
            return Err(invalid("not an http(s) base URL without query"));
        }
        let user_agent =
            HeaderValue::from_str(&config.user_agent).map_err(|_| BunqError::Config {
                message: format!("user agent {:?} is not a header value", config.user_agent),
            })?;
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| BunqError::Config {
                message: format!("HTTP client: {e}"),
            })?;

        Ok(Self {
            http,
            base_path: parsed.path().trim_end_matches('/').to_owned(),
            base_url,
            user_agent,
            timeout: config.timeout,
            backoff: config.backoff,
            limiter: RateLimiter::new(limits),
            counters: Counters::default(),
        })
    }

    /// The path of the base URL (`/v1`), which pagination URLs start with.
    pub(crate) fn base_path(&self) -> &str {
        &self.base_path
    }

    /// Sends `request`, retrying what may be retried.
    ///
    /// # Errors
    /// The last attempt's error; see [`BunqError`].
    pub(crate) async fn send(
        &self,
        request: &Request,
        credentials: &Credentials<'_>,
    ) -> Result<Bytes, BunqError> {
        let mut attempt = 1;
        loop {
            match self.send_once(request, credentials).await {
                Err(error) if self.may_retry(&request.method, &error, attempt) => {
                    self.pause_before_retry(request, &error, attempt).await;
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    /// Whether attempt number `attempt` (1-based) failing with `error` may
    /// be followed by another.
    pub(crate) fn may_retry(&self, method: &Method, error: &BunqError, attempt: u32) -> bool {
        self.backoff.allows_retry_after(attempt) && retryable(method, error)
    }

    /// Counts, logs and sleeps the jittered delay before retry `attempt`.
    pub(crate) async fn pause_before_retry(
        &self,
        request: &Request,
        error: &BunqError,
        attempt: u32,
    ) {
        let delay = self.backoff.delay(attempt);
        self.counters.retried();
        warn!(
            method = %request.method,
            path = request.shown_path(),
            attempt,
            delay_ms = domain::time::millis(delay),
            error = %error,
            "bunq request failed, retrying"
        );
        tokio::time::sleep(delay).await;
    }

    /// One attempt: throttle, sign, send, read, verify, classify.
    ///
    /// # Errors
    /// See [`BunqError`]; a missing or bad server signature is
    /// [`BunqError::Signature`] whatever the status.
    pub(crate) async fn send_once(
        &self,
        request: &Request,
        credentials: &Credentials<'_>,
    ) -> Result<Bytes, BunqError> {
        let (builder, request_id) = self.prepare(request, credentials)?;

        // The permit is held until the body has been read: the limiter
        // counts a request until its answer is in.
        let permit = self
            .limiter
            .acquire(&request.method, &path_template(&request.path))
            .await;
        let started = Instant::now();
        self.counters.request_sent();
        let (status, server_signature, body) = self.exchange(request, builder).await?;
        drop(permit);
        debug!(
            method = %request.method,
            path = request.shown_path(),
            status = status.as_u16(),
            request.id = %request_id,
            duration_ms = domain::time::millis(started.elapsed()),
            "bunq answered"
        );

        if let Some(verifier) = credentials.verifier {
            let valid =
                server_signature.is_some_and(|signature| verifier.verify(&body, &signature));
            if !valid {
                let path = request.shown_path().to_owned();
                warn!(
                    path,
                    status = status.as_u16(),
                    "bunq server signature invalid"
                );
                return Err(BunqError::Signature { path });
            }
        }
        self.classify(request, status, body)
    }

    /// The HTTP request with every header and the signed body, and its
    /// request id.
    fn prepare(
        &self,
        request: &Request,
        credentials: &Credentials<'_>,
    ) -> Result<(reqwest::RequestBuilder, String), BunqError> {
        // Every request with a body is signed, over exactly the bytes sent.
        let signature = request
            .body
            .as_deref()
            .map(|body| credentials.signer.sign(body))
            .transpose()?;
        let (headers, request_id) = RequestHeaders {
            user_agent: &self.user_agent,
            token: credentials.token,
            signature,
        }
        .build()?;

        let url = format!("{}{}", self.base_url, request.path);
        let mut builder = self
            .http
            .request(request.method.clone(), url)
            .headers(headers)
            .timeout(self.timeout);
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        Ok((builder, request_id))
    }

    async fn exchange(
        &self,
        request: &Request,
        builder: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, Option<String>, Bytes), BunqError> {
        let response = builder.send().await.map_err(|e| self.failure(request, e))?;
        let status = response.status();
        let signature = response
            .headers()
            .get(SERVER_SIGNATURE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body = response
            .bytes()
            .await
            .map_err(|e| self.failure(request, e))?;
        Ok((status, signature, body))
    }

    fn failure(&self, request: &Request, error: reqwest::Error) -> BunqError {
        let (method, path) = (request.method.to_string(), request.shown_path().to_owned());
        if error.is_timeout() {
            BunqError::Timeout {
                method,
                path,
                timeout: self.timeout,
            }
        } else {
            BunqError::Transport {
                method,
                path,
                source: error.without_url(),
            }
        }
    }

    fn classify(
        &self,
        request: &Request,
        status: StatusCode,
        body: Bytes,
    ) -> Result<Bytes, BunqError> {
        if status.is_success() {
            return Ok(body);
        }
        let (method, path) = (request.method.to_string(), request.shown_path().to_owned());
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.counters.rate_limited();
            return Err(BunqError::RateLimited { method, path });
        }
        let description =
            error_description(&body).unwrap_or_else(|| "(no error description)".to_owned());
        Err(BunqError::Api {
            status: status.as_u16(),
            method,
            path,
            description,
        })
    }
}

/// Whether a failed request may be sent again. bunq did not process a
/// request it answered with 429, 503 or 491 (maintenance), nor one whose
/// connection never opened, so those are retried for every method. Other
/// 5xx answers and timeouts may follow a request bunq applied: only GETs,
/// which change nothing, are retried then.
pub(crate) fn retryable(method: &Method, error: &BunqError) -> bool {
    let read_only = *method == Method::GET;
    match error {
        BunqError::RateLimited { .. } => true,
        BunqError::Api {
            status: 503 | 491, ..
        } => true,
        BunqError::Api { status, .. } => read_only && (500..600).contains(status),
        BunqError::Timeout { .. } => read_only,
        BunqError::Transport { source, .. } => read_only || source.is_connect(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> BunqError {
        BunqError::Api {
            status,
            method: "X".into(),
            path: "/p".into(),
            description: "d".into(),
        }
    }

    #[test]
    fn rate_limits_and_unavailability_are_retried_for_every_method() {
        let limited = BunqError::RateLimited {
            method: "POST".into(),
            path: "/p".into(),
        };

        for method in [Method::GET, Method::POST] {
            assert!(retryable(&method, &limited));
            assert!(retryable(&method, &api(503)));
            assert!(retryable(&method, &api(491)));
        }
    }

    #[test]
    fn server_errors_and_timeouts_are_retried_only_for_gets() {
        let timeout = BunqError::Timeout {
            method: "X".into(),
            path: "/p".into(),
            timeout: Duration::ZERO,
        };

        assert!(retryable(&Method::GET, &api(500)));
        assert!(retryable(&Method::GET, &timeout));
        assert!(!retryable(&Method::POST, &api(500)));
        assert!(!retryable(&Method::POST, &api(502)));
        assert!(!retryable(&Method::POST, &timeout));
    }

    #[test]
    fn client_errors_and_bad_signatures_are_final() {
        let signature = BunqError::Signature { path: "/p".into() };

        assert!(!retryable(&Method::GET, &api(400)));
        assert!(!retryable(&Method::GET, &api(401)));
        assert!(!retryable(&Method::GET, &signature));
    }

    #[test]
    fn base_urls_must_be_http() {
        let mut config = BunqConfig::new(crate::Environment::Sandbox);
        config.base_url = "ftp://example.com/v1".to_owned();
        assert!(Transport::new(&config, RateLimits::default()).is_err());

        config.base_url = "http://127.0.0.1:9/v1/".to_owned();
        let transport = Transport::new(&config, RateLimits::default()).expect("valid");
        assert_eq!(transport.base_path(), "/v1");
        assert_eq!(transport.base_url, "http://127.0.0.1:9/v1");
    }
}
