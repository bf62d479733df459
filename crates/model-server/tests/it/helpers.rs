//! A test server: a fresh database, the model server on port 0 serving
//! from it, and small models trained on made-up payments.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Duration as Days, TimeZone, Utc};
use learning::{Example, Model, ModelCategory, PaymentFeatures, TrainingConfig};
use model_server::registry::{LoadedModel, Registry};
use model_server::{AppState, ServerConfig};
use serde_json::{Value, json};
use store::{ModelMetrics, ModelRecord, ModelStatus, Store};
use test_support::TestDb;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub const BUDGET: &str = "budget-under-test";

/// A bunq payment object as bunq sends it.
pub fn payment_json(id: i64, amount: &str, description: &str, at: DateTime<Utc>) -> Value {
    let at = domain::time::format_bunq_timestamp(at);
    json!({
        "id": id, "monetary_account_id": 42, "created": at, "updated": at,
        "amount": {"value": amount, "currency": "EUR"}, "description": description,
        "type": "MASTERCARD", "sub_type": "PAYMENT",
        "alias": {"iban": "NL91ABNA0417164300", "display_name": "Me"},
        "counterparty_alias": {"display_name": description, "iban": null},
        "balance_after_mutation": {"value": "100.00", "currency": "EUR"},
        "attachment": [], "request_reference_split_the_bill": []
    })
}

pub fn payment(id: i64, amount: &str, description: &str) -> domain::bunq::Payment {
    let at = Utc
        .with_ymd_and_hms(2024, 5, 1, 10, 11, 12)
        .single()
        .expect("valid");
    domain::bunq::Payment::from_json(&payment_json(id, amount, description, at)).expect("valid")
}

fn category(id: &str, name: &str) -> ModelCategory {
    ModelCategory {
        id: id.to_owned(),
        name: name.to_owned(),
        group: None,
    }
}

/// A model of three categories trained on 90 made-up payments. `flip`
/// swaps which category the bakery belongs to, so two versions answer
/// differently.
pub fn small_model(flip: bool) -> Model {
    let start = Utc
        .with_ymd_and_hms(2024, 1, 1, 9, 0, 0)
        .single()
        .expect("valid");
    let (bakery, shop) = if flip {
        (
            category("cat-eating-out", "Eating out"),
            category("cat-groceries", "Groceries"),
        )
    } else {
        (
            category("cat-groceries", "Groceries"),
            category("cat-eating-out", "Eating out"),
        )
    };
    let kinds = [
        ("-4.50", "Bakkerij de Test", bakery),
        ("-61.20", "Albert Heijn 1234", shop),
        (
            "2500.00",
            "Werkgever BV salaris",
            category("cat-income", "Income"),
        ),
    ];
    let examples: Vec<Example> = (0..90)
        .map(|n| {
            let (amount, name, category) = &kinds[n % 3];
            let at = start + Days::hours(7 * n as i64);
            let object = payment_json(n as i64, amount, name, at);
            Example {
                features: PaymentFeatures::from_json(&object).expect("valid"),
                category: category.clone(),
            }
        })
        .collect();
    learning::train(&examples, &TrainingConfig::default())
        .expect("trains")
        .model
}

/// A router over a registry holding `model` as version 1 of [`BUDGET`].
pub fn state_with(model: Model, max_body_bytes: usize) -> AppState {
    let registry = Arc::new(Registry::new());
    registry.install(LoadedModel::new(BUDGET, 1, model));
    AppState::new(registry, max_body_bytes)
}

/// The model server on port 0 over its own database.
pub struct TestServer {
    pub db: TestDb,
    pub store: Store,
    pub url: String,
    pub http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::on(TestDb::new().await, None).await
    }

    /// On `db`, with MongoDB reached through `uri` when given.
    pub async fn on(db: TestDb, uri: Option<String>) -> Self {
        let store = Store::from_database(db.database().clone());
        store.ensure_indexes().await.expect("indexes");
        let mut mongo = store::MongoConfig::new(uri.unwrap_or_else(|| db.uri().to_owned()));
        mongo.database = db.name().to_owned();
        mongo.server_selection_timeout = Duration::from_secs(1);
        mongo.operation_timeout = Duration::from_secs(2);
        let mut config = ServerConfig::new(mongo);
        config.poll_interval = Duration::from_millis(300);
        config.max_body_bytes = 256 * 1024;

        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(model_server::serve(listener, config, async move {
            let _ = stopped.await;
        }));
        Self {
            db,
            store,
            url,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("client"),
            stop: Some(stop),
        }
    }

    /// Stores `model` as the next version of `budget` and promotes it, as
    /// the trainer does; returns the version.
    pub async fn promote(&self, budget: &str, model: &Model) -> i64 {
        let version = self.store.next_model_version(budget).await.expect("next");
        let record = ModelRecord {
            budget_id: budget.to_owned(),
            version,
            algorithm: model.algorithm.clone(),
            params: json!({}),
            metrics: ModelMetrics::default(),
            baseline_metrics: ModelMetrics::default(),
            training_size: 90,
            categories: Vec::new(),
            created_at: Utc::now(),
            status: ModelStatus::Candidate,
            model: model.to_bytes().expect("bytes"),
            promoted_at: None,
        };
        self.store.insert_model(&record).await.expect("insert");
        self.store
            .promote_model(budget, version, Utc::now())
            .await
            .expect("promote");
        version
    }

    /// Waits (up to 15 s) until `budget` serves `version`; returns how
    /// long that took.
    pub async fn wait_for(&self, budget: &str, version: i64) -> Duration {
        let started = std::time::Instant::now();
        let url = format!("{}/v2/models/{budget}/versions/{version}/ready", self.url);
        while started.elapsed() < Duration::from_secs(15) {
            if let Ok(r) = self.http.get(&url).send().await
                && r.status().is_success()
            {
                return started.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{budget} version {version} was not served within 15 s");
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .json(body)
            .send()
            .await
            .expect("server answers");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("server answers");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.db.drop_now().await;
    }
}
