//! `trainer`: builds the matched data set, trains, evaluates and promotes
//! one category model per YNAB budget. Run `trainer --help`.

use clap::Parser;
use trainer::cli::Cli;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Err(error) = runtime::telemetry::init() {
        eprintln!("trainer: {error:#}");
        return std::process::ExitCode::FAILURE;
    }
    match trainer::cli::execute(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "trainer stopped");
            eprintln!("trainer: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
