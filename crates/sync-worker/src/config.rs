//! Configuration of the sync worker, read once from the environment. Every
//! missing or malformed setting stops the service with one line naming the
//! variable.

use std::time::Duration;

use anyhow::Context;
use classifier::ClassifierConfig;
use domain::sync::SyncSettings;
use runtime::env;

/// How the queue is worked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueConfig {
    /// How long a claim holds an entry before another worker may take it
    /// (`SYNC_LEASE_SECS`, default 120): longer than a batch takes.
    pub lease: Duration,
    /// Entries claimed at once, and at most one YNAB create request per
    /// budget for them (`SYNC_BATCH_SIZE`, default 100).
    pub batch_size: usize,
    /// Failed attempts after which an entry stays failed
    /// (`SYNC_MAX_ATTEMPTS`, default 5).
    pub max_attempts: u32,
    /// Delay before the first retry of a failed entry, doubling per
    /// attempt (`SYNC_RETRY_BASE_SECS`, default 60).
    pub retry_base: Duration,
    /// Longest delay between retries (`SYNC_RETRY_MAX_SECS`, default 6 h).
    pub retry_max: Duration,
    /// How often `serve` looks for due entries when nothing woke it
    /// (`SYNC_POLL_INTERVAL_MS`, default 1000).
    pub poll_interval: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(120),
            batch_size: 100,
            max_attempts: 5,
            retry_base: Duration::from_secs(60),
            retry_max: Duration::from_secs(6 * 3600),
            poll_interval: Duration::from_millis(1000),
        }
    }
}

impl QueueConfig {
    /// The delay before retrying after `attempts` failed attempts.
    pub fn retry_delay(&self, attempts: u32) -> Duration {
        let factor = 2_u32.saturating_pow(attempts.saturating_sub(1));
        self.retry_base.saturating_mul(factor).min(self.retry_max)
    }
}

/// Everything `sync-worker` needs to know at start.
#[derive(Debug)]
pub struct SyncConfig {
    /// MongoDB (`MONGO_URI`, `MONGO_DB`, `MONGO_USER`, `MONGO_PASSWORD`).
    pub mongo: store::MongoConfig,
    /// YNAB (`YNAB_TOKEN`, required; `YNAB_API_URL` overrides the URL).
    pub ynab: ynab::YnabConfig,
    /// The model server (`MODEL_SERVER_URL`, `MODEL_SERVER_TIMEOUT_MS`,
    /// `CATEGORY_CONFIDENCE_THRESHOLD`).
    pub classifier: ClassifierConfig,
    /// `START_SYNC_DATE` (required, a date or date-time in `TIMEZONE`) and
    /// `TIMEZONE` (default Europe/Amsterdam).
    pub settings: SyncSettings,
    /// How the queue is worked (`SYNC_*`).
    pub queue: QueueConfig,
}

impl SyncConfig {
    /// Reads the configuration from the environment.
    ///
    /// # Errors
    /// One error naming the first variable that is missing or malformed.
    pub fn from_env() -> anyhow::Result<Self> {
        let zone = settings::timezone_from_env()?;
        let start = env::required_with("START_SYNC_DATE", |v| {
            domain::time::parse_local_instant(v, zone)
        })?;
        Ok(Self {
            mongo: settings::mongo_from_env()?,
            ynab: settings::ynab_from_env()?,
            classifier: classifier_from_env()?,
            settings: SyncSettings { start, zone },
            queue: queue_from_env()?,
        })
    }
}

fn classifier_from_env() -> anyhow::Result<ClassifierConfig> {
    let mut config = ClassifierConfig::new(env::optional_url("MODEL_SERVER_URL")?);
    let timeout_ms: u64 = env::parsed_or("MODEL_SERVER_TIMEOUT_MS", 500)?;
    anyhow::ensure!(
        timeout_ms > 0,
        "MODEL_SERVER_TIMEOUT_MS is invalid: it must be above 0"
    );
    config.timeout = Duration::from_millis(timeout_ms);
    config.threshold = env::parsed_or("CATEGORY_CONFIDENCE_THRESHOLD", config.threshold)?;
    anyhow::ensure!(
        (0.0..=1.0).contains(&config.threshold),
        "CATEGORY_CONFIDENCE_THRESHOLD is invalid ({}): expected a number in [0, 1]",
        config.threshold
    );
    Ok(config)
}

fn queue_from_env() -> anyhow::Result<QueueConfig> {
    let defaults = QueueConfig::default();
    let secs = |name: &str, default: Duration| -> anyhow::Result<Duration> {
        Ok(Duration::from_secs(env::parsed_or(
            name,
            default.as_secs(),
        )?))
    };
    let config = QueueConfig {
        lease: secs("SYNC_LEASE_SECS", defaults.lease)?,
        batch_size: env::parsed_or("SYNC_BATCH_SIZE", defaults.batch_size)?,
        max_attempts: env::parsed_or("SYNC_MAX_ATTEMPTS", defaults.max_attempts)?,
        retry_base: secs("SYNC_RETRY_BASE_SECS", defaults.retry_base)?,
        retry_max: secs("SYNC_RETRY_MAX_SECS", defaults.retry_max)?,
        poll_interval: Duration::from_millis(env::parsed_or("SYNC_POLL_INTERVAL_MS", 1000_u64)?),
    };
    let positive = |name: &str, ok: bool| {
        anyhow::ensure!(ok, "{name} is invalid: it must be above 0");
        Ok(())
    };
    positive("SYNC_LEASE_SECS", !config.lease.is_zero())?;
    positive("SYNC_BATCH_SIZE", config.batch_size > 0)?;
    positive("SYNC_MAX_ATTEMPTS", config.max_attempts > 0)
        .and_then(|()| positive("SYNC_POLL_INTERVAL_MS", !config.poll_interval.is_zero()))
        .context("invalid queue settings")?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_the_cap() {
        let config = QueueConfig::default();

        assert_eq!(config.retry_delay(1), Duration::from_secs(60));
        assert_eq!(config.retry_delay(3), Duration::from_secs(240));
        assert_eq!(config.retry_delay(40), Duration::from_secs(6 * 3600));
    }
}
