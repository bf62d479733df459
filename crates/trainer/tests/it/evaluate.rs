//! `export` and `evaluate`: a sandbox budget round-trips through the JSON
//! Lines file; bad files give clear errors that name the problem.

use std::path::PathBuf;

use trainer::LearningSettings;
use trainer::evaluate::evaluate_file;
use trainer::export::export;

use crate::helpers::TestApp;

fn settings() -> LearningSettings {
    LearningSettings {
        timezone: chrono_tz::Europe::Amsterdam,
        threshold: 0.6,
    }
}

/// A file of its own in the temporary directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn with(content: &str) -> Self {
        let path = std::env::temp_dir().join(format!("trainer-{}.jsonl", uuid::Uuid::new_v4()));
        std::fs::write(&path, content).expect("temporary file written");
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn error_of(content: &str) -> String {
    let file = TempFile::with(content);
    format!(
        "{:#}",
        evaluate_file(&file.0, &settings()).expect_err("the file is refused")
    )
}

#[test]
fn an_empty_file_is_a_clear_error() {
    let message = error_of("\n\n");

    assert!(message.contains("holds no labelled payments"), "{message}");
}

#[test]
fn a_malformed_line_is_named_with_its_number() {
    let good = r#"{"payment": {"amount": {"value": "-1.00", "currency": "EUR"}, "created": "2024-05-01 10:00:00.000000"}, "category": "Fun"}"#;

    let not_json = error_of(&format!("{good}\n{{not json\n"));
    let no_category = error_of(&format!("{good}\n{{\"payment\": {{}}}}\n"));
    let bad_amount = error_of(
        r#"{"payment": {"amount": "lots", "created": "2024-05-01 10:00:00.000000"}, "category": "Fun"}"#,
    );

    assert!(not_json.contains("line 2: not JSON"), "{not_json}");
    assert!(
        no_category.contains("line 2: \"category\" is missing"),
        "{no_category}"
    );
    assert!(
        bad_amount.contains("line 1: payment field amount is invalid"),
        "{bad_amount}"
    );
}

#[test]
fn a_missing_file_is_named() {
    let message = format!(
        "{:#}",
        evaluate_file(std::path::Path::new("/nonexistent/set.jsonl"), &settings())
            .expect_err("the file is refused")
    );

    assert!(
        message.contains("cannot read /nonexistent/set.jsonl"),
        "{message}"
    );
}

#[tokio::test]
async fn an_exported_budget_evaluates_with_model_and_baseline_metrics() {
    let app = TestApp::ingested().await;
    let budget = app.household_budget().id.clone();
    let file = TempFile::with("");

    let rows = export(&app.trainer, &budget, &file.0)
        .await
        .expect("exported");
    let report = evaluate_file(&file.0, &settings()).expect("evaluated");

    let lines = std::fs::read_to_string(&file.0).expect("readable");
    let first: serde_json::Value =
        serde_json::from_str(lines.lines().next().expect("a line")).expect("JSON");
    assert_eq!(lines.lines().count(), rows);
    assert!(
        first["payment"]["id"].is_i64()
            && first["category"].is_string()
            && first["category_group"].is_string()
    );
    assert_eq!(report["payments"], rows);
    assert_eq!(
        report["training_rows"],
        (rows as f64 * 0.8).round() as usize
    );
    for metric in [
        "accuracy",
        "macro_f1",
        "weighted_f1",
        "accuracy_at_threshold",
        "coverage_at_threshold",
    ] {
        assert!(
            report["model"]["metrics"][metric].is_f64(),
            "{metric} missing: {report}"
        );
        assert!(
            report["baseline"]["metrics"][metric].is_f64(),
            "{metric} missing: {report}"
        );
    }
    assert!(
        report["model"]["metrics"]["accuracy"]
            .as_f64()
            .expect("number")
            > 0.6,
        "{report}"
    );
}
