//! `model-server`: serves the promoted category models over the Open
//! Inference Protocol. Configuration comes from the environment (see
//! `.env.example`).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    if let Err(error) = runtime::telemetry::init() {
        eprintln!("model-server: {error:#}");
        return ExitCode::FAILURE;
    }
    let config = match model_server::ServerConfig::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("model-server: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    match model_server::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "model server stopped");
            eprintln!("model-server: {error:#}");
            ExitCode::FAILURE
        }
    }
}
