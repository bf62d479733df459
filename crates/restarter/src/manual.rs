//! `restarter restart-now NAME`: one restart by hand, of a labelled
//! container only, recorded as a manual run.

use anyhow::{Context, bail};
use bollard::query_parameters::InspectContainerOptions;
use domain::run::Trigger;

use crate::config::RestarterConfig;
use crate::docker::DockerError;
use crate::restart::{RestartOutcome, Restarter, Target};
use crate::runs::RunLog;

/// Restarts the container called `name` if it carries one of the labels.
///
/// # Errors
/// When the container does not exist, carries neither label, or Docker
/// fails the restart. A MongoDB failure is only logged.
pub async fn restart_now(config: &RestarterConfig, name: &str) -> anyhow::Result<()> {
    let mongo = config.require_mongo()?.clone();
    let docker = crate::docker::connect(&config.docker).await?;
    let inspected = docker
        .inspect_container(name, None::<InspectContainerOptions>)
        .await
        .map_err(|source| DockerError::Call {
            operation: "inspect",
            container: name.to_owned(),
            source,
        })?;
    let id = inspected
        .id
        .context("docker returned a container without an id")?;
    let labels = inspected.config.and_then(|c| c.labels).unwrap_or_default();
    if !config.labels.policy(&labels, config.timezone).is_managed() {
        bail!(
            "container {name} carries neither {} nor {}=true: the restarter leaves it alone",
            config.labels.schedule_key(),
            config.labels.autoheal_key()
        );
    }

    let runs = RunLog::new(Some(mongo)).with_observer(crate::ops::observer()?);
    let restarter = Restarter::new(docker, runs, config.min_interval, config.stop_timeout);
    let target = Target {
        id,
        name: name.trim_start_matches('/').to_owned(),
    };
    match restarter.restart(&target, Trigger::Manual).await {
        RestartOutcome::Restarted => Ok(()),
        RestartOutcome::Failed(error) => Err(error.into()),
        // Manual restarts are never debounced.
        RestartOutcome::Debounced { .. } => Ok(()),
    }
}
