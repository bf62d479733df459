//! The whole path: sandbox → ingest → trainer → model server → sync worker
//! → sandbox YNAB. The categories of the created transactions are the
//! trainer's model's predictions for the same payments, and
//! `payment_classifications` records the version and the confidence.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Duration as Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use classifier::{ClassifierClient, ClassifierConfig};
use domain::run::Trigger;
use domain::sync::SyncSettings;
use futures::TryStreamExt;
use ingest::{Ingest, IngestConfig};
use learning::{Model, PaymentFeatures};
use mongodb::bson::{Document, doc};
use runtime::backoff::Backoff;
use runtime::schedule::Schedule;
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use sync_worker::{QueueConfig, SyncWorker};
use test_support::TestDb;
use trainer::{LearningSettings, Trainer, TrainerConfig};

use crate::helpers::TestServer;

const YNAB_TOKEN: &str = "sandbox-ynab-token";

/// Yesterday 12:00 UTC: the end of the generated history, so that no
/// payment lies in YNAB's future.
fn history_end() -> DateTime<Utc> {
    let yesterday = (Utc::now() - Days::days(1)).date_naive();
    Utc.from_utc_datetime(&yesterday.and_hms_opt(12, 0, 0).expect("valid"))
}

/// A year of about 60 payments a month: enough for a promoted model.
fn household() -> SandboxConfig {
    let mut config = SandboxConfig::with_seed(11);
    config.household.end = history_end();
    config.household.months = 12;
    config.household.payments_per_month = 60;
    config.rate_limits = false;
    config
}

fn quick_backoff() -> Backoff {
    Backoff {
        max_attempts: 6,
        base: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
    }
}

fn mongo(db: &TestDb) -> store::MongoConfig {
    let mut mongo = store::MongoConfig::new(db.uri());
    mongo.database = db.name().to_owned();
    mongo
}

fn ynab_config(sandbox: &Sandbox) -> ynab::YnabConfig {
    let mut ynab = ynab::YnabConfig::new(SecretString::from(YNAB_TOKEN));
    ynab.base_url = sandbox.ynab_url();
    ynab.backoff = quick_backoff();
    ynab
}

async fn ingest(db: &TestDb, sandbox: &Sandbox) {
    let mut bunq = bunq::BunqConfig::new(bunq::Environment::Sandbox);
    bunq.base_url = sandbox.bunq_url();
    bunq.backoff = quick_backoff();
    let config = IngestConfig {
        mongo: mongo(db),
        bunq,
        ynab: ynab_config(sandbox),
        timezone: Amsterdam,
        schedule: Schedule::parse(ingest::config::DEFAULT_SCHEDULE, Amsterdam).expect("valid"),
        ynab_history_since: NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid"),
        bunq_overlap: Duration::from_secs(600),
    };
    let ingest = Ingest::connect(config).await.expect("ingest connects");
    ingest
        .bunq
        .exchange_api_key(
            SecretString::from("sandbox-api-key"),
            "model-server-test",
            &[],
        )
        .await
        .expect("API key accepted");
    ingest.run(Trigger::Manual).await.expect("ingest run");
}

async fn train(db: &TestDb) {
    let config = TrainerConfig {
        mongo: mongo(db),
        schedule: Schedule::parse(trainer::config::DEFAULT_SCHEDULE, Amsterdam).expect("valid"),
        learning: LearningSettings {
            timezone: Amsterdam,
            threshold: 0.6,
        },
        match_window_days: 2,
        promotion_tolerance: 0.025,
        keep_models: 5,
    };
    let trainer = Trainer::connect(config).await.expect("trainer connects");
    trainer
        .run(Trigger::Manual, None)
        .await
        .expect("training run");
}

fn worker(server: &TestServer, sandbox: &Sandbox) -> SyncWorker {
    let ynab = ynab::YnabClient::new(ynab_config(sandbox)).expect("YNAB client");
    // Every suggestion is used, so each category can be compared.
    let classifier = ClassifierConfig {
        timeout: Duration::from_secs(5),
        threshold: 0.0,
        ..ClassifierConfig::new(Some(server.url.clone()))
    };
    let classifier = ClassifierClient::new(classifier).expect("classifier");
    let settings = SyncSettings {
        start: history_end() - Days::days(30),
        zone: Amsterdam,
    };
    let queue = QueueConfig {
        retry_base: Duration::from_millis(10),
        retry_max: Duration::from_millis(50),
        ..QueueConfig::default()
    };
    SyncWorker::new(server.store.clone(), ynab, classifier, settings, queue)
}

#[tokio::test]
async fn synced_transactions_carry_the_categories_the_trainers_model_predicts() {
    let db = TestDb::new().await;
    let sandbox = Sandbox::start(household()).await.expect("sandbox starts");
    ingest(&db, &sandbox).await;
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
