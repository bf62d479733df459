//! Shared test plumbing: the three specs (loaded once per test binary),
//! sandboxes, clients pointed at them, raw HTTP callers for answers the
//! clients never ask for, and turning the sandbox's record into
//! [`HttpRequest`]s.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bunq::{BunqClient, BunqConfig, Environment};
use contract::{ContractError, HttpRequest, Spec};
use runtime::backoff::Backoff;
use sandbox::record::RecordedRequest;
use sandbox::{Sandbox, SandboxConfig};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use store::context::ContextRepo;
use test_support::TestDb;
use ynab::{PathStyle, YnabClient, YnabConfig};

/// The API key and token the sandbox accepts by default.
pub const API_KEY: &str = "sandbox-api-key";
pub const YNAB_TOKEN: &str = "sandbox-ynab-token";

/// bunq's swagger, loaded once; a missing specs folder fails the test.
pub fn bunq_spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::bunq().unwrap_or_else(|e| panic!("{e}")))
}

/// YNAB 1.85 (`/plans`).
pub fn plans_spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::ynab_plans().unwrap_or_else(|e| panic!("{e}")))
}

/// YNAB 1.76 (`/budgets`).
pub fn budgets_spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::ynab_budgets().unwrap_or_else(|e| panic!("{e}")))
}

/// The YNAB spec for a path: `/v1/budgets...` is 1.76, the rest 1.85.
pub fn ynab_spec_for(path: &str) -> &'static Spec {
    if path.starts_with("/v1/budgets") {
        budgets_spec()
    } else {
        plans_spec()
    }
}

/// Panics with every problem when a check failed.
pub fn assert_keeps(result: Result<(), ContractError>) {
    if let Err(error) = result {
        panic!("{error}");
    }
}

/// A sandbox that does not throttle.
pub async fn sandbox() -> Sandbox {
    start(SandboxConfig::without_rate_limits()).await
}

/// A sandbox started from `config`.
pub async fn start(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).await.expect("the sandbox starts")
}

/// A plain HTTP client with a timeout.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("an HTTP client")
}

/// Quick retries for tests.
const FAST_BACKOFF: Backoff = Backoff {
    max_attempts: 3,
    base: Duration::from_millis(10),
    max_delay: Duration::from_millis(50),
};

/// A bunq client against `base_url`, its context in `db`.
pub fn bunq_client(base_url: String, db: &TestDb) -> BunqClient {
    let config = BunqConfig {
        base_url,
        timeout: Duration::from_secs(10),
        backoff: FAST_BACKOFF,
        ..BunqConfig::new(Environment::Sandbox)
    };
    BunqClient::new(config, ContextRepo::new(db.database())).expect("a bunq client")
}

/// Exchanges the sandbox's API key, allowing any IP.
pub async fn exchange(client: &BunqClient) {
    client
        .exchange_api_key(
            SecretString::from(API_KEY),
            "contract test",
            &["*".to_owned()],
        )
        .await
        .expect("the API key exchange");
}

/// The session token and user id the client stored.
pub async fn session(db: &TestDb) -> (String, i64) {
    let stored = ContextRepo::new(db.database())
        .load(Environment::Sandbox)
        .await
        .expect("the context loads")
        .expect("a stored context");
    let context = stored.value;
    (
        context.session_token.expose_secret().to_owned(),
        context.user_id,
    )
}

/// A YNAB client on the sandbox speaking `style`.
pub fn ynab_client(sandbox: &Sandbox, style: PathStyle) -> YnabClient {
    let config = YnabConfig {
        base_url: sandbox.ynab_url(),
        timeout: Duration::from_secs(10),
        backoff: FAST_BACKOFF,
        path_style: style,
        ..YnabConfig::new(SecretString::from(YNAB_TOKEN))
    };
    YnabClient::new(config).expect("a YNAB client")
}

/// An answer: status and JSON body (`null` when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

/// Reads an answer.
pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("the body arrives");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("a JSON body")
    };
    Answer { status, body }
}

/// Raw bunq GETs with a session token, as bunq wants them.
pub struct BunqRaw {
    pub http: reqwest::Client,
    /// `http://127.0.0.1:P`, paths carry `/v1`.
    pub root: String,
    pub token: String,
}

impl BunqRaw {
    /// `GET root + path` with bunq's required headers.
    pub async fn get(&self, path: &str) -> Answer {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let request_id = format!(
            "contract-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let response = self
            .http
            .get(format!("{}{path}", self.root))
            .header("User-Agent", "contract-tests")
            .header("Cache-Control", "no-cache")
            .header("X-Bunq-Client-Request-Id", request_id)
            .header("X-Bunq-Client-Authentication", &self.token)
            .send()
            .await
            .expect("the bunq half answers");
        answer(response).await
    }
}

/// A recorded request as the harness reads it.
pub fn as_http(recorded: &RecordedRequest) -> HttpRequest<'_> {
    HttpRequest {
        method: &recorded.method,
        path: &recorded.path,
        query: recorded.query.as_deref(),
        headers: &recorded.headers,
        body: &recorded.body,
    }
}
