//! Command-line interface: `serve`, `run`, `sync-payment` and
//! `sync-account`.

use std::sync::Arc;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use domain::Iban;
use domain::run::Trigger;

use crate::{SyncConfig, SyncWorker};

/// Drains the payment queue into YNAB, exactly once per payment.
#[derive(Debug, Parser)]
#[command(name = "sync-worker", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The sync-worker commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Drain continuously: react to new queue entries within a second,
    /// until SIGTERM or Ctrl-C.
    Serve,
    /// Drain once, now, and exit.
    Run,
    /// Sync one stored payment now.
    SyncPayment {
        /// The bunq payment id.
        id: i64,
        /// Sync it even if it is synced already (YNAB's import id still
        /// keeps it single).
        #[arg(long)]
        force: bool,
    },
    /// Re-sync a bunq account's stored payments over a date range.
    SyncAccount {
        /// The bunq account's IBAN.
        iban: String,
        /// First local date (inclusive), YYYY-MM-DD.
        #[arg(long, value_parser = parse_date)]
        from: Option<NaiveDate>,
        /// Last local date (inclusive), YYYY-MM-DD.
        #[arg(long, value_parser = parse_date)]
        to: Option<NaiveDate>,
    },
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    domain::time::parse_date(text).map_err(|e| e.to_string())
}

/// Runs a parsed command.
///
/// # Errors
/// Configuration, connection and run errors, with context.
pub async fn execute(cli: Cli) -> anyhow::Result<()> {
    let config = SyncConfig::from_env()?;
    let notify = notify::NotifyConfig::from_env()?;
    let mut worker = SyncWorker::connect(config).await?;
    crate::ops::observe(&mut worker, notify)?;
    match cli.command {
        Command::Serve => {
            let metrics = runtime::metrics::MetricsConfig::from_env()?;
            let worker = Arc::new(worker);
            crate::ops::serve_metrics(worker.clone(), metrics).await?;
            crate::serve::serve(worker, runtime::shutdown::signal()).await
        }
        Command::Run => {
            let summary = worker.drain(Trigger::Manual).await?;
            println!("{}", serde_json::to_string(&summary.counts())?);
            Ok(())
        }
        Command::SyncPayment { id, force } => {
            let entry = worker.sync_payment(id, force).await?;
            let shown = serde_json::json!({
                "payment_id": entry.payment_id, "state": entry.state,
                "ynab_transaction_id": entry.ynab_transaction_id, "reason": entry.reason,
                "last_error": entry.last_error,
            });
            println!("{shown}");
            Ok(())
        }
        Command::SyncAccount { iban, from, to } => {
            let iban =
                Iban::parse(&iban).with_context(|| "the IBAN argument is invalid".to_owned())?;
            let summary = worker.sync_account(&iban, from, to).await?;
            println!("{}", serde_json::to_string(&summary.counts())?);
            Ok(())
        }
    }
}
