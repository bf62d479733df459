//! No log line of a full run, at the most verbose level, contains a secret:
//! the bunq API key, the private key, the installation or session token, or
//! the YNAB token. Runs the real `ingest` binary and captures its output.

use mongodb::bson::doc;
use test_support::{BUNQ_API_KEY, YNAB_TOKEN};
use tokio::process::Command;

use crate::helpers::{TestApp, small_household};

#[tokio::test]
async fn no_log_line_of_a_full_run_contains_a_secret() {
    let app = TestApp::with(small_household()).await;
    let binary = env!("CARGO_BIN_EXE_ingest");
    let env = [
        ("MONGO_URI", app.db.uri().to_owned()),
        ("MONGO_DB", app.db.name().to_owned()),
        ("BUNQ_ENVIRONMENT", "SANDBOX".to_owned()),
        ("BUNQ_API_URL", app.sandbox.bunq_url()),
        ("YNAB_API_URL", app.sandbox.ynab_url()),
        ("YNAB_TOKEN", YNAB_TOKEN.to_owned()),
        ("RUST_LOG", "trace".to_owned()),
        ("LOG_FORMAT", "json".to_owned()),
    ];

    let mut output = String::new();
    for args in [
        vec!["exchange-pat", "--description", "log-test"],
        vec!["run"],
    ] {
        let run = Command::new(binary)
            .args(&args)
            .envs(env.iter().cloned())
            .env("BUNQ_API_KEY", BUNQ_API_KEY)
            .output()
            .await
            .expect("ingest runs");
        output.push_str(&String::from_utf8_lossy(&run.stdout));
        output.push_str(&String::from_utf8_lossy(&run.stderr));
        assert!(run.status.success(), "ingest {args:?} failed:\n{output}");
    }

    let context = app
        .collection("bunq_context")
        .find_one(doc! {})
        .await
        .expect("query")
        .expect("the exchange stored a context");
    let mut secrets = vec![BUNQ_API_KEY.to_owned(), YNAB_TOKEN.to_owned()];
    collect_strings(&context, &mut secrets);
    assert!(output.lines().count() > 20, "trace logging produced output");
    for secret in secrets.iter().filter(|s| s.len() >= 12) {
        for piece in secret
            .lines()
            .filter(|l| l.len() >= 12 && !l.starts_with("-----"))
        {
            assert!(
                !output.contains(piece),
                "a secret leaked into the logs: {}…",
                &piece[..6]
            );
        }
    }
}

/// Every string value of the stored context whose field names a secret.
fn collect_strings(document: &mongodb::bson::Document, out: &mut Vec<String>) {
    for (key, value) in document {
        let secret = ["key", "token", "secret"]
            .iter()
            .any(|s| key.to_lowercase().contains(s));
        match value {
            mongodb::bson::Bson::String(s) if secret && !key.contains("public") => {
                out.push(s.clone())
            }
            mongodb::bson::Bson::Document(inner) => collect_strings(inner, out),
            _ => {}
        }
    }
}
