//! The whole path: sandbox → ingest → trainer → model server → sync worker
//! → sandbox YNAB. The categories of the created transactions are the
//! trainer's model's predictions for the same payments, and
//! `payment_classifications` records the version and the confidence.

use std::collections::BTreeMap;
use std::time::Duration;

use classifier::ClassifierConfig;
use domain::run::Trigger;
use futures::TryStreamExt;
use learning::{Model, PaymentFeatures};
use mongodb::bson::{Document, doc};
use sandbox::{Sandbox, SandboxConfig};
use sync_worker::{QueueConfig, SyncWorker};
use test_support::TestDb;
use trainer::Trainer;

use crate::helpers::TestServer;

/// A year of about 60 payments a month: enough for a promoted model.
fn household() -> SandboxConfig {
    let mut config = test_support::household(11, 12, 60);
    config.rate_limits = false;
    config
}

async fn train(db: &TestDb) {
    let trainer = Trainer::connect(test_support::trainer_config(db, 5))
        .await
        .expect("trainer connects");
    trainer
        .run(Trigger::Manual, None)
        .await
        .expect("training run");
}

fn worker(server: &TestServer, sandbox: &Sandbox) -> SyncWorker {
    // Every suggestion is used, so each category can be compared.
    let classifier = ClassifierConfig {
        timeout: Duration::from_secs(5),
        threshold: 0.0,
        ..ClassifierConfig::new(Some(server.url.clone()))
    };
    let queue = QueueConfig {
        retry_base: Duration::from_millis(10),
        retry_max: Duration::from_millis(50),
        ..QueueConfig::default()
    };
    test_support::sync_worker(
        server.store.clone(),
        test_support::ynab_config(sandbox),
        classifier,
        queue,
    )
}

#[tokio::test]
async fn synced_transactions_carry_the_categories_the_trainers_model_predicts() {
    let db = TestDb::new().await;
    let sandbox = Sandbox::start(household()).await.expect("sandbox starts");
    test_support::ingest_once(&db, &sandbox).await;
    train(&db).await;
    let server = TestServer::on(db, None).await;
    let promoted = server.store.promoted_versions().await.expect("read");
    assert!(!promoted.is_empty(), "the trainer promoted a model");
    let mut models: BTreeMap<String, (i64, Model)> = BTreeMap::new();
    for (budget, version) in &promoted {
        server.wait_for(budget, *version).await;
        let record = server
            .store
            .promoted_model(budget)
            .await
            .expect("read")
            .expect("promoted");
        models.insert(
            budget.clone(),
            (*version, Model::from_bytes(&record.model).expect("decodes")),
        );
    }

    worker(&server, &sandbox)
        .drain(Trigger::Manual)
        .await
        .expect("drain");

    let rows: Vec<Document> = server
        .db
        .database()
        .collection::<Document>("payment_classifications")
        .find(doc! { "outcome": "used" })
        .await
        .expect("find")
        .try_collect()
        .await
        .expect("collect");
    assert!(
        rows.len() >= 10,
        "only {} payments were classified",
        rows.len()
    );
    for row in &rows {
        let payment_id = row.get_i64("payment_id").expect("payment_id");
        let budget = row.get_str("budget_id").expect("budget_id");
        let (version, model) = &models[budget];
        let payment = server
            .store
            .bunq_payment(payment_id)
            .await
            .expect("read")
            .expect("stored");
        let expected = model.predict_one(&PaymentFeatures::from_payment(&payment));
        let import_id = domain::sync::import_id(payment_id);
        let created = sandbox
            .ynab()
            .transactions(budget)
            .into_iter()
            .find(|t| !t.deleted && t.import_id.as_deref() == Some(import_id.as_str()))
            .expect("the transaction was created");

        assert_eq!(
            row.get_str("model_version").expect("version"),
            version.to_string()
        );
        assert_eq!(
            row.get_str("category_id").expect("category"),
            expected.category_id
        );
        let confidence = row.get_f64("confidence").expect("confidence");
        assert!(
            (confidence - expected.confidence).abs() < 1e-12,
            "payment {payment_id}"
        );
        assert_eq!(
            created.category_id.as_deref(),
            Some(expected.category_id.as_str()),
            "payment {payment_id}"
        );
    }
    server.stop().await;
}
