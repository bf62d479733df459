//! `bunq-ynab-connect`: runs the service named by the link it was called
//! through, or by its first argument. See the `suite` crate.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    suite::run(std::env::args_os().collect()).await
}
