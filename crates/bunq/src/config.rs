//! What a [`BunqClient`](crate::BunqClient) needs to know before its first
//! call: where bunq is, how long to wait, how to retry, and bunq's rate
//! limits.

use std::time::Duration;

use runtime::backoff::Backoff;

pub use domain::bunq_context::Environment;

/// Settings of one client, read once at start.
#[derive(Clone, Debug)]
pub struct BunqConfig {
    /// The API root including the version, without a trailing slash:
    /// `https://api.bunq.com/v1`, `https://public-api.sandbox.bunq.com/v1`
    /// or the local sandbox (`BUNQ_API_URL`).
    pub base_url: String,
    /// Which bunq, and so which stored context, this client uses.
    pub environment: Environment,
    /// The longest any single request may take, body included (default
    /// 10 s).
    pub timeout: Duration,
    /// Retries on 429, 5xx and, for GETs, timeouts.
    pub backoff: Backoff,
    /// Sent as `User-Agent` on every request.
    pub user_agent: String,
}

impl BunqConfig {
    /// The default per-request timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

    /// bunq's own URL for `environment`, the default timeout and backoff,
    /// and a `User-Agent` naming this project and version.
    pub fn new(environment: Environment) -> Self {
        Self {
            base_url: environment.default_base_url().to_owned(),
            environment,
            timeout: Self::DEFAULT_TIMEOUT,
            backoff: Backoff::default(),
            user_agent: concat!("bunq-ynab-connect/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// At most `requests` calls in any window of length `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Calls allowed per window.
    pub requests: u32,
    /// The sliding window.
    pub per: Duration,
}

impl Limit {
    /// `requests` per `per`.
    pub const fn new(requests: u32, per: Duration) -> Self {
        Self { requests, per }
    }
}

/// bunq's rate limits, which count per IP address, per endpoint and per
/// method. The defaults are bunq's published numbers; tests shrink them
/// together with the sandbox's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// GET: 3 per 3 s.
    pub get: Limit,
    /// POST: 5 per 3 s.
    pub post: Limit,
    /// PUT (and DELETE, which bunq does not list): 2 per 3 s.
    pub put: Limit,
    /// `POST /session-server`: 1 per 30 s.
    pub session_server: Limit,
}

impl Default for RateLimits {
    fn default() -> Self {
        let three_seconds = Duration::from_secs(3);
        Self {
            get: Limit::new(3, three_seconds),
            post: Limit::new(5, three_seconds),
            put: Limit::new(2, three_seconds),
            session_server: Limit::new(1, Duration::from_secs(30)),
        }
    }
}
