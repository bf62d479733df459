//! Test set-up: the local test image, a Docker client that fails loudly
//! when the engine is unreachable, throw-away containers, and a restarter
//! running in the background under a unique label prefix.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use bollard::Docker;
use bollard::models::{
    ContainerCreateBody, HealthConfig, HostConfig, RestartPolicy, RestartPolicyNameEnum,
};
use bollard::query_parameters::{
    CreateContainerOptions, InspectContainerOptions, StopContainerOptions,
};
use mongodb::bson::{Document, doc};
use restarter::RestarterConfig;
use restarter::config::DockerConfig;
use restarter::labels::Labels;
use test_support::TestDb;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The image every test container runs, made by `scripts/images/busybox`.
pub const IMAGE: &str = "bunqynab-test/busybox:local";

/// Makes the test image once per test binary (the script itself skips
/// when the image exists).
pub fn ensure_image() {
    static MADE: OnceLock<()> = OnceLock::new();
    MADE.get_or_init(|| {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/images/busybox");
        let output = std::process::Command::new(&script)
            .env("IMAGE", IMAGE)
            .output()
            .unwrap_or_else(|e| panic!("could not run {}: {e}", script.display()));
        assert!(
            output.status.success(),
            "{} failed (is the Docker engine running and apt usable?): {}",
            script.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    });
}

/// A client on the local engine.
///
/// # Panics
/// When the engine is unreachable: these tests need a real one.
pub async fn docker() -> Docker {
    ensure_image();
    restarter::docker::connect(&DockerConfig::local())
        .await
        .unwrap_or_else(|e| {
            panic!("these tests need the Docker engine at /var/run/docker.sock: {e}")
        })
}

/// A fresh label prefix, so that tests running in parallel never see each
/// other's containers.
pub fn unique_prefix() -> String {
    format!(
        "bunqynab-test-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// A restarter configuration for tests: quick polls and restarts.
pub fn config(prefix: &str, db: &TestDb) -> RestarterConfig {
    let mut mongo = store::MongoConfig::new(db.uri());
    mongo.database = db.name().to_owned();
    mongo.server_selection_timeout = Duration::from_secs(3);
    RestarterConfig {
        docker: DockerConfig::local(),
        mongo: Some(mongo),
        timezone: chrono_tz::Europe::Amsterdam,
        labels: Labels::new(prefix).expect("valid prefix"),
        poll_interval: Duration::from_secs(1),
        min_interval: Duration::from_secs(1),
        stop_timeout: Duration::from_secs(1),
    }
}

/// A container that is force-removed when dropped.
pub struct TestContainer {
    pub docker: Docker,
    pub name: String,
}

impl TestContainer {
    /// Creates and starts a sleeping busybox container with `labels`;
    /// with `unhealthy`, its healthcheck (`CMD false`, every second)
    /// turns it unhealthy within about two seconds.
    pub async fn start(
        docker: &Docker,
        prefix: &str,
        role: &str,
        labels: &[(String, String)],
        unhealthy: bool,
    ) -> Self {
        let healthcheck = unhealthy.then(|| HealthConfig {
            test: Some(vec!["CMD".to_owned(), "false".to_owned()]),
            interval: Some(1_000_000_000),
            timeout: Some(1_000_000_000),
            retries: Some(1),
            ..Default::default()
        });
        let body = ContainerCreateBody {
            cmd: Some(vec!["sleep".to_owned(), "3600".to_owned()]),
            healthcheck,
            // An init process makes the sleeping container stop at once on
            // SIGTERM, so restarts take milliseconds.
            host_config: Some(HostConfig {
                init: Some(true),
                ..Default::default()
            }),
            ..Default::default()
        };
        Self::create(docker, prefix, role, labels, body).await
    }

    /// Creates and starts a container with `labels` that exits with an
    /// error 0.3 s after every start, under the restart policy `always`,
    /// with a healthcheck that passes: Docker keeps restarting it, with a
    /// delay that doubles from 100 ms, and while it waits the container's
    /// state is `restarting` and its health `unhealthy`.
    pub async fn crash_looping(
        docker: &Docker,
        prefix: &str,
        role: &str,
        labels: &[(String, String)],
    ) -> Self {
        let body = ContainerCreateBody {
            cmd: ["sh", "-c", "sleep 0.3; exit 1"]
                .map(str::to_owned)
                .to_vec()
                .into(),
            healthcheck: Some(HealthConfig {
                test: Some(vec!["CMD".to_owned(), "true".to_owned()]),
                interval: Some(1_000_000_000),
                timeout: Some(1_000_000_000),
                retries: Some(1),
                ..Default::default()
            }),
            host_config: Some(HostConfig {
                restart_policy: Some(RestartPolicy {
                    name: Some(RestartPolicyNameEnum::ALWAYS),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        Self::create(docker, prefix, role, labels, body).await
    }

    /// Creates `{prefix}-{role}` from `body` with the test image and
    /// `labels`, and starts it.
    async fn create(
        docker: &Docker,
        prefix: &str,
        role: &str,
        labels: &[(String, String)],
        body: ContainerCreateBody,
    ) -> Self {
        let name = format!("{prefix}-{role}");
        let container = Self {
            docker: docker.clone(),
            name: name.clone(),
        };
        let body = ContainerCreateBody {
            image: Some(IMAGE.to_owned()),
            labels: Some(labels.iter().cloned().collect::<HashMap<_, _>>()),
            ..body
        };
        let options = CreateContainerOptions {
            name: Some(name.clone()),
            ..Default::default()
        };
        docker
            .create_container(Some(options), body)
            .await
            .expect("create the test container");
        docker
            .start_container(&name, None)
            .await
            .expect("start the test container");
        container
    }

    /// Docker's state (`running`, `restarting`, ...) and restart count.
    pub async fn status_and_restarts(&self) -> (String, i64) {
        let inspected = self
            .docker
            .inspect_container(&self.name, None::<InspectContainerOptions>)
            .await
            .expect("inspect the test container");
        let status = inspected
            .state
            .and_then(|state| state.status)
            .map(|status| status.to_string())
            .unwrap_or_default();
        (status, inspected.restart_count.unwrap_or_default())
    }

    /// `State.StartedAt`, which changes on every restart.
    pub async fn started_at(&self) -> String {
        self.state().await.started_at.expect("a start time")
    }

    /// Whether Docker says it runs.
    pub async fn running(&self) -> bool {
        self.state().await.running.unwrap_or(false)
    }

    /// Docker's health status, `""` without one.
    pub async fn health(&self) -> String {
        self.state()
            .await
            .health
            .and_then(|h| h.status)
            .map(|s| s.to_string())
            .unwrap_or_default()
    }

    /// Stops it (a deliberate stop the restarter must respect).
    pub async fn stop(&self) {
        let options = StopContainerOptions {
            t: Some(1),
            ..Default::default()
        };
        self.docker
            .stop_container(&self.name, Some(options))
            .await
            .expect("stop the test container");
    }

    async fn state(&self) -> bollard::models::ContainerState {
        let inspected = self
            .docker
            .inspect_container(&self.name, None::<InspectContainerOptions>)
            .await;
        inspected
            .expect("inspect the test container")
            .state
            .expect("a state")
    }
}

impl Drop for TestContainer {
    fn drop(&mut self) {
        // Synchronous on purpose: it must also run when a test panics.
        let _ = std::process::Command::new("docker")
            .args(["rm", "-f", &self.name])
            .output();
    }
}

/// The schedule label under `prefix`.
pub fn schedule_label(prefix: &str, cron: &str) -> (String, String) {
    (format!("{prefix}.restart.schedule"), cron.to_owned())
}

/// The autoheal label under `prefix`.
pub fn autoheal_label(prefix: &str) -> (String, String) {
    (format!("{prefix}.autoheal"), "true".to_owned())
}

/// `restarter serve` running in the background until stopped.
pub struct Running {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Starts serving with `config`.
    pub fn start(config: RestarterConfig) -> Self {
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(restarter::serve(config, async move {
            let _ = stopped.await;
        }));
        Self {
            stop: Some(stop),
            task,
        }
    }

    /// Stops it and checks that it ended cleanly.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let ended = tokio::time::timeout(Duration::from_secs(30), &mut self.task).await;
        ended
            .expect("serve stops on shutdown")
            .expect("serve did not panic")
            .expect("serve ended cleanly");
    }
}

/// Polls `check` every 200 ms until it holds or `within` passes.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until the container's start time differs from `before`.
pub async fn restarted(container: &TestContainer, before: &str, within: Duration) -> bool {
    eventually(within, || async { container.started_at().await != before }).await
}

/// The finished `restart` runs recorded for a container, oldest first.
pub async fn finished_runs(db: &TestDb, name: &str) -> Vec<Document> {
    use futures::TryStreamExt;
    let filter = doc! {
        "job": "restart",
        "run_id": { "$regex": format!("^restart:{name}:") },
        "ended_at": { "$ne": null },
    };
    let runs = db.database().collection::<Document>("runs");
    let cursor = runs
        .find(filter)
        .sort(doc! { "started_at": 1 })
        .await
        .expect("query runs");
    cursor.try_collect().await.expect("read runs")
}

/// Waits for at least one finished run of the container and returns them.
pub async fn wait_for_runs(db: &TestDb, name: &str) -> Vec<Document> {
    eventually(Duration::from_secs(15), || async {
        !finished_runs(db, name).await.is_empty()
    })
    .await;
    finished_runs(db, name).await
}
