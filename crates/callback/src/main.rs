//! The `callback` binary: reads its configuration, then serves bunq's
//! callbacks until SIGTERM or Ctrl-C.

use callback::CallbackConfig;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    runtime::telemetry::init()?;
    let config = match CallbackConfig::from_env() {
        Ok(config) => config,
        Err(error) => {
            // One clear line naming the variable, then a failing exit.
            tracing::error!(error = format!("{error:#}"), "invalid configuration");
            eprintln!("callback: {error:#}");
            std::process::exit(2);
        }
    };
    callback::run(config, runtime::shutdown::signal()).await
}
