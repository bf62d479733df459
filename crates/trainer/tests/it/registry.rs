//! Training runs against the sandbox: models are stored, the same data
//! gives the same bytes, promotion follows the rule and retention prunes.

use domain::run::Trigger;
use futures::TryStreamExt;
use mongodb::bson::{Document, doc};

use crate::helpers::TestApp;

async fn versions(app: &TestApp, budget: &str) -> Vec<Document> {
    let cursor = app
        .collection("models")
        .find(doc! {"budget_id": budget})
        .sort(doc! {"version": 1})
        .await
        .expect("find");
    cursor.try_collect().await.expect("collect")
}

fn bytes(model: &Document) -> Vec<u8> {
    match model.get("model") {
        Some(mongodb::bson::Bson::Binary(b)) => b.bytes.clone(),
        other => panic!("model is not binary: {other:?}"),
    }
}

#[tokio::test]
async fn the_same_data_trains_the_same_model_and_the_newer_version_is_promoted() {
    let app = TestApp::ingested().await;
    let budget = app.household_budget().id.clone();

    let first = app
        .trainer
        .run(Trigger::Manual, None)
        .await
        .expect("first run");
    let second = app
        .trainer
        .run(Trigger::Manual, Some(&budget))
        .await
        .expect("second run");

    let stored = versions(&app, &budget).await;
    assert_eq!(stored.len(), 2);
    assert_eq!(
        bytes(&stored[0]),
        bytes(&stored[1]),
        "same data, same model"
    );
    let status: Vec<&str> = stored
        .iter()
        .map(|m| m.get_str("status").expect("status"))
        .collect();
    assert_eq!(status, ["retired", "promoted"]);
    let metrics = stored[1].get_document("metrics").expect("metrics");
    let baseline = stored[1]
        .get_document("baseline_metrics")
        .expect("baseline");
    assert!(metrics.get_f64("macro_f1").expect("f1") >= baseline.get_f64("macro_f1").expect("f1"));
    assert!(stored[1].get_array("categories").expect("categories").len() > 5);
    assert!(stored[1].get_i64("training_size").expect("size") > 100);
    let model = learning::Model::from_bytes(&bytes(&stored[1])).expect("the stored model loads");
    assert_eq!(
        model.algorithm,
        stored[1].get_str("algorithm").expect("algorithm")
    );
    assert_eq!(first["budgets"], 2);
    let count = |name: &str| first.get(name).copied().unwrap_or_default();
    assert_eq!(count("models_trained") + count("budgets_without_model"), 2);
    assert_eq!(second["budgets"], 1);
    let runs = app
        .collection("runs")
        .count_documents(doc! {"job": "train", "outcome": "succeeded"})
        .await
        .expect("count");
    assert_eq!(runs, 2);
}

#[tokio::test]
async fn a_version_worse_than_the_promoted_one_stays_a_candidate_and_old_versions_are_pruned() {
    let app = TestApp::start(2).await;
    app.ingest_now().await;
    let budget = app.household_budget().id.clone();
    app.trainer
        .run(Trigger::Manual, Some(&budget))
        .await
        .expect("first run");
    // Pretend the promoted version was excellent: the next one cannot
    // come within the tolerance of it.
    let models = app.collection("models");
    models
        .update_one(
            doc! {"budget_id": &budget, "version": 1},
            doc! {"$set": {"metrics.macro_f1": 1.5}},
        )
        .await
        .expect("update");

    app.trainer
        .run(Trigger::Manual, Some(&budget))
        .await
        .expect("second run");
    app.trainer
        .run(Trigger::Manual, Some(&budget))
        .await
        .expect("third run");
    app.trainer
        .run(Trigger::Manual, Some(&budget))
        .await
        .expect("fourth run");

    let stored = versions(&app, &budget).await;
    let summary: Vec<(i64, &str)> = stored
        .iter()
        .map(|m| {
            (
                m.get_i64("version").expect("version"),
                m.get_str("status").expect("status"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [(1, "promoted"), (3, "candidate"), (4, "candidate")]
    );
}

#[tokio::test]
async fn a_budget_without_usable_history_gets_no_model_and_says_so() {
    let app = TestApp::start(5).await;
    app.ingest_now().await;
    let side = app.sandbox.household().budgets[1].id.clone();
    // Leave the side project budget a handful of labels at most.
    app.collection("ynab_transactions")
        .update_many(
            doc! {"budget_id": &side},
            doc! {"$set": {"category_id": null}},
        )
        .await
        .expect("update");

    let counts = app
        .trainer
        .run(Trigger::Manual, Some(&side))
        .await
        .expect("run succeeds");

    assert_eq!(counts["budgets_without_model"], 1);
    assert!(versions(&app, &side).await.is_empty());
}
