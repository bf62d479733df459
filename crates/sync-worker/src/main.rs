//! `sync-worker`: drains the payment queue into YNAB. Run
//! `sync-worker --help` for the commands.

use clap::Parser;
use sync_worker::cli::Cli;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Err(error) = runtime::telemetry::init() {
        eprintln!("sync-worker: {error:#}");
        return std::process::ExitCode::FAILURE;
    }
    match sync_worker::cli::execute(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "sync-worker stopped");
            eprintln!("sync-worker: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
