//! The `healthcheck` applet: the runtime image has no shell and no curl, so
//! each container's healthcheck runs this. It probes an HTTP URL (healthy
//! on a 2xx answer) or the service's MongoDB (healthy when it answers a
//! ping, with the same `MONGO_*` settings the service reads), within a
//! timeout, and exits 0 (healthy) or 1 (unhealthy) with one line saying why.

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

/// Probes a URL or MongoDB once and exits 0 when healthy, 1 when not.
#[derive(Debug, Parser)]
#[command(name = "healthcheck", version, about)]
pub struct HealthcheckCli {
    /// The URL to GET, e.g. http://127.0.0.1:8080/health.
    #[arg(required_unless_present = "mongo", conflicts_with = "mongo")]
    pub url: Option<String>,
    /// Ping MongoDB (MONGO_URI, MONGO_DB, MONGO_USER, MONGO_PASSWORD)
    /// instead of a URL.
    #[arg(long)]
    pub mongo: bool,
    /// Seconds before the probe counts as failed.
    #[arg(long, default_value_t = 5)]
    pub timeout: u64,
}

/// Why a probe found the target unhealthy. Messages name the URL (without
/// any credentials in it) or the variable, never a secret.
#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    /// The URL does not parse or is not http(s).
    #[error("{0:?} is not an http:// or https:// URL")]
    BadUrl(String),
    /// No answer within the timeout.
    #[error("{url} did not answer within {seconds} s")]
    Timeout {
        /// The probed URL.
        url: String,
        /// The timeout.
        seconds: u64,
    },
    /// The connection failed.
    #[error("{url} is unreachable: {reason}")]
    Unreachable {
        /// The probed URL.
        url: String,
        /// What failed, as the HTTP client reports it.
        reason: String,
    },
    /// An answer other than 2xx.
    #[error("{url} answered {status}")]
    Status {
        /// The probed URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// MongoDB settings missing or unreachable.
    #[error("mongodb: {0}")]
    Mongo(String),
}

/// GETs `url` once; healthy on 2xx.
///
/// # Errors
/// [`HealthError`] naming the URL and what went wrong.
pub async fn probe_url(url: &str, timeout: Duration) -> Result<u16, HealthError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| HealthError::BadUrl(url.to_owned()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(HealthError::BadUrl(url.to_owned()));
    }
    let shown = shown_url(&parsed);
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .map_err(|e| HealthError::Unreachable {
            url: shown.clone(),
            reason: e.to_string(),
        })?;
    let answer = client.get(parsed).send().await.map_err(|e| {
        // The client's message repeats the URL, query and all.
        let e = e.without_url();
        if e.is_timeout() {
            HealthError::Timeout {
                url: shown.clone(),
                seconds: timeout.as_secs(),
            }
        } else {
            HealthError::Unreachable {
                url: shown.clone(),
                reason: error_chain(&e),
            }
        }
    })?;
    let status = answer.status().as_u16();
    if answer.status().is_success() {
        Ok(status)
    } else {
        Err(HealthError::Status { url: shown, status })
    }
}

/// Pings the MongoDB the environment configures, as the services connect.
///
/// # Errors
/// [`HealthError::Mongo`] when a setting is missing or malformed or the
/// server does not answer within `timeout`.
pub async fn probe_mongo(timeout: Duration) -> Result<(), HealthError> {
    let mut config =
        settings::mongo_from_env().map_err(|e| HealthError::Mongo(format!("{e:#}")))?;
    config.server_selection_timeout = timeout;
    config.connect_timeout = timeout;
    let ping = store::Store::connect(&config);
    match tokio::time::timeout(timeout, ping).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(HealthError::Mongo(error.to_string())),
        Err(_) => Err(HealthError::Mongo(format!(
            "no answer within {} s",
            timeout.as_secs()
        ))),
    }
}

/// The applet's entry point.
pub async fn main(args: Vec<OsString>) -> ExitCode {
    let cli = match HealthcheckCli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => return crate::dispatch::clap_exit(&error),
    };
    let timeout = Duration::from_secs(cli.timeout.max(1));
    let outcome = match &cli.url {
        Some(url) if !cli.mongo => probe_url(url, timeout)
            .await
            .map(|status| format!("healthy: {status}")),
        _ => probe_mongo(timeout)
            .await
            .map(|()| "healthy: mongodb answers".to_owned()),
    };
    match outcome {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("unhealthy: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The URL without user name, password or query (which may carry tokens).
fn shown_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    // Both only fail for URLs that cannot have credentials at all.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.to_string()
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
