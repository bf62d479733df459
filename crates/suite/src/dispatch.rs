//! Which applet an invocation means, and running it: the name the binary
//! was called by (a symbolic link such as `/usr/local/bin/ingest`), or
//! else its first argument (`bunq-ynab-connect ingest serve`).

use std::ffi::OsString;
use std::future::Future;
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use crate::applet::Applet;

/// The binary's own name, when it is not called through an applet link.
pub const BINARY: &str = "bunq-ynab-connect";

/// Why no applet could be chosen.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DispatchError {
    /// Called by its own name with no applet argument.
    #[error("no applet given: call {BINARY} as one of {list}", list = applet_list())]
    Missing,
    /// The name or first argument is not an applet.
    #[error("unknown applet {0:?}: expected one of {list}", list = applet_list())]
    Unknown(String),
}

fn applet_list() -> String {
    Applet::ALL.map(Applet::name).join(", ")
}

/// An applet and its arguments, the first being the applet's name (so that
/// each service's help and errors show its own name).
#[derive(Debug, PartialEq, Eq)]
pub struct Invocation {
    /// What runs.
    pub applet: Applet,
    /// Its command line, starting with its name.
    pub args: Vec<OsString>,
}

/// Chooses the applet for a command line (`args[0]` is the program).
///
/// # Errors
/// [`DispatchError`] when neither the program name nor the first argument
/// names an applet.
pub fn resolve(args: Vec<OsString>) -> Result<Invocation, DispatchError> {
    let mut args = args.into_iter();
    let program = args.next().unwrap_or_default();
    let called_as = Path::new(&program)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(applet) = Applet::from_name(&called_as) {
        return Ok(invocation(applet, args));
    }
    let first = args.next().ok_or(DispatchError::Missing)?;
    let first = first.to_string_lossy().into_owned();
    match Applet::from_name(&first) {
        Some(applet) => Ok(invocation(applet, args)),
        None if matches!(first.as_str(), "-h" | "--help" | "help") => Err(DispatchError::Missing),
        None => Err(DispatchError::Unknown(first)),
    }
}

fn invocation(applet: Applet, rest: impl Iterator<Item = OsString>) -> Invocation {
    let args = std::iter::once(OsString::from(applet.name()))
        .chain(rest)
        .collect();
    Invocation { applet, args }
}

/// Runs the applet of a command line to completion.
pub async fn run(args: Vec<OsString>) -> ExitCode {
    let invocation = match resolve(args) {
        Ok(invocation) => invocation,
        Err(error) => {
            eprintln!("{BINARY}: {error}");
            return ExitCode::from(2);
        }
    };
    let args = invocation.args;
    match invocation.applet {
        Applet::Ingest => Box::pin(service("ingest", args, ingest::cli::execute)).await,
        Applet::SyncWorker => {
            Box::pin(service("sync-worker", args, sync_worker::cli::execute)).await
        }
        Applet::Trainer => Box::pin(service("trainer", args, trainer::cli::execute)).await,
        Applet::Restarter => Box::pin(service("restarter", args, restarter::cli::execute)).await,
        Applet::ModelServer => {
            Box::pin(service("model-server", args, crate::servers::model_server)).await
        }
        Applet::Dashboard => Box::pin(service("dashboard", args, crate::servers::dashboard)).await,
        Applet::Callback => Box::pin(service("callback", args, crate::servers::callback)).await,
        Applet::Sandbox => Box::pin(service("sandbox", args, sandbox::cli::execute)).await,
        Applet::Healthcheck => crate::healthcheck::main(args).await,
    }
}

/// Parses a service's command line, sets up logging and runs it, as each
/// service's own `main` does.
async fn service<C, F, Fut>(name: &str, args: Vec<OsString>, execute: F) -> ExitCode
where
    C: Parser,
    F: FnOnce(C) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let cli = match C::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => return clap_exit(&error),
    };
    if let Err(error) = runtime::telemetry::init() {
        eprintln!("{name}: {error:#}");
        return ExitCode::FAILURE;
    }
    match execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "{name} stopped");
            eprintln!("{name}: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Prints a clap outcome (help, version or a usage error) and gives the
/// exit code clap would: 0 for help and version, 2 for usage errors.
pub(crate) fn clap_exit(error: &clap::Error) -> ExitCode {
    // Printing to a closed terminal is not worth a second error.
    let _ = error.print();
    if error.use_stderr() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn a_link_name_chooses_the_applet_and_keeps_every_argument() {
        let invocation = resolve(args(&["/usr/local/bin/sync-worker", "sync-payment", "7"]));
        assert_eq!(
            invocation,
            Ok(Invocation {
                applet: Applet::SyncWorker,
                args: args(&["sync-worker", "sync-payment", "7"]),
            })
        );
    }

    #[test]
    fn the_first_argument_chooses_the_applet_when_called_by_the_binary_name() {
        let invocation = resolve(args(&["/usr/local/bin/bunq-ynab-connect", "ingest", "run"]));
        assert_eq!(
            invocation,
            Ok(Invocation {
                applet: Applet::Ingest,
                args: args(&["ingest", "run"]),
            })
        );
    }

    #[test]
    fn an_unknown_applet_is_named_in_the_error() {
        let error = resolve(args(&["bunq-ynab-connect", "mlserver"])).unwrap_err();
        assert_eq!(error, DispatchError::Unknown("mlserver".into()));
        assert!(error.to_string().contains("\"mlserver\""));
        assert!(error.to_string().contains("sync-worker"));
    }

    #[test]
    fn no_applet_or_a_help_flag_asks_for_one() {
        assert_eq!(
            resolve(args(&["bunq-ynab-connect"])),
            Err(DispatchError::Missing)
        );
        assert_eq!(
            resolve(args(&["bunq-ynab-connect", "--help"])),
            Err(DispatchError::Missing)
        );
        assert_eq!(resolve(Vec::new()), Err(DispatchError::Missing));
    }
}
