//! Command-line interface: `serve`, `check` and `restart-now`.

use clap::{Parser, Subcommand};

use crate::config::RestarterConfig;

/// Restarts labelled containers: on a cron schedule
/// (`bunqynab.restart.schedule`) or when Docker reports them unhealthy
/// (`bunqynab.autoheal=true`). Touches nothing else.
#[derive(Debug, Parser)]
#[command(name = "restarter", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The restarter commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Watch Docker and restart labelled containers until stopped.
    Serve,
    /// List the containers it manages and their next restart, and exit
    /// non-zero when Docker cannot be reached (usable as a healthcheck).
    Check,
    /// Restart one labelled container now.
    RestartNow {
        /// The container's name (or id).
        name: String,
    },
}

/// Runs a parsed command.
///
/// # Errors
/// Configuration, Docker and restart errors, each on one line.
pub async fn execute(cli: Cli) -> anyhow::Result<()> {
    let config = RestarterConfig::from_env()?;
    match cli.command {
        Command::Serve => {
            crate::ops::serve_metrics().await?;
            crate::serve::serve(config, runtime::shutdown::signal()).await
        }
        Command::Check => {
            let rows = crate::check::check(&config, chrono::Utc::now()).await?;
            for line in crate::check::render(&config, &rows) {
                println!("{line}");
            }
            Ok(())
        }
        Command::RestartNow { name } => crate::manual::restart_now(&config, &name).await,
    }
}
