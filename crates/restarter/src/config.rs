//! Configuration of the restarter, read once from the environment. Every
//! missing or malformed setting stops it with one line naming the variable.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use chrono_tz::Tz;
use runtime::env;

use crate::labels::{DEFAULT_LABEL_PREFIX, Labels};

/// The socket used when `DOCKER_HOST` is not set.
pub const DEFAULT_DOCKER_SOCKET: &str = "/var/run/docker.sock";

/// Everything the restarter needs to know at start.
#[derive(Clone, Debug)]
pub struct RestarterConfig {
    /// How to reach the Docker engine (`DOCKER_HOST`).
    pub docker: DockerConfig,
    /// Where runs are recorded (`MONGO_URI`, `MONGO_DB`, `MONGO_USER`,
    /// `MONGO_PASSWORD`). `None` when `MONGO_URI` is unset: `check` needs
    /// no database, `serve` and `restart-now` refuse to start without one.
    pub mongo: Option<store::MongoConfig>,
    /// The zone schedules are evaluated in (`TIMEZONE`, default
    /// Europe/Amsterdam).
    pub timezone: Tz,
    /// The labels that opt a container in (`RESTARTER_LABEL_PREFIX`,
    /// default `bunqynab`).
    pub labels: Labels,
    /// How often unhealthy containers and schedule labels are polled, as
    /// a fallback for missed Docker events (`RESTARTER_POLL_SECS`,
    /// default 30).
    pub poll_interval: Duration,
    /// No container is restarted twice within this span, whatever
    /// triggers it (`RESTARTER_MIN_INTERVAL_SECS`, default 300).
    pub min_interval: Duration,
    /// How long Docker waits for a container to stop before it kills it
    /// (`RESTARTER_STOP_TIMEOUT_SECS`, default 10).
    pub stop_timeout: Duration,
}

/// Where the Docker engine listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DockerHost {
    /// A Unix socket (`unix:///var/run/docker.sock`, the default).
    Unix(PathBuf),
    /// Plain HTTP (`tcp://host:2375`), for a socket proxy.
    Tcp(String),
}

impl std::fmt::Display for DockerHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unix(path) => write!(f, "unix://{}", path.display()),
            Self::Tcp(address) => write!(f, "tcp://{address}"),
        }
    }
}

impl DockerHost {
    /// Parses a `DOCKER_HOST` value: `unix:///path`, `tcp://host:port` or
    /// `http://host:port`.
    ///
    /// # Errors
    /// A message saying which forms are accepted.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let tcp = value
            .strip_prefix("tcp://")
            .or_else(|| value.strip_prefix("http://"));
        if let Some(path) = value.strip_prefix("unix://")
            && path.starts_with('/')
        {
            return Ok(Self::Unix(PathBuf::from(path)));
        }
        if let Some(address) = tcp
            && !address.is_empty()
        {
            return Ok(Self::Tcp(address.trim_end_matches('/').to_owned()));
        }
        Err("expected unix:///absolute/path or tcp://host:port")
    }
}

/// How the restarter talks to the engine.
#[derive(Clone, Debug)]
pub struct DockerConfig {
    /// The engine's address (`DOCKER_HOST`, default
    /// `unix:///var/run/docker.sock`).
    pub host: DockerHost,
    /// The bound on one Docker API call, a restart included
    /// (`RESTARTER_DOCKER_TIMEOUT_SECS`, default 120; it must exceed the
    /// stop timeout).
    pub timeout: Duration,
}

impl DockerConfig {
    /// The default socket with the default timeout.
    pub fn local() -> Self {
        Self {
            host: DockerHost::Unix(PathBuf::from(DEFAULT_DOCKER_SOCKET)),
            timeout: Duration::from_secs(120),
        }
    }
}

impl RestarterConfig {
    /// Reads the configuration from the environment.
    ///
    /// # Errors
    /// One error naming the first variable that is malformed.
    pub fn from_env() -> anyhow::Result<Self> {
        let timezone = settings::timezone_from_env()?;
        let prefix = env::optional("RESTARTER_LABEL_PREFIX")
            .unwrap_or_else(|| DEFAULT_LABEL_PREFIX.to_owned());
        let labels = Labels::new(&prefix).context("RESTARTER_LABEL_PREFIX is invalid")?;
        let docker_timeout: u64 = env::parsed_or("RESTARTER_DOCKER_TIMEOUT_SECS", 120)?;
        let docker = DockerConfig {
            host: env::optional_with("DOCKER_HOST", DockerHost::parse)?
                .unwrap_or_else(|| DockerConfig::local().host),
            timeout: Duration::from_secs(docker_timeout),
        };

        Ok(Self {
            docker,
            mongo: mongo_from_env()?,
            timezone,
            labels,
            poll_interval: secs("RESTARTER_POLL_SECS", 30)?,
            min_interval: Duration::from_secs(env::parsed_or("RESTARTER_MIN_INTERVAL_SECS", 300)?),
            stop_timeout: Duration::from_secs(env::parsed_or("RESTARTER_STOP_TIMEOUT_SECS", 10)?),
        })
    }

    /// The MongoDB settings, required by the commands that record runs.
    ///
    /// # Errors
    /// When `MONGO_URI` is not set.
    pub fn require_mongo(&self) -> anyhow::Result<&store::MongoConfig> {
        self.mongo
            .as_ref()
            .context("MONGO_URI is not set: the restarter records its runs there")
    }
}

/// A positive number of seconds.
fn secs(name: &str, default: u64) -> anyhow::Result<Duration> {
    let value: u64 = env::parsed_or(name, default)?;
    anyhow::ensure!(
        value > 0,
        "{name} is invalid (\"0\"): expected at least 1 second"
    );
    Ok(Duration::from_secs(value))
}

/// The MongoDB settings when `MONGO_URI` is set. The timeouts are short:
/// recording a run must never hold up a restart for long.
fn mongo_from_env() -> anyhow::Result<Option<store::MongoConfig>> {
    let Some(mut config) = settings::optional_mongo_from_env()? else {
        return Ok(None);
    };
    config.connect_timeout = Duration::from_secs(3);
    config.server_selection_timeout = Duration::from_secs(5);
    config.operation_timeout = Duration::from_secs(10);
    Ok(Some(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_host_accepts_unix_sockets_and_tcp_addresses() {
        assert_eq!(
            DockerHost::parse("unix:///run/docker.sock"),
            Ok(DockerHost::Unix(PathBuf::from("/run/docker.sock")))
        );
        assert_eq!(
            DockerHost::parse("tcp://socket-proxy:2375/"),
            Ok(DockerHost::Tcp("socket-proxy:2375".to_owned()))
        );
        assert!(DockerHost::parse("/var/run/docker.sock").is_err());
        assert!(DockerHost::parse("unix://relative.sock").is_err());
        assert!(DockerHost::parse("ssh://host").is_err());
    }

    #[test]
    fn docker_host_prints_back_as_it_was_configured() {
        let host = DockerHost::Unix(PathBuf::from("/var/run/docker.sock"));
        assert_eq!(host.to_string(), "unix:///var/run/docker.sock");
    }
}
