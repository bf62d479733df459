//! Configuration of the model server, read once from the environment. A
//! missing or malformed setting stops the service with one line naming the
//! variable.

use std::time::Duration;

use anyhow::Context;
use runtime::env;

/// The port when `MODEL_SERVER_PORT` is unset (compose publishes it on
/// 12006).
pub const DEFAULT_PORT: u16 = 8080;

/// How often the promoted versions are re-read when no change stream is
/// available (a standalone server), and as a safety net beside one.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// The largest request body accepted: about 2,000 payments in the pandas
/// encoding, far above the sync worker's batches.
pub const DEFAULT_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Everything the model server needs at start.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// MongoDB (`MONGO_URI`, required; `MONGO_DB`, `MONGO_USER`,
    /// `MONGO_PASSWORD`).
    pub mongo: store::MongoConfig,
    /// The TCP port on all interfaces (`MODEL_SERVER_PORT`, default 8080).
    pub port: u16,
    /// Re-read interval of the promoted versions
    /// (`MODEL_SERVER_POLL_SECS`, default 5).
    pub poll_interval: Duration,
    /// The request body limit in bytes (`MODEL_SERVER_MAX_BODY_BYTES`,
    /// default 2 MiB); larger bodies get 413.
    pub max_body_bytes: usize,
}

impl ServerConfig {
    /// Defaults for everything but MongoDB.
    pub fn new(mongo: store::MongoConfig) -> Self {
        Self {
            mongo,
            port: DEFAULT_PORT,
            poll_interval: DEFAULT_POLL_INTERVAL,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// Reads the configuration from the environment.
    ///
    /// # Errors
    /// One error naming the first variable that is missing or malformed.
    pub fn from_env() -> anyhow::Result<Self> {
        let port: u16 = env::parsed_or("MODEL_SERVER_PORT", DEFAULT_PORT)?;
        let poll_secs: u64 = env::parsed_or("MODEL_SERVER_POLL_SECS", 5)?;
        if poll_secs == 0 {
            anyhow::bail!("MODEL_SERVER_POLL_SECS is invalid (\"0\"): must be at least 1");
        }
        let max_body_bytes = env::parsed_or("MODEL_SERVER_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)?;
        Ok(Self {
            mongo: settings::mongo_from_env().context("MongoDB is required")?,
            port,
            poll_interval: Duration::from_secs(poll_secs),
            max_body_bytes,
        })
    }
}
