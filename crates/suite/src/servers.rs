//! Command lines for the services that take no arguments (all their
//! settings come from the environment): `model-server`, `dashboard` and
//! `callback`.
//! They accept `--help` and `--version` like every applet.

use clap::Parser;

/// Serves the promoted category models over the Open Inference Protocol
/// (V2 REST). Settings: MONGO_*, MODEL_SERVER_PORT (default 8080),
/// MODEL_SERVER_POLL_SECS, MODEL_SERVER_MAX_BODY_BYTES.
#[derive(Debug, Parser)]
#[command(name = "model-server", version, about)]
pub struct ModelServerCli {}

/// Runs the model server until SIGTERM or Ctrl-C.
///
/// # Errors
/// Configuration, bind and serve errors.
pub async fn model_server(_: ModelServerCli) -> anyhow::Result<()> {
    model_server::run(model_server::ServerConfig::from_env()?).await
}

/// The operations dashboard: run history, queue, links, models and manual
/// runs behind DASHBOARD_PASSWORD, on DASHBOARD_PORT (default 12002).
#[derive(Debug, Parser)]
#[command(name = "dashboard", version, about)]
pub struct DashboardCli {}

/// Runs the dashboard until SIGTERM or Ctrl-C.
///
/// # Errors
/// Configuration, bind and serve errors.
pub async fn dashboard(_: DashboardCli) -> anyhow::Result<()> {
    dashboard::run(dashboard::DashboardConfig::from_env()?).await
}

/// Receives bunq's payment callbacks (behind Traefik) and syncs each
/// payment at once. Settings: BUNQ_CALLBACK_HOST, CALLBACK_PORT (default
/// 8000), CALLBACK_ALLOWED_NETWORKS, CALLBACK_TRUSTED_PROXIES, and those of
/// the sync worker.
#[derive(Debug, Parser)]
#[command(name = "callback", version, about)]
pub struct CallbackCli {}

/// Runs the callback service until SIGTERM or Ctrl-C.
///
/// # Errors
/// Configuration, registration, bind and serve errors.
pub async fn callback(_: CallbackCli) -> anyhow::Result<()> {
    let config = callback::CallbackConfig::from_env()?;
    callback::run(config, runtime::shutdown::signal()).await
}
