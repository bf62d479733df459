//! Command line of the `sandbox` binary (and of the `sandbox` applet of
//! `bunq-ynab-connect`): ports, household size, where its history ends and
//! rate limits; serves until Ctrl-C or SIGTERM.

use std::net::IpAddr;

use anyhow::{Context, bail};
use chrono::{DateTime, SubsecRound, Utc};
use clap::Parser;
use tokio::net::TcpListener;

use crate::{HouseholdParams, SandboxConfig};

/// Command-line options.
#[derive(Debug, Parser)]
#[command(
    name = "sandbox",
    version,
    about = "Plays bunq and YNAB over HTTP with a generated household"
)]
pub struct Cli {
    /// Port of the bunq API.
    #[arg(long, default_value_t = 12010)]
    pub bunq_port: u16,
    /// Port of the YNAB API.
    #[arg(long, default_value_t = 12011)]
    pub ynab_port: u16,
    /// Household seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Extra unlinked bunq accounts.
    #[arg(long, default_value_t = 0)]
    pub accounts: u32,
    /// Months of history.
    #[arg(long, default_value_t = 24)]
    pub months: u32,
    /// Payments per month across all accounts.
    #[arg(long, default_value_t = 60)]
    pub payments_per_month: u32,
    /// Where the history ends, as an RFC 3339 time (default: now). The
    /// same seed and end give the same household on any day, which keeps
    /// benchmark figures comparable.
    #[arg(long, value_parser = parse_end)]
    pub end: Option<DateTime<Utc>>,
    /// Switch every rate limit off.
    #[arg(long)]
    pub no_rate_limits: bool,
    /// Address to listen on (0.0.0.0 in a container).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
}

/// Serves both halves until Ctrl-C or SIGTERM (what `docker stop` sends).
///
/// # Errors
/// When a port cannot be bound or the sandbox cannot start.
pub async fn execute(cli: Cli) -> anyhow::Result<()> {
    let mut household = HouseholdParams {
        seed: cli.seed,
        months: cli.months,
        payments_per_month: cli.payments_per_month,
        extra_accounts: cli.accounts,
        ..HouseholdParams::default()
    };
    if let Some(end) = cli.end {
        if end > household.end {
            bail!("--end {end} is in the future: YNAB would refuse its transactions");
        }
        household.end = end;
    }
    let config = SandboxConfig {
        household,
        rate_limits: !cli.no_rate_limits,
        ..SandboxConfig::default()
    };
    let bunq = TcpListener::bind((cli.bind, cli.bunq_port))
        .await
        .context("binding the bunq port")?;
    let ynab = TcpListener::bind((cli.bind, cli.ynab_port))
        .await
        .context("binding the YNAB port")?;
    let sandbox = crate::spawn(config, bunq, ynab).await?;
    tracing::info!(bunq.url = %sandbox.bunq_url(), ynab.url = %sandbox.ynab_url(), "sandbox ready");

    runtime::shutdown::signal().await;
    tracing::info!("sandbox stopping");
    sandbox.shutdown().await;
    Ok(())
}

/// An RFC 3339 time, whole seconds.
fn parse_end(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc).trunc_subsecs(0))
        .map_err(|e| format!("expected an RFC 3339 time such as 2026-12-01T12:00:00Z: {e}"))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    #[test]
    fn an_end_is_an_rfc_3339_time() {
        let cli =
            Cli::try_parse_from(["sandbox", "--end", "2026-12-01T13:00:00+01:00"]).expect("parses");
        let end = cli.end.expect("set").to_rfc3339();
        assert_eq!(end, "2026-12-01T12:00:00+00:00");

        let error = Cli::try_parse_from(["sandbox", "--end", "yesterday"])
            .expect_err("not a time")
            .to_string();
        assert!(error.contains("expected an RFC 3339 time"), "{error}");
    }
}
