//! `sandbox`: plays bunq and YNAB on two ports with a seeded household, for
//! development and tests. Stops on Ctrl-C or SIGTERM. See [`sandbox::cli`].

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    runtime::telemetry::init()?;
    sandbox::cli::execute(sandbox::cli::Cli::parse()).await
}
