//! The compose project under test: images made on this machine, a unique
//! project and network name, `up`, container lookups, and `down -v` when
//! dropped (with the last log lines when the test failed).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The application image the stack test runs.
pub const APP_IMAGE: &str = "bunq-ynab-connect:stack-test";

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs a script of `scripts/images` and fails loudly when it does.
fn image_script(name: &str, args: &[&str], image: &str) {
    let script = root().join("scripts/images").join(name);
    let output = Command::new(&script)
        .args(args)
        .env("IMAGE", image)
        .output()
        .unwrap_or_else(|e| panic!("could not run {}: {e}", script.display()));
    assert!(
        output.status.success(),
        "{} failed (Docker engine running? root for debootstrap?): {}{}",
        script.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Makes the MongoDB-compatible image (once; cached by tag) and the
/// application image from the binary `cargo test` built.
pub fn ensure_images() {
    static MADE: OnceLock<()> = OnceLock::new();
    MADE.get_or_init(|| {
        image_script("mongo", &[], "bunqynab-test/mongo:local");
        let binary = env!("CARGO_BIN_EXE_bunq-ynab-connect");
        image_script("runtime", &["--binary", binary], APP_IMAGE);
    });
}

/// `docker-compose` (v1) when installed, else `docker compose` (v2).
fn compose_program() -> Vec<String> {
    let v1 = Command::new("docker-compose").arg("version").output();
    if v1.is_ok_and(|o| o.status.success()) {
        vec!["docker-compose".into()]
    } else {
        vec!["docker".into(), "compose".into()]
    }
}

/// A running compose project, brought down with its volumes on drop.
pub struct Stack {
    /// The unique project (and network) name.
    pub project: String,
    env: Vec<(String, String)>,
    program: Vec<String>,
}

impl Stack {
    /// The project's command line with `args` appended.
    fn command(&self, args: &[&str]) -> Command {
        let root = root();
        let mut command = Command::new(&self.program[0]);
        command
            .args(&self.program[1..])
            .args(["--profile", "sandbox", "-p", &self.project])
            .arg("-f")
            .arg(root.join("docker/development.yml"))
            .arg("-f")
            .arg(root.join("docker/test/stack.yml"))
            .args(args)
            .current_dir(root.join("docker"))
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        command
    }

    /// Runs a compose command and returns its output, failing on error.
    pub fn compose(&self, args: &[&str]) -> Output {
        let output = self
            .command(args)
            .output()
            .unwrap_or_else(|e| panic!("could not run compose: {e}"));
        assert!(
            output.status.success(),
            "compose {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// Starts the whole stack (`up -d`, which waits for the health and
    /// completion conditions of `depends_on`).
    pub fn up(env: Vec<(String, String)>) -> Stack {
        ensure_images();
        let project = format!(
            "bynstack{}",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let mut env = env;
        env.push(("IMAGE".into(), APP_IMAGE.into()));
        env.push(("NETWORK_NAME".into(), project.clone()));
        for port in [
            "MONGO_EXPRESS_HOST_PORT",
            "MODEL_SERVER_HOST_PORT",
            "DASHBOARD_HOST_PORT",
            "SANDBOX_BUNQ_HOST_PORT",
            "SANDBOX_YNAB_HOST_PORT",
        ] {
            // Empty: Docker picks a free host port.
            env.push((port.into(), String::new()));
        }
        env.push(("DOCKER_GID".into(), docker_gid()));
        let stack = Stack {
            project,
            env,
            program: compose_program(),
        };
        stack.compose(&["up", "-d", "--no-build"]);
        stack
    }

    /// The id of a service's container.
    pub fn container(&self, service: &str) -> String {
        let output = self.compose(&["ps", "-a", "-q", service]);
        let id = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        assert!(!id.is_empty(), "service {service} has no container");
        id
    }

    /// `127.0.0.1:PORT` where a service's container port is published.
    pub fn published(&self, service: &str, port: u16) -> String {
        let output = self.compose(&["port", service, &port.to_string()]);
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// Waits until `check` holds for a container's inspect value.
    pub fn wait_for(
        &self,
        service: &str,
        format: &str,
        check: impl Fn(&str) -> bool,
        within: Duration,
    ) {
        let id = self.container(service);
        let deadline = Instant::now() + within;
        let mut last = String::new();
        while Instant::now() < deadline {
            last = inspect(&id, format);
            if check(&last) {
                return;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        panic!("{service}: {format} is still {last:?} after {within:?}");
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Ok(logs) = self
                .command(&["logs", "--no-color", "--tail", "40"])
                .output()
        {
            eprintln!("{}", String::from_utf8_lossy(&logs.stdout));
        }
        // Best effort: a failed `down` must not hide the test's own error.
        let down = self
            .command(&["down", "-v", "--remove-orphans", "--timeout", "10"])
            .output();
        if let Ok(output) = down
            && !output.status.success()
        {
            eprintln!(
                "compose down failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}

/// One `docker inspect --format` value of a container.
pub fn inspect(id: &str, format: &str) -> String {
    let output = Command::new("docker")
        .args(["inspect", "--format", format, id])
        .output()
        .unwrap_or_else(|e| panic!("could not run docker inspect: {e}"));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// The group of the Docker socket, for the restarter's `group_add`.
fn docker_gid() -> String {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/var/run/docker.sock")
        .map(|m| m.gid().to_string())
        .unwrap_or_else(|_| "0".into())
}

/// Kills a container's main process from the host, as a crash would (a
/// `docker kill` counts as a manual stop, which restart policies respect).
pub fn crash(id: &str) {
    let pid = inspect(id, "{{.State.Pid}}");
    let killed = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .args(["-KILL", &pid])
            .status()
            .is_ok_and(|s| s.success())
    };
    // The process belongs to root: as another user (a CI runner in the
    // docker group), through password-less sudo.
    assert!(
        killed("kill", &[]) || killed("sudo", &["-n", "kill"]),
        "kill -KILL {pid} failed"
    );
}
