//! Categories from the model server: used at or above the threshold;
//! below it, or with the model server absent, failing, slow or talking
//! nonsense, the transaction is still created, uncategorised, and the
//! classification row says why.

use std::time::Duration;

use classifier::ClassifierConfig;
use domain::run::Trigger;

use crate::helpers::{TestApp, quick_queue, yesterday};
use crate::model_server::{self, Behaviour};

/// Drains one new payment with the model server at `url`; returns the
/// payment's transaction category and its classification document.
async fn sync_with(
    app: &TestApp,
    first_id: i64,
    url: String,
) -> (Option<String>, mongodb::bson::Document) {
    let (account, _, _) = app.a_linked_account();
    let id = app
        .add_payment(account, first_id, "-7.50", yesterday())
        .await;
    let config = ClassifierConfig {
        timeout: Duration::from_millis(300),
        ..ClassifierConfig::new(Some(url))
    };
    let worker = app.worker_with(quick_queue(), config);

    worker.drain(Trigger::Manual).await.expect("drain");

    assert_eq!(
        app.ynab_count(id),
        1,
        "created whatever the model server did"
    );
    let txn = app.ynab_transaction(id).expect("created");
    let row = app
        .store
        .classification(id)
        .await
        .expect("read")
        .expect("a classification row");
    (txn.category_id, row)
}

fn a_category(app: &TestApp) -> String {
    let (_, budget, _) = app.a_linked_account();
    let budget = app
        .sandbox
        .household()
        .budgets
        .iter()
        .find(|b| b.id == budget)
        .expect("budget");
    budget.category_groups[0].categories[0].id.clone()
}

#[tokio::test]
async fn a_confident_suggestion_becomes_the_category_and_an_unsure_one_does_not() {
    let app = TestApp::spawn().await;
    app.worker()
        .drain(Trigger::Manual)
        .await
        .expect("the history first");
    let category = a_category(&app);
    let sure = model_server::start(Behaviour::Answer {
        category_id: category.clone(),
        confidence: 0.8,
    })
    .await;
    let unsure = model_server::start(Behaviour::Answer {
        category_id: category.clone(),
        confidence: 0.3,
    })
    .await;

    let (used, used_row) = sync_with(&app, 990_000_000, sure).await;
    let (ignored, ignored_row) = sync_with(&app, 990_000_100, unsure).await;

    assert_eq!(used.as_deref(), Some(category.as_str()));
    assert_eq!(used_row.get_str("outcome"), Ok("used"));
    assert_eq!(used_row.get_str("model_version"), Ok("2024-w19"));
    assert_eq!(used_row.get_bool("used"), Ok(true));
    assert_eq!(ignored, None);
    assert_eq!(ignored_row.get_str("outcome"), Ok("below_threshold"));
    assert_eq!(ignored_row.get_str("category_id"), Ok(category.as_str()));
    assert_eq!(ignored_row.get_bool("used"), Ok(false));
    app.db.drop_now().await;
}

#[tokio::test]
async fn an_absent_failing_slow_or_malformed_model_server_leaves_the_transaction_uncategorised() {
    let app = TestApp::spawn().await;
    app.worker()
        .drain(Trigger::Manual)
        .await
        .expect("the history first");
    let cases = [
        (
            model_server::closed().await,
            "unavailable",
            "could not be reached",
        ),
        (
            model_server::start(Behaviour::Fail).await,
            "error",
            "answered 500",
        ),
        (
            model_server::start(Behaviour::Slow(Duration::from_secs(2))).await,
            "unavailable",
            "within 300 ms",
        ),
        (
            model_server::start(Behaviour::Malformed).await,
            "error",
            "malformed",
        ),
    ];

    for (n, (url, outcome, why)) in cases.into_iter().enumerate() {
        let (category, row) = sync_with(&app, 991_000_000 + 100 * n as i64, url).await;

        assert_eq!(category, None, "{outcome}");
        assert_eq!(row.get_str("outcome"), Ok(outcome));
        assert_eq!(row.get_bool("used"), Ok(false));
        let message = row.get_str("message").unwrap_or_default();
        assert!(message.contains(why), "{message:?} should say {why:?}");
    }
    app.db.drop_now().await;
}
