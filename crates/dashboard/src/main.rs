//! `dashboard`: the operations dashboard on port 12002. Configuration comes
//! from the environment (see the crate README); it runs until SIGTERM.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    if let Err(error) = runtime::telemetry::init() {
        eprintln!("dashboard: {error:#}");
        return std::process::ExitCode::FAILURE;
    }
    let result = match dashboard::DashboardConfig::from_env() {
        Ok(config) => dashboard::run(config).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "dashboard stopped");
            eprintln!("dashboard: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
