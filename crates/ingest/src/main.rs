//! `ingest`: loads bunq and YNAB data into MongoDB and enqueues new payments.
//! Run `ingest --help` for the commands.

use clap::Parser;
use ingest::cli::Cli;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Err(error) = runtime::telemetry::init() {
        eprintln!("ingest: {error:#}");
        return std::process::ExitCode::FAILURE;
    }
    match ingest::cli::execute(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "ingest stopped");
            eprintln!("ingest: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
