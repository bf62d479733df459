//! What a sandbox is started with: the household seed and size, the
//! credentials it accepts, and how strict it is about sessions and rate
//! limits. Defaults mirror the real services.

use std::net::IpAddr;
use std::time::Duration;

use crate::household::{HouseholdParams, UserKind};
use crate::ynab::Clock;

/// Everything [`crate::spawn`] needs. Start from [`SandboxConfig::default`]
/// (or [`SandboxConfig::with_seed`]) and change what a test cares about.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Seed and size of the generated household.
    pub household: HouseholdParams,
    /// Which user object `session-server` answers with (default `Person`).
    pub user_kind: UserKind,
    /// The bunq API key `device-server` and `session-server` accept
    /// (default `sandbox-api-key`).
    pub bunq_api_key: String,
    /// The YNAB personal access token accepted (default `sandbox-ynab-token`).
    pub ynab_token: String,
    /// bunq session lifetime in seconds (default 3600).
    pub session_timeout_secs: u64,
    /// Whether rate limits are enforced at all (default true).
    pub rate_limits: bool,
    /// bunq's per-endpoint limits.
    pub bunq_limits: BunqLimits,
    /// YNAB requests allowed per token per rolling hour (default 200).
    pub ynab_hourly_limit: u32,
    /// The YNAB half's clock (default the system clock; tests may pass a
    /// manual one to move time).
    pub ynab_clock: Clock,
    /// How failed callback deliveries are retried (default bunq's: five
    /// more attempts, a minute apart).
    pub callback_retry: CallbackRetry,
    /// The local address callbacks are sent from (default `None`: the
    /// system's choice; tests pick 127.0.0.2, 127.0.0.3, ...).
    pub callback_source: Option<IpAddr>,
    /// Whether `https://` callback targets are called over plain HTTP, as
    /// if a TLS-terminating proxy stood in front (default false).
    pub callback_over_http: bool,
}

/// bunq's rate limits: calls per window, per endpoint and method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BunqLimits {
    /// GET calls per `window` (default 3).
    pub get: u32,
    /// POST calls per `window` (default 5).
    pub post: u32,
    /// PUT calls per `window` (default 2).
    pub put: u32,
    /// The window of the three limits above (default 3 s).
    pub window: Duration,
    /// `POST /session-server` calls per `session_window` (default 1).
    pub session: u32,
    /// The window of the session-server limit (default 30 s).
    pub session_window: Duration,
}

/// How a failed bunq callback delivery is retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallbackRetry {
    /// Further attempts after the first (bunq: 5).
    pub attempts: u32,
    /// Pause between attempts (bunq: one minute).
    pub interval: Duration,
}

impl Default for BunqLimits {
    fn default() -> Self {
        Self {
            get: 3,
            post: 5,
            put: 2,
            window: Duration::from_secs(3),
            session: 1,
            session_window: Duration::from_secs(30),
        }
    }
}

impl Default for CallbackRetry {
    fn default() -> Self {
        Self {
            attempts: 5,
            interval: Duration::from_secs(60),
        }
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            household: HouseholdParams::default(),
            user_kind: UserKind::Person,
            bunq_api_key: "sandbox-api-key".to_owned(),
            ynab_token: "sandbox-ynab-token".to_owned(),
            session_timeout_secs: 3600,
            rate_limits: true,
            bunq_limits: BunqLimits::default(),
            ynab_hourly_limit: 200,
            ynab_clock: Clock::system(),
            callback_retry: CallbackRetry::default(),
            callback_source: None,
            callback_over_http: false,
        }
    }
}

impl SandboxConfig {
    /// The defaults with another household seed.
    pub fn with_seed(seed: u64) -> Self {
        let mut config = Self::default();
        config.household.seed = seed;
        config
    }

    /// The defaults with every rate limit switched off, for tests that make
    /// many calls and do not test throttling.
    pub fn without_rate_limits() -> Self {
        Self {
            rate_limits: false,
            ..Self::default()
        }
    }
}
