//! Configuration of the dashboard, read once from the environment. It
//! reads the settings of the jobs it can start by hand (ingest, sync,
//! train) with their own readers, so a manual run behaves exactly like the
//! CLI's. Every missing or malformed setting stops it with one line naming
//! the variable.

use std::net::SocketAddr;

use chrono_tz::Tz;
use ingest::IngestConfig;
use notify::NotifyConfig;
use runtime::env;
use secrecy::SecretString;
use sync_worker::SyncConfig;
use trainer::TrainerConfig;

/// The port when `DASHBOARD_PORT` is unset (where the Prefect UI was).
pub const DEFAULT_PORT: u16 = 12002;

/// Everything the dashboard needs at start.
#[derive(Debug)]
pub struct DashboardConfig {
    /// Where it listens: `0.0.0.0:DASHBOARD_PORT` (default 12002).
    pub address: SocketAddr,
    /// The password every page asks for (`DASHBOARD_PASSWORD`, required;
    /// any user name is accepted).
    pub password: SecretString,
    /// The ingest job's settings (as `ingest` reads them; MongoDB too).
    pub ingest: IngestConfig,
    /// The sync worker's settings (as `sync-worker` reads them).
    pub sync: SyncConfig,
    /// The trainer's settings (as `trainer` reads them).
    pub trainer: TrainerConfig,
    /// Failure notices (`NOTIFY_*`).
    pub notify: NotifyConfig,
    /// The restarter's label prefix (`RESTARTER_LABEL_PREFIX`, default
    /// `bunqynab`), to name its schedule label.
    pub restarter_label_prefix: String,
    /// The zone times are shown in (`TIMEZONE`, default Europe/Amsterdam).
    pub timezone: Tz,
}

impl DashboardConfig {
    /// Reads the configuration from the environment.
    ///
    /// # Errors
    /// One error naming the first variable that is missing or malformed.
    pub fn from_env() -> anyhow::Result<Self> {
        let port: u16 = env::parsed_or("DASHBOARD_PORT", DEFAULT_PORT)?;
        let password = env::required("DASHBOARD_PASSWORD")?;
        anyhow::ensure!(
            password.len() >= 8,
            "DASHBOARD_PASSWORD is invalid: use at least 8 characters"
        );
        Ok(Self {
            address: SocketAddr::from(([0, 0, 0, 0], port)),
            password: SecretString::from(password),
            ingest: IngestConfig::from_env()?,
            sync: SyncConfig::from_env()?,
            trainer: TrainerConfig::from_env()?,
            notify: NotifyConfig::from_env()?,
            restarter_label_prefix: env::optional("RESTARTER_LABEL_PREFIX")
                .unwrap_or_else(|| "bunqynab".to_owned()),
            timezone: settings::timezone_from_env()?,
        })
    }
}
