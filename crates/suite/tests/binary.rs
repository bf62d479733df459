//! The built `bunq-ynab-connect` binary, called by a link name or with the
//! applet as its first argument, exactly as the image's links call it.

use std::path::PathBuf;
use std::process::{Command, Output};

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bunq-ynab-connect"))
}

/// Runs the binary through a symbolic link called `name`.
fn through_link(name: &str, args: &[&str]) -> Output {
    let dir = std::env::temp_dir().join(format!("suite-links-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let link = dir.join(name);
    std::os::unix::fs::symlink(binary(), &link).expect("a link");
    let output = Command::new(&link)
        .args(args)
        .output()
        .expect("the link runs");
    std::fs::remove_dir_all(&dir).expect("cleanup");
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_link_named_after_a_service_runs_that_service() {
    let output = through_link("ingest", &["--help"]);
    assert!(output.status.success());
    assert!(
        stdout(&output).contains("Usage: ingest"),
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).contains("exchange-pat"));
}

#[test]
fn every_applet_answers_its_help_through_the_binary_name() {
    for applet in suite::Applet::ALL {
        let output = Command::new(binary())
            .args([applet.name(), "--help"])
            .output()
            .expect("the binary runs");
        assert!(output.status.success(), "{applet}: {output:?}");
        assert!(
            stdout(&output).contains(&format!("Usage: {}", applet.name())),
            "{applet}: {}",
            stdout(&output)
        );
    }
}

#[test]
fn an_unknown_applet_exits_2_and_lists_the_known_ones() {
    let output = Command::new(binary())
        .arg("mlserver")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown applet \"mlserver\""), "{stderr}");
    assert!(stderr.contains("sync-worker"));
}

#[test]
fn a_service_with_missing_configuration_stops_with_one_line_naming_the_variable() {
    let output = Command::new(binary())
        .args(["sync-worker", "run"])
        .env_clear()
        .env("LOG_FORMAT", "pretty")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("sync-worker:"), "{stderr}");
    assert!(
        stderr.contains("START_SYNC_DATE") || stderr.contains("MONGO_URI"),
        "{stderr}"
    );
}

#[test]
fn the_healthcheck_link_exits_1_with_a_reason_when_nothing_answers() {
    let output = through_link(
        "healthcheck",
        &["http://127.0.0.1:9/health", "--timeout", "2"],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("unhealthy: http://127.0.0.1:9/health"),
        "{stderr}"
    );
}
