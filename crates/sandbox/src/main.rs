//! `sandbox`: plays bunq and YNAB on two ports with a seeded household, for
//! development and tests. Stops on Ctrl-C.

use std::net::IpAddr;

use anyhow::Context;
use clap::Parser;
use sandbox::{HouseholdParams, SandboxConfig};
use tokio::net::TcpListener;

/// Command-line options.
#[derive(Parser)]
#[command(
    version,
    about = "Plays bunq and YNAB over HTTP with a generated household"
)]
struct Args {
    /// Port of the bunq API.
    #[arg(long, default_value_t = 12010)]
    bunq_port: u16,
    /// Port of the YNAB API.
    #[arg(long, default_value_t = 12011)]
    ynab_port: u16,
    /// Household seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Extra unlinked bunq accounts.
    #[arg(long, default_value_t = 0)]
    accounts: u32,
    /// Months of history.
    #[arg(long, default_value_t = 24)]
    months: u32,
    /// Payments per month across all accounts.
    #[arg(long, default_value_t = 60)]
    payments_per_month: u32,
    /// Switch every rate limit off.
    #[arg(long)]
    no_rate_limits: bool,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    runtime::telemetry::init()?;
    let args = Args::parse();
    let household = HouseholdParams {
        seed: args.seed,
        months: args.months,
        payments_per_month: args.payments_per_month,
        extra_accounts: args.accounts,
        ..HouseholdParams::default()
    };
    let config = SandboxConfig {
        household,
        rate_limits: !args.no_rate_limits,
        ..SandboxConfig::default()
    };

    let bunq = TcpListener::bind((args.bind, args.bunq_port))
        .await
        .context("binding the bunq port")?;
    let ynab = TcpListener::bind((args.bind, args.ynab_port))
        .await
        .context("binding the YNAB port")?;
    let sandbox = sandbox::spawn(config, bunq, ynab).await?;
    tracing::info!(bunq.url = %sandbox.bunq_url(), ynab.url = %sandbox.ynab_url(), "sandbox ready");

    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    tracing::info!("sandbox stopping");
    sandbox.shutdown().await;
    Ok(())
}
