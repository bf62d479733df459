//! A test bench: the sandbox on port 0, a fresh MongoDB database, and
//! clients configured to be quick (short timeouts and backoff, rate limits
//! shrunk together with the sandbox's).

use std::time::Duration;

use bunq::{BunqClient, BunqConfig, Environment, Limit, RateLimits};
use runtime::backoff::Backoff;
use sandbox::{BunqLimits, Sandbox, SandboxConfig};
use secrecy::SecretString;
use serde_json::{Value, json};
use store::context::{ContextRepo, Versioned};
use test_support::TestDb;

/// The API key the sandbox accepts by default.
pub const API_KEY: &str = "sandbox-api-key";

/// The rate-limit window tests use on both sides.
pub const WINDOW: Duration = Duration::from_millis(300);

/// A running sandbox, a database, and a client on both.
pub struct Bench {
    pub sandbox: Sandbox,
    pub db: TestDb,
    pub client: BunqClient,
}

impl Bench {
    /// A bench whose sandbox enforces bunq's limits, with the windows
    /// shrunk to [`WINDOW`] on both sides.
    pub async fn start() -> Self {
        Self::with(SandboxConfig::default()).await
    }

    /// A bench on a sandbox started from `config`; its bunq limits are
    /// shrunk to [`WINDOW`] (the client's too).
    pub async fn with(mut config: SandboxConfig) -> Self {
        config.bunq_limits = sandbox_limits();
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        let db = TestDb::new().await;
        let client = client(&sandbox, &db);
        Self {
            sandbox,
            db,
            client,
        }
    }

    /// A bench whose client has exchanged the API key already.
    pub async fn exchanged() -> Self {
        let bench = Self::start().await;
        exchange(&bench.client).await;
        bench
    }

    /// Another client on the same sandbox and database: a second process.
    pub fn second_client(&self) -> BunqClient {
        client(&self.sandbox, &self.db)
    }

    /// The stored context.
    pub async fn stored(&self) -> Versioned<domain::bunq_context::ApiContext> {
        ContextRepo::new(self.db.database())
            .load(Environment::Sandbox)
            .await
            .expect("load")
            .expect("a stored context")
    }

    /// Registers a fault on the bunq half.
    pub async fn fault(&self, rule: Value) {
        let url = format!("{}/_sandbox/faults", self.sandbox.bunq_root());
        let response = reqwest::Client::new()
            .post(url)
            .json(&rule)
            .send()
            .await
            .expect("admin");
        assert_eq!(response.status(), 201, "fault refused: {rule}");
    }

    /// The bunq requests the sandbox answered so far with this method and
    /// path (query ignored) and their statuses.
    pub fn statuses(&self, method: &str, path: &str) -> Vec<u16> {
        self.sandbox
            .recorder()
            .requests(Some(sandbox::faults::Side::Bunq))
            .into_iter()
            .filter(|r| r.method == method && r.path == path)
            .map(|r| r.status)
            .collect()
    }

    /// 429s the sandbox sent.
    pub fn too_many_requests_sent(&self) -> u64 {
        self.sandbox
            .recorder()
            .stats(sandbox::faults::Side::Bunq)
            .too_many_requests
    }

    /// Ends the test: drops the database.
    pub async fn finish(self) {
        self.sandbox.shutdown().await;
        self.db.drop_now().await;
    }
}

/// The sandbox's limits with every window shrunk to [`WINDOW`].
pub fn sandbox_limits() -> BunqLimits {
    BunqLimits {
        window: WINDOW,
        session_window: WINDOW,
        ..BunqLimits::default()
    }
}

/// bunq's limits, with the same shrunk windows as the sandbox's.
pub fn client_limits() -> RateLimits {
    let defaults = RateLimits::default();
    let shrink = |limit: Limit| Limit::new(limit.requests, WINDOW);
    RateLimits {
        get: shrink(defaults.get),
        post: shrink(defaults.post),
        put: shrink(defaults.put),
        session_server: shrink(defaults.session_server),
    }
}

/// A client configuration for the sandbox: 3 s timeout, quick retries.
pub fn config(sandbox: &Sandbox) -> BunqConfig {
    BunqConfig {
        base_url: sandbox.bunq_url(),
        timeout: Duration::from_secs(3),
        backoff: Backoff {
            max_attempts: 4,
            base: Duration::from_millis(50),
            max_delay: Duration::from_millis(200),
        },
        ..BunqConfig::new(Environment::Sandbox)
    }
}

/// A client on `sandbox` sharing the context in `db`.
pub fn client(sandbox: &Sandbox, db: &TestDb) -> BunqClient {
    let contexts = ContextRepo::new(db.database());
    BunqClient::with_rate_limits(config(sandbox), contexts, client_limits()).expect("client")
}

/// Exchanges the sandbox's API key with a wildcard IP.
pub async fn exchange(client: &BunqClient) {
    client
        .exchange_api_key(
            SecretString::from(API_KEY),
            "integration test",
            &["*".to_owned()],
        )
        .await
        .expect("exchange");
}

/// A bunq answer listing these items, as a fault body.
pub fn response_body(items: Vec<Value>) -> String {
    let pagination = json!({"future_url": null, "newer_url": null, "older_url": null});
    json!({"Response": items, "Pagination": pagination}).to_string()
}

/// A fault on the next `times` requests with `method` under `/v1/user/`.
pub fn rule(method: &str, times: u32, action: Value) -> Value {
    json!({"method": method, "path_prefix": "/v1/user/", "times": times, "action": action})
}
