//! A test app: a fresh database, a sandbox on port 0 that delivers its
//! callbacks over plain HTTP from a chosen loopback address, one ingest run
//! (accounts and links into MongoDB), and callback services started on
//! port 0 with `callback::serve`.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use callback::CallbackConfig;
use callback::trust::{Networks, Trust};
use chrono::{Duration as Days, Utc};
use classifier::ClassifierConfig;
use sandbox::{CallbackRetry, Sandbox, SandboxConfig};
use serde_json::{Value, json};
use store::Store;
use sync_worker::{QueueConfig, SyncConfig};
pub use test_support::history_end;
use test_support::{TestDb, bunq_config, mongo_config};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The loopback address the sandbox sends callbacks from by default.
pub const BUNQ_SOURCE: &str = "127.0.0.2";

pub struct TestApp {
    pub db: TestDb,
    pub sandbox: Sandbox,
    pub store: Store,
    pub http: reqwest::Client,
    /// What the sandbox was started with.
    pub sandbox_config: SandboxConfig,
}

/// A running callback service.
pub struct Service {
    pub addr: SocketAddr,
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<anyhow::Result<()>>,
}

/// The booking time of test payments: three hours ago, so that its
/// Amsterdam date is never ahead of the UTC date (the sync worker holds
/// such payments until UTC midnight, as YNAB refuses future dates).
pub fn booked_at() -> String {
    (Utc::now() - Days::hours(3)).to_rfc3339()
}

/// A small household; callbacks from 127.0.0.2 over HTTP, retried fast.
pub fn sandbox_config() -> SandboxConfig {
    let mut config = test_support::household(21, 2, 20);
    config.callback_source = Some(BUNQ_SOURCE.parse().expect("ip"));
    config.callback_over_http = true;
    config.callback_retry = CallbackRetry {
        attempts: 5,
        interval: Duration::from_millis(100),
    };
    config
}

/// [`sandbox_config`] with no rate limits, for load tests.
pub fn unlimited_sandbox_config() -> SandboxConfig {
    let mut config = sandbox_config();
    config.rate_limits = false;
    config.ynab_hourly_limit = 1_000_000;
    config
}

/// YNAB without a client-side hourly budget, for load tests.
fn ynab_config(sandbox: &Sandbox) -> ynab::YnabConfig {
    let mut ynab = test_support::ynab_config(sandbox);
    ynab.hourly_limit = 1_000_000;
    ynab
}

/// bunq's limits as the sandbox of [`sandbox_config`] keeps them.
fn bunq_limits(config: &SandboxConfig) -> bunq::RateLimits {
    let limits = &config.bunq_limits;
    let limit = |n: u32, per: Duration| {
        if config.rate_limits {
            bunq::Limit::new(n, per)
        } else {
            bunq::Limit::new(100_000, Duration::from_secs(1))
        }
    };
    bunq::RateLimits {
        get: limit(limits.get, limits.window),
        post: limit(limits.post, limits.window),
        put: limit(limits.put, limits.window),
        session_server: limit(limits.session, limits.session_window),
    }
}

fn queue() -> QueueConfig {
    QueueConfig {
        lease: Duration::from_secs(5),
        retry_base: Duration::from_millis(50),
        retry_max: Duration::from_millis(200),
        poll_interval: Duration::from_millis(100),
        ..QueueConfig::default()
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::with(sandbox_config()).await
    }

    /// A sandbox and database, filled by one ingest run.
    pub async fn with(config: SandboxConfig) -> Self {
        let db = TestDb::new().await;
        let (sandbox, store) = test_support::start_ingested(&db, config.clone()).await;
        Self {
            db,
            sandbox,
            store,
            http: reqwest::Client::new(),
            sandbox_config: config,
        }
    }

    /// A configuration for a service at `host`, accepting `allowed`.
    pub fn config(&self, host: &str, allowed: &str, proxies: &str) -> CallbackConfig {
        let sync = SyncConfig {
            mongo: mongo_config(&self.db),
            ynab: ynab_config(&self.sandbox),
            classifier: ClassifierConfig::default(),
            settings: test_support::sync_settings(),
            queue: queue(),
        };
        CallbackConfig {
            sync,
            bunq: bunq_config(&self.sandbox),
            bunq_rate_limits: bunq_limits(&self.sandbox_config),
            host: host.to_owned(),
            trust: Trust {
                allowed: Networks::parse(allowed).expect("networks"),
                proxies: Networks::parse(proxies).expect("networks"),
            },
            port: 0,
            body_limit: callback::config::DEFAULT_BODY_LIMIT_BYTES,
            sync_queue: 1000,
            sync_concurrency: 4,
            notify: notify::NotifyConfig::default(),
        }
    }

    /// A service on 127.0.0.1, accepting callbacks from [`BUNQ_SOURCE`].
    pub async fn service(&self) -> Service {
        self.service_with(&format!("{BUNQ_SOURCE}/32"), "").await
    }

    /// A service accepting `allowed` and trusting `proxies`, started and
    /// registered.
    pub async fn service_with(&self, allowed: &str, proxies: &str) -> Service {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let config = self.config(&addr.to_string(), allowed, proxies);
        let url = config.callback_url();
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(callback::serve(config, listener, async move {
            let _ = stopped.await;
        }));
        let service = Service {
            addr,
            url,
            stop: Some(stop),
            task,
        };
        service.wait_until_ready(&self.http).await;
        service
    }

    /// Creates a payment through the sandbox's admin API (which calls
    /// back); returns its id.
    pub async fn create_payment(&self, account_id: i64, amount: &str) -> i64 {
        let body = json!({"account_id": account_id, "amount": amount,
            "description": "Callback test", "counterparty_name": "Bakkerij de Test",
            "created": booked_at()});
        let payment = test_support::create_bunq_payment(&self.http, &self.sandbox, &body).await;
        payment["Payment"]["id"].as_i64().expect("id")
    }

    /// The first bunq account linked to a YNAB account.
    pub fn a_linked_account(&self) -> i64 {
        self.sandbox
            .household()
            .accounts
            .iter()
            .find(|a| test_support::linked_ynab_account(&self.sandbox, a.id).is_some())
            .expect("a linked account")
            .id
    }

    /// Live YNAB transactions with the payment's import id.
    pub fn ynab_count(&self, payment_id: i64) -> usize {
        test_support::ynab_count(&self.sandbox, payment_id)
    }

    /// The live YNAB transaction of a payment.
    pub fn ynab_transaction(&self, payment_id: i64) -> Option<sandbox::ynab::StoredTransaction> {
        test_support::ynab_transaction(&self.sandbox, payment_id)
    }

    /// Waits (up to `limit`) until the payment is in YNAB.
    pub async fn wait_for_ynab(&self, payment_id: i64, limit: Duration) -> bool {
        let started = Instant::now();
        while started.elapsed() < limit {
            if self.ynab_count(payment_id) > 0 {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        false
    }

    /// A sync worker on this app's database (the `sync-worker` service).
    pub fn worker(&self) -> sync_worker::SyncWorker {
        test_support::sync_worker(
            self.store.clone(),
            ynab_config(&self.sandbox),
            ClassifierConfig::default(),
            queue(),
        )
    }

    /// A bunq client on this app's context (to set filters and such).
    pub fn bunq_client(&self) -> bunq::BunqClient {
        let contexts = store::context::ContextRepo::new(self.db.database());
        bunq::BunqClient::with_rate_limits(
            bunq_config(&self.sandbox),
            contexts,
            bunq_limits(&self.sandbox_config),
        )
        .expect("bunq client")
    }

    /// Adds a payment to bunq without a callback; returns its id.
    pub fn add_silent_payment(&self, account_id: i64, amount: &str) -> i64 {
        let new: sandbox::bunq::NewPayment = serde_json::from_value(json!({
            "account_id": account_id, "amount": amount, "description": "Silent payment",
            "counterparty_name": "Bakkerij de Test", "created": booked_at()}))
        .expect("new payment");
        self.sandbox
            .bunq()
            .add_payment(new)
            .expect("payment added")
            .id
    }

    pub async fn stored_payment(&self, payment_id: i64) -> Option<domain::bunq::Payment> {
        self.store.bunq_payment(payment_id).await.expect("read")
    }
}

impl Service {
    async fn wait_until_ready(&self, http: &reqwest::Client) {
        let health = format!("http://{}/health", self.addr);
        for _ in 0..200 {
            if self.task.is_finished() {
                panic!("the callback service stopped during start-up");
            }
            if let Ok(response) = http.get(&health).send().await
                && response.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the callback service did not become ready");
    }

    /// `http://127.0.0.1:P{path}`.
    pub fn at(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the service and returns how `serve` ended.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.expect("serve did not panic")
    }
}

/// A client whose requests leave from `source` (a loopback address).
pub fn client_from(source: &str) -> reqwest::Client {
    let source: IpAddr = source.parse().expect("ip");
    reqwest::Client::builder()
        .local_address(source)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// A MUTATION callback body for a payment, as bunq would post it.
pub fn mutation(payment_id: i64, account_id: i64) -> Value {
    sandbox::callbacks::notification(
        "https://callback.example/payment",
        json!({"Payment": {"id": payment_id, "monetary_account_id": account_id}}),
    )
}
