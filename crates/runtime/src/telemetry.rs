//! One tracing set-up for every binary: `RUST_LOG` filters (default
//! `info`), `LOG_FORMAT` picks `json` (containers) or `pretty` (terminals).
//! Logs go to standard error, so that a command's own output on standard
//! output (for example `ingest run`'s JSON summary) stays machine-readable.

use anyhow::{Context, bail};
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line, for containers and log shippers.
    Json,
    /// Human-readable, for a terminal.
    Pretty,
}

impl LogFormat {
    /// Reads `LOG_FORMAT`: `json` or `pretty`; unset means `json`, the
    /// container default.
    ///
    /// # Errors
    /// When the variable holds anything else.
    pub fn from_env() -> anyhow::Result<Self> {
        match std::env::var("LOG_FORMAT").ok().as_deref().map(str::trim) {
            None | Some("") | Some("json") => Ok(Self::Json),
            Some("pretty") => Ok(Self::Pretty),
            Some(other) => bail!("LOG_FORMAT must be `json` or `pretty`, not {other:?}"),
        }
    }
}

/// Installs the global subscriber, writing to standard error.
///
/// # Errors
/// When `LOG_FORMAT` or `RUST_LOG` is malformed, or a subscriber is already
/// installed.
pub fn init() -> anyhow::Result<()> {
    let format = LogFormat::from_env()?;
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.trim().is_empty() => EnvFilter::try_new(&directives)
            .with_context(|| format!("RUST_LOG is not a valid filter: {directives:?}"))?,
        _ => EnvFilter::new("info"),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_writer(std::io::stderr);
    let installed = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("could not install the log subscriber: {e}"))
}
