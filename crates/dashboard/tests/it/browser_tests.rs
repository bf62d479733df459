//! The dashboard in headless Chromium on sandbox data: every page renders
//! real content, the password is enforced, the retry button retries a
//! failed payment, and a manual re-sync shows up in the run history.
//! With `DASHBOARD_SCREENSHOTS=<dir>` the page test saves a PNG per page
//! there (`scripts/screenshots` uses it to refresh `docs/screenshots`).

use std::path::PathBuf;

use domain::run::{Outcome, Trigger};
use serde_json::json;

use crate::browser::Browser;
use crate::helpers::{PASSWORD, TestApp};

/// Each page: path, screenshot name, and texts it must show.
fn expectations(iban: &str) -> Vec<(&'static str, &'static str, Vec<String>)> {
    vec![
        (
            "/runs",
            "runs",
            vec![
                "ingest".into(),
                "succeeded".into(),
                "schedule".into(),
                "bunq_payments".into(),
            ],
        ),
        (
            "/queue",
            "queue",
            vec![
                "synced:".into(),
                "Skipped (".into(),
                "before_start_date".into(),
            ],
        ),
        (
            "/accounts",
            "accounts",
            vec![iban.to_owned(), "linked".into(), "not linked".into()],
        ),
        (
            "/models",
            "models",
            vec![
                "Promoted: version 1".into(),
                "Baseline".into(),
                "History".into(),
            ],
        ),
        (
            "/schedules",
            "schedules",
            vec![
                "0 6-23 * * *".into(),
                "Europe/Amsterdam".into(),
                "Next run".into(),
            ],
        ),
        (
            "/actions",
            "actions",
            vec![
                "Ingest now".into(),
                "Re-sync an account".into(),
                iban.to_owned(),
            ],
        ),
    ]
}

#[tokio::test]
async fn every_page_renders_real_content_in_chromium() {
    // History enough for a model that beats the baseline.
    let app = TestApp::with_history(8, 60).await;
    let (_, iban) = app.linked_account().await;
    // A trained model, so the models page has one to show.
    app.http.get(app.url("/health")).send().await.expect("up");
    let run = dashboard_trainer_run(&app).await;
    assert_eq!(run.trigger, Trigger::Manual);
    assert!(
        run.outcome == Outcome::Succeeded
            && run.counts.get("models_promoted").copied().unwrap_or(0) > 0,
        "training promoted no model: {run:?}"
    );
    let screenshots = std::env::var_os("DASHBOARD_SCREENSHOTS").map(PathBuf::from);
    let mut browser = Browser::launch().await;
    browser.use_password(Some(PASSWORD)).await;

    for (path, name, texts) in expectations(&iban) {
        browser.goto(&app.url(path)).await;
        let text = browser.text().await;

        for expected in &texts {
            assert!(
                text.contains(expected.as_str()),
                "{path} lacks {expected:?}:\n{text}"
            );
        }
        if let Some(dir) = &screenshots {
            browser.screenshot(&dir.join(format!("{name}.png"))).await;
        }
    }
    browser.close().await;
    app.db.drop_now().await;
}

/// Trains through the dashboard's own button and returns the finished run.
async fn dashboard_trainer_run(app: &TestApp) -> domain::run::RunRecord {
    let mut browser = Browser::launch().await;
    browser.use_password(Some(PASSWORD)).await;
    browser.goto(&app.url("/actions")).await;
    browser
        .act_and_wait("document.querySelector('#train button').click()")
        .await;
    browser.close().await;
    app.eventually("the manual training run ends", || async {
        let runs = app.store.recent_runs("train", 1).await.expect("runs");
        runs.first().is_some_and(|r| r.outcome != Outcome::Running)
    })
    .await;
    let mut runs = app.store.recent_runs("train", 1).await.expect("runs");
    runs.remove(0)
}

#[tokio::test]
async fn chromium_without_the_password_gets_401_and_no_content() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::launch().await;

    browser.use_password(None).await;
    let refused_status = browser.goto(&app.url("/queue")).await;
    let refused = browser.html().await;
    browser.use_password(Some("wrong-password")).await;
    let wrong_status = browser.goto(&app.url("/runs")).await;
    let wrong = browser.html().await;
    browser.use_password(Some(PASSWORD)).await;
    let allowed_status = browser.goto(&app.url("/runs")).await;
    let allowed = browser.text().await;

    assert_eq!(refused_status, 401);
    assert!(
        !refused.contains("Payment queue") && !refused.contains("succeeded"),
        "{refused}"
    );
    assert_eq!(wrong_status, 401);
    assert!(!wrong.contains("succeeded"), "{wrong}");
    assert_eq!(allowed_status, 200);
    assert!(
        allowed.contains("ingest") && allowed.contains("succeeded"),
        "{allowed}"
    );
    browser.close().await;
    app.db.drop_now().await;
}

#[tokio::test]
async fn the_retry_button_retries_a_failed_payment_until_it_is_synced() {
    let app = TestApp::spawn().await;
    let (account, _) = app.linked_account().await;
    let payment_id = 970_000_001;
    app.add_payment(account, payment_id).await;
    // YNAB refuses every create: the payment fails for good.
    app.ynab_fault(Some(json!({"method": "POST", "path_prefix": "/v1/plans",
        "action": {"status": 500}})))
        .await;
    let _ = app.worker().drain(Trigger::Schedule).await;
    let _ = app.worker().drain(Trigger::Schedule).await;
    let failed = app.entry(payment_id).await;
    assert_eq!(failed.state, "failed", "{failed:?}");
    app.ynab_fault(None).await;
    let mut browser = Browser::launch().await;
    browser.use_password(Some(PASSWORD)).await;
    browser.goto(&app.url("/queue")).await;
    let before = browser.text().await;

    browser
        .act_and_wait(&format!(
            "document.querySelector('#retry-{payment_id}').click()"
        ))
        .await;
    app.eventually("the retried payment is synced", || async {
        app.entry(payment_id).await.state == "synced"
    })
    .await;
    browser.goto(&app.url("/queue")).await;
    let after = browser.html().await;

    assert!(
        before.contains(&payment_id.to_string()) && before.contains("Failed (1)"),
        "{before}"
    );
    assert!(
        !after.contains(&format!("retry-{payment_id}")),
        "still failed:\n{after}"
    );
    let entry = app.entry(payment_id).await;
    assert!(entry.ynab_transaction_id.is_some());
    let manual = app.store.recent_runs("sync", 1).await.expect("runs");
    assert_eq!(manual[0].trigger, Trigger::Manual);
    browser.close().await;
    app.db.drop_now().await;
}

#[tokio::test]
async fn a_manual_account_resync_runs_and_shows_up_in_the_run_history() {
    let app = TestApp::spawn().await;
    let (_, iban) = app.linked_account().await;
    let mut browser = Browser::launch().await;
    browser.use_password(Some(PASSWORD)).await;
    browser.goto(&app.url("/actions")).await;
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    let from = yesterday - chrono::Duration::days(7);

    browser
        .act_and_wait(&format!(
            "(() => {{ const f = document.querySelector('#sync-account'); \
               f.iban.value = '{iban}'; f.from.value = '{from}'; f.to.value = '{yesterday}'; \
               f.querySelector('button').click(); }})()"
        ))
        .await;
    let landed = browser.url().await;
    app.eventually("the manual sync run ends", || async {
        let runs = app.store.recent_runs("sync", 1).await.expect("runs");
        runs.first()
            .is_some_and(|r| r.trigger == Trigger::Manual && r.outcome != Outcome::Running)
    })
    .await;
    browser.goto(&app.url("/runs")).await;
    let history = browser.text().await;

    assert!(landed.ends_with("/runs?started=sync"), "{landed}");
    let run = &app.store.recent_runs("sync", 1).await.expect("runs")[0];
    assert_eq!(run.outcome, Outcome::Succeeded, "{run:?}");
    assert!(
        run.counts.get("claimed").copied().unwrap_or(0) > 0,
        "{run:?}"
    );
    let sync_section = history.split("\nsync\n").nth(1).unwrap_or(&history);
    assert!(sync_section.contains("manual"), "{history}");
    assert!(sync_section.contains("claimed"), "{history}");
    browser.close().await;
    app.db.drop_now().await;
}
