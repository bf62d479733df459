//! Command-line interface: `run`, `serve` and `exchange-pat`.

use std::io::BufRead;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use domain::run::Trigger;
use secrecy::SecretString;

use crate::config::IngestConfig;
use crate::load::Ingest;

/// Loads bunq and YNAB data into MongoDB and enqueues new payments.
#[derive(Debug, Parser)]
#[command(name = "ingest", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The ingest commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load once, now, and exit.
    Run,
    /// Load on the schedule in INGEST_SCHEDULE until stopped.
    Serve,
    /// Bind a new bunq API key (first setup, or after the server's IP
    /// changed). Reads the key from BUNQ_API_KEY, or else from one line of
    /// standard input, never from the command line. The previous context
    /// stays in force when the exchange fails.
    ExchangePat {
        /// Device name shown in the bunq app.
        #[arg(long, default_value = "bunq-ynab-connect")]
        description: String,
        /// IPs allowed to use the key; `*` allows any (needed when the
        /// public IP changes). Default: the calling IP only.
        #[arg(long = "permitted-ip", value_name = "IP")]
        permitted_ips: Vec<String>,
    },
}

/// Runs a parsed command.
///
/// # Errors
/// Configuration, connection and run errors, with context.
pub async fn execute(cli: Cli) -> anyhow::Result<()> {
    let config = IngestConfig::from_env()?;
    let notify = notify::NotifyConfig::from_env()?;
    match cli.command {
        Command::Run => {
            let mut ingest = Ingest::connect(config).await?;
            crate::ops::observe(&mut ingest, notify)?;
            let summary = ingest.run(Trigger::Manual).await?;
            println!("{}", serde_json::to_string(&summary)?);
            Ok(())
        }
        Command::Serve => {
            let metrics = runtime::metrics::MetricsConfig::from_env()?;
            let mut ingest = Ingest::connect(config).await?;
            crate::ops::observe(&mut ingest, notify)?;
            let ingest = Arc::new(ingest);
            crate::ops::serve_metrics(ingest.clone(), metrics).await?;
            crate::serve::serve(ingest).await
        }
        Command::ExchangePat {
            description,
            permitted_ips,
        } => {
            let api_key = read_api_key()?;
            let ingest = Ingest::connect(config).await?;
            crate::exchange::exchange(&ingest, api_key, &description, &permitted_ips).await
        }
    }
}

fn read_api_key() -> anyhow::Result<SecretString> {
    if let Some(key) = runtime::env::optional("BUNQ_API_KEY") {
        return Ok(SecretString::from(key));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("could not read the API key from standard input")?;
    let key = line.trim();
    if key.is_empty() {
        bail!("no bunq API key: set BUNQ_API_KEY or pass the key on standard input");
    }
    Ok(SecretString::from(key.to_owned()))
}
