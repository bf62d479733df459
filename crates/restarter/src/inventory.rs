//! Finding the containers the restarter manages: those carrying its
//! schedule label or its autoheal label, asked of Docker by label so that
//! nothing else is ever looked at.

use std::collections::{BTreeMap, HashMap};

use bollard::Docker;
use bollard::query_parameters::ListContainersOptions;
use chrono_tz::Tz;

use crate::docker::{DockerError, display_name};
use crate::labels::{Labels, Policy};

/// One container that opted in.
#[derive(Clone, Debug)]
pub struct Managed {
    /// The full container id.
    pub id: String,
    /// The container's name.
    pub name: String,
    /// Docker's state (`running`, `exited`, ...).
    pub state: String,
    /// What its labels ask for.
    pub policy: Policy,
}

/// Which containers to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Only running ones: a stopped container was stopped on purpose and
    /// stays stopped.
    Running,
    /// Stopped ones too (for `check`).
    All,
}

/// The containers carrying either label, sorted by name.
///
/// # Errors
/// [`DockerError::List`] when the engine does not answer.
pub async fn managed(
    docker: &Docker,
    labels: &Labels,
    zone: Tz,
    scope: Scope,
) -> Result<Vec<Managed>, DockerError> {
    // Docker ANDs label filters, so each label is asked for separately.
    let mut found = BTreeMap::new();
    let wanted = [
        labels.schedule_key().to_owned(),
        format!("{}=true", labels.autoheal_key()),
    ];
    for label in wanted {
        let filters = HashMap::from([("label".to_owned(), vec![label])]);
        for container in list(docker, filters, scope == Scope::All).await? {
            let Some(id) = container.id.clone() else {
                continue;
            };
            let policy = labels.policy(&container.labels.clone().unwrap_or_default(), zone);
            let managed = Managed {
                name: display_name(container.names.as_ref(), &id),
                state: container.state.map(|s| s.to_string()).unwrap_or_default(),
                id,
                policy,
            };
            found.insert((managed.name.clone(), managed.id.clone()), managed);
        }
    }
    Ok(found.into_values().collect())
}

/// The running autoheal containers Docker reports unhealthy, as
/// `(id, name)`.
///
/// Only state `running` (Docker's `status` filter): while Docker
/// restarts a container that died (restart policy), its state is
/// `restarting` and its health reads `unhealthy`, and Docker's health
/// filter alone still lists it. Restarting it again would race Docker's
/// own restart.
///
/// # Errors
/// [`DockerError::List`] when the engine does not answer.
pub async fn unhealthy(
    docker: &Docker,
    labels: &Labels,
) -> Result<Vec<(String, String)>, DockerError> {
    let filters = HashMap::from([
        (
            "label".to_owned(),
            vec![format!("{}=true", labels.autoheal_key())],
        ),
        ("health".to_owned(), vec!["unhealthy".to_owned()]),
        ("status".to_owned(), vec!["running".to_owned()]),
    ]);
    let containers = list(docker, filters, false).await?;
    Ok(containers
        .into_iter()
        .filter_map(|c| {
            let id = c.id?;
            Some((id.clone(), display_name(c.names.as_ref(), &id)))
        })
        .collect())
}

async fn list(
    docker: &Docker,
    filters: HashMap<String, Vec<String>>,
    all: bool,
) -> Result<Vec<bollard::models::ContainerSummary>, DockerError> {
    let options = ListContainersOptions {
        all,
        filters: Some(filters),
        ..Default::default()
    };
    docker
        .list_containers(Some(options))
        .await
        .map_err(|source| DockerError::List { source })
}
