//! A missing or forbidden Docker socket stops the binary with one clear
//! line on standard error.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `restarter check` against `docker_host`; with `as_nobody`, as
/// user 65534 through `setpriv` (util-linux), since root may connect to
/// any socket.
fn restarter_check(binary: &Path, docker_host: &str, as_nobody: bool) -> Output {
    let mut command = if as_nobody {
        let mut setpriv = Command::new("setpriv");
        setpriv
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(binary);
        setpriv
    } else {
        Command::new(binary)
    };
    command
        .arg("check")
        .env("DOCKER_HOST", docker_host)
        .env_remove("MONGO_URI")
        .output()
        .expect("run the restarter binary")
}

/// The plain error line a person reads (the JSON log line beside it is for
/// log shippers).
fn error_line(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("restarter: "))
        .collect();
    assert_eq!(lines.len(), 1, "one plain error line expected in: {stderr}");
    lines[0].to_owned()
}

#[test]
fn a_missing_socket_stops_the_binary_with_one_clear_line() {
    let path = format!("/tmp/{}/docker.sock", uuid::Uuid::new_v4().simple());
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_restarter"));

    let output = restarter_check(&binary, &format!("unix://{path}"), false);

    let stderr = error_line(&output);
    assert!(!output.status.success());
    assert!(
        stderr.contains(&format!("the Docker socket {path} does not exist")),
        "{stderr}"
    );
    assert!(stderr.contains("DOCKER_HOST"), "{stderr}");
}

#[test]
fn a_forbidden_socket_names_the_group_to_add() {
    // A copy the unprivileged user can reach, whatever the target dir's
    // permissions.
    let dir = std::env::temp_dir().join(format!("restarter-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let binary = dir.join("restarter");
    std::fs::copy(env!("CARGO_BIN_EXE_restarter"), &binary).expect("copy the binary");
    for path in [&dir, &binary] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let socket = "/var/run/docker.sock";
    let gid = std::fs::metadata(socket).expect("the Docker socket").gid();

    let output = restarter_check(&binary, &format!("unix://{socket}"), true);
    let _ = std::fs::remove_dir_all(&dir);

    let stderr = error_line(&output);
    assert!(!output.status.success());
    assert!(
        stderr.contains(&format!("permission denied on the Docker socket {socket}")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("group_add: [\"{gid}\"]")),
        "{stderr}"
    );
}
