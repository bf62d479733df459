//! Command-line interface: `serve`, `run`, `export` and `evaluate`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use domain::run::Trigger;

use crate::config::{LearningSettings, TrainerConfig};
use crate::training::Trainer;

/// Trains, evaluates and promotes one category model per YNAB budget.
#[derive(Debug, Parser)]
#[command(name = "trainer", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The trainer commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train on the schedule in TRAINER_SCHEDULE until stopped.
    Serve,
    /// Train once, now, and exit.
    Run {
        /// Train only this YNAB budget.
        #[arg(long)]
        budget: Option<String>,
    },
    /// Write one budget's labelled payments as JSON Lines.
    Export {
        /// The YNAB budget id.
        #[arg(long)]
        budget: String,
        /// The file to write.
        #[arg(long)]
        output: PathBuf,
    },
    /// Evaluate the candidates on a JSON Lines data set (no database
    /// needed) and print one JSON object.
    Evaluate {
        /// The file to read.
        #[arg(long)]
        input: PathBuf,
    },
}

/// Runs a parsed command.
///
/// # Errors
/// Configuration, connection and run errors, with context.
pub async fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Evaluate { input } => {
            let settings = LearningSettings::from_env()?;
            let report = tokio::task::spawn_blocking(move || {
                crate::evaluate::evaluate_file(&input, &settings)
            })
            .await??;
            println!("{report}");
            Ok(())
        }
        Command::Serve => {
            let metrics = runtime::metrics::MetricsConfig::from_env()?;
            let trainer = connect().await?;
            crate::ops::serve_metrics(metrics).await?;
            crate::serve::serve(trainer).await
        }
        Command::Run { budget } => {
            let counts = connect()
                .await?
                .run(Trigger::Manual, budget.as_deref())
                .await?;
            println!("{}", serde_json::to_string(&counts)?);
            Ok(())
        }
        Command::Export { budget, output } => {
            let rows = crate::export::export(&connect().await?, &budget, &output).await?;
            println!(
                "{}",
                serde_json::json!({"budget_id": budget, "rows": rows, "output": output.display().to_string()})
            );
            Ok(())
        }
    }
}

/// Connects as configured, the store reporting runs to the metrics and
/// the failure webhook.
async fn connect() -> anyhow::Result<Trainer> {
    let config = TrainerConfig::from_env()?;
    let notify = notify::NotifyConfig::from_env()?;
    let mut trainer = Trainer::connect(config).await?;
    crate::ops::observe(&mut trainer, notify)?;
    Ok(trainer)
}
