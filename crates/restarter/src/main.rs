//! `restarter`: restarts labelled containers through the Docker API.
//! Run `restarter --help` for the commands.

use clap::Parser;
use restarter::cli::Cli;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Err(error) = runtime::telemetry::init() {
        eprintln!("restarter: {error:#}");
        return std::process::ExitCode::FAILURE;
    }
    match restarter::cli::execute(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "restarter stopped");
            eprintln!("restarter: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
