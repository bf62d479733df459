//! A missing or malformed setting stops `ingest` at start with one clear
//! line naming the variable.

use tokio::process::Command;

async fn start_with(env: &[(&str, &str)]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ingest"))
        .arg("run")
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .await
        .expect("ingest starts");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const VALID: [(&str, &str); 4] = [
    ("MONGO_URI", "mongodb://127.0.0.1:1"),
    ("BUNQ_ENVIRONMENT", "SANDBOX"),
    ("YNAB_TOKEN", "token"),
    ("LOG_FORMAT", "json"),
];

fn without(name: &str) -> Vec<(&'static str, &'static str)> {
    VALID
        .iter()
        .copied()
        .filter(|(key, _)| *key != name)
        .collect()
}

fn with(name: &'static str, value: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut env = without(name);
    env.push((name, value));
    env
}

#[tokio::test]
async fn each_missing_or_malformed_setting_is_named_in_one_line() {
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (without("BUNQ_ENVIRONMENT"), "BUNQ_ENVIRONMENT is not set"),
        (
            with("BUNQ_ENVIRONMENT", "prod"),
            "BUNQ_ENVIRONMENT is invalid",
        ),
        (without("YNAB_TOKEN"), "YNAB_TOKEN is not set"),
        (without("MONGO_URI"), "MONGO_URI is not set"),
        (with("MONGO_URI", "localhost:27017"), "MONGO_URI is invalid"),
        (with("TIMEZONE", "Mars/Olympus"), "TIMEZONE is invalid"),
        (
            with("INGEST_SCHEDULE", "every hour"),
            "INGEST_SCHEDULE is invalid",
        ),
        (
            with("BUNQ_API_URL", "ftp://example.com"),
            "BUNQ_API_URL is invalid",
        ),
        (with("LOG_FORMAT", "xml"), "LOG_FORMAT must be"),
        (
            with("YNAB_HISTORY_SINCE", "yesterday"),
            "YNAB_HISTORY_SINCE is invalid",
        ),
    ];

    for (env, expected) in cases {
        let (succeeded, stderr) = start_with(&env).await;

        assert!(!succeeded, "started despite {expected}");
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("ingest:"))
            .collect();
        assert_eq!(lines.len(), 1, "{stderr}");
        assert!(
            lines[0].contains(expected),
            "expected {expected:?} in {stderr}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_database_is_a_clear_start_up_error() {
    let (succeeded, stderr) = start_with(&VALID).await;

    assert!(!succeeded);
    assert!(stderr.contains("could not connect to MongoDB"), "{stderr}");
    assert!(stderr.contains("127.0.0.1:1"), "{stderr}");
}
