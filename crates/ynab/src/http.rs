//! One YNAB call on the wire: the budget check before every request, the
//! bearer token, the timeout, retries with backoff, the `X-Rate-Limit`
//! header, and turning answers into JSON or a [`YnabError`].

use std::time::Duration;

use domain::time::millis;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use secrecy::ExposeSecret;
use serde_json::Value;
use tokio::time::Instant;

use crate::accounting::{Accounting, Priority, RATE_LIMIT_HEADER, Window};
use crate::error::{api_error, chain, duplicate_error};
use crate::{Usage, YnabConfig, YnabError};

/// Sent with every request so that YNAB can tell this tool's traffic apart.
const USER_AGENT: &str = concat!("bunq-ynab-connect/", env!("CARGO_PKG_VERSION"));

/// One request to make, described before it is sent.
#[derive(Debug)]
pub(crate) struct Call {
    /// The HTTP method.
    pub method: Method,
    /// Path segments under the base URL; each is escaped.
    pub segments: Vec<String>,
    /// Query parameters.
    pub query: Vec<(&'static str, String)>,
    /// A JSON body, for POST and PUT.
    pub body: Option<Value>,
    /// Whether sending it twice does no harm, so that a timeout or 5xx
    /// may be retried. A 429 is retried either way: YNAB did nothing.
    pub idempotent: bool,
}

impl Call {
    /// A GET of `segments` with `query`.
    pub(crate) fn get(segments: Vec<String>, query: Vec<(&'static str, String)>) -> Self {
        Self {
            method: Method::GET,
            segments,
            query,
            body: None,
            idempotent: true,
        }
    }

    /// `/a/b/c`, for logs and errors.
    pub(crate) fn path(&self) -> String {
        self.segments
            .iter()
            .fold(String::new(), |path, s| path + "/" + s)
    }

    fn priority(&self) -> Priority {
        if self.method == Method::GET {
            Priority::Read
        } else {
            Priority::Write
        }
    }
}

/// What one attempt came to.
enum Attempt {
    /// Final: a success body or an error not worth repeating.
    Done(Result<Value, YnabError>),
    /// Worth another try when the call allows it.
    Retry { error: YnabError, always: bool },
}

/// The HTTP side of the client.
#[derive(Debug)]
pub(crate) struct Http {
    client: reqwest::Client,
    base: Url,
    authorization: HeaderValue,
    timeout: Duration,
    backoff: runtime::backoff::Backoff,
    accounting: Accounting,
}

impl Http {
    /// Checks `config` and builds the HTTP client.
    pub(crate) fn new(config: &YnabConfig) -> Result<Self, YnabError> {
        let invalid = |message: String| YnabError::InvalidConfig(message);
        let base = Url::parse(config.base_url.trim_end_matches('/'))
            .map_err(|e| invalid(format!("base URL {:?}: {e}", config.base_url)))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(invalid(format!(
                "base URL {:?} is not an http(s) URL",
                config.base_url
            )));
        }
        check_limits(config)?;

        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| invalid(format!("could not build the HTTP client: {e}")))?;
        let window = Window::new(config.hourly_limit, config.reserve, config.timeout);
        Ok(Self {
            client,
            base,
            authorization: authorization(config)?,
            timeout: config.timeout,
            backoff: config.backoff,
            accounting: Accounting::new(window, config.max_wait),
        })
    }

    /// The accounting numbers.
    pub(crate) fn usage(&self) -> Usage {
        self.accounting.usage()
    }

    /// Sends `call`, retrying per the backoff, and returns the JSON body of
    /// the success answer.
    ///
    /// # Errors
    /// Any [`YnabError`]; see [`crate::YnabClient`].
    pub(crate) async fn send(&self, call: &Call) -> Result<Value, YnabError> {
        let deadline = self.accounting.deadline();
        let mut attempt = 1;
        loop {
            self.accounting.acquire(call.priority(), deadline).await?;
            if attempt > 1 {
                self.accounting.record_retry();
            }
            let (error, always) = match self.attempt(call, attempt).await {
                Attempt::Done(result) => return result,
                Attempt::Retry { error, always } => (error, always),
            };

            if !(always || call.idempotent) || !self.backoff.allows_retry_after(attempt) {
                return Err(match error {
                    YnabError::RateLimited { .. } => YnabError::RateLimited { attempts: attempt },
                    other => other,
                });
            }
            let delay = self.backoff.delay(attempt);
            tracing::warn!(
                method = %call.method, path = call.path(), attempt, delay_ms = millis(delay),
                error = chain(&error), "retrying YNAB request"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One request and its answer.
    async fn attempt(&self, call: &Call, attempt: u32) -> Attempt {
        let started = Instant::now();
        let request = match self.request(call) {
            Ok(request) => request,
            Err(error) => return Attempt::Done(Err(error)),
        };
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => return self.send_failure(e),
        };
        let status = response.status();
        if let Some(value) = response.headers().get(RATE_LIMIT_HEADER) {
            self.accounting
                .observe_header(value.to_str().unwrap_or_default());
        }
        let body = response.bytes().await;
        tracing::debug!(
            method = %call.method, path = call.path(), status = status.as_u16(), attempt,
            duration_ms = millis(started.elapsed()), "YNAB request"
        );

        let body = match body {
            Ok(body) => body,
            Err(e) if e.is_timeout() => return self.timed_out(),
            Err(e) => return Attempt::Done(Err(decode(call, format!("body unreadable: {e}")))),
        };
        self.judge(call, status, &body)
    }

    /// The request builder for `call`.
    fn request(&self, call: &Call) -> Result<reqwest::RequestBuilder, YnabError> {
        let mut url = self.base.clone();
        // `new` refused bases that cannot take a path, so this cannot fail.
        url.path_segments_mut()
            .map_err(|()| YnabError::InvalidConfig("the base URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(&call.segments);

        let mut request = self
            .client
            .request(call.method.clone(), url)
            .header(AUTHORIZATION, self.authorization.clone());
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        Ok(request)
    }

    /// Sorts an answer by status.
    fn judge(&self, call: &Call, status: StatusCode, body: &[u8]) -> Attempt {
        match status.as_u16() {
            200..=299 => Attempt::Done(
                serde_json::from_slice(body)
                    .map_err(|e| decode(call, format!("body is not JSON: {e}"))),
            ),
            401 => Attempt::Done(Err(YnabError::Unauthorized)),
            409 => Attempt::Done(Err(duplicate_error(body))),
            429 => {
                self.accounting.record_rate_limited();
                let error = YnabError::RateLimited { attempts: 1 };
                Attempt::Retry {
                    error,
                    always: true,
                }
            }
            500..=599 => Attempt::Retry {
                error: api_error(status.as_u16(), body),
                always: false,
            },
            code => Attempt::Done(Err(api_error(code, body))),
        }
    }

    /// A request that got no answer: a refused connection never reached
    /// YNAB, so any call may repeat it; other failures only when safe.
    fn send_failure(&self, error: reqwest::Error) -> Attempt {
        if error.is_timeout() {
            return self.timed_out();
        }
        let always = error.is_connect();
        Attempt::Retry {
            error: YnabError::Transport(error),
            always,
        }
    }

    fn timed_out(&self) -> Attempt {
        Attempt::Retry {
            error: YnabError::Timeout {
                after: self.timeout,
            },
            always: false,
        }
    }
}

/// A [`YnabError::Decode`] for `call`.
pub(crate) fn decode(call: &Call, message: String) -> YnabError {
    YnabError::Decode {
        path: call.path(),
        message,
    }
}

/// The `Authorization` header, marked sensitive so that it is never shown.
fn authorization(config: &YnabConfig) -> Result<HeaderValue, YnabError> {
    let token = config.token.expose_secret();
    if token.trim().is_empty() {
        return Err(YnabError::InvalidConfig("the token is empty".into()));
    }
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
        // The value is not echoed: it is the token.
        YnabError::InvalidConfig("the token holds characters a header cannot carry".into())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// The hourly limit must leave reads some room.
fn check_limits(config: &YnabConfig) -> Result<(), YnabError> {
    if config.reserve >= config.hourly_limit {
        return Err(YnabError::InvalidConfig(format!(
            "the reserve ({}) must be below the hourly limit ({})",
            config.reserve, config.hourly_limit
        )));
    }
    if config.timeout.is_zero() || config.backoff.max_attempts == 0 {
        return Err(YnabError::InvalidConfig(
            "the timeout and the number of attempts must be above zero".into(),
        ));
    }
    Ok(())
}
