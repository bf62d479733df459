//! A sandbox on port 0 with a client pointed at it, fast retries, and a
//! way to inject faults through the sandbox's admin endpoint.

use std::time::Duration;

use runtime::backoff::Backoff;
use sandbox::household::{Budget, Household};
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use serde_json::Value;
use ynab::{YnabClient, YnabConfig};

/// Retries quick enough for tests: three attempts, at most 50 ms apart.
pub const FAST_BACKOFF: Backoff = Backoff {
    max_attempts: 3,
    base: Duration::from_millis(10),
    max_delay: Duration::from_millis(50),
};

/// A running sandbox and a client of its YNAB half.
pub struct TestApp {
    pub sandbox: Sandbox,
    pub client: YnabClient,
}

impl TestApp {
    /// The default sandbox and client.
    pub async fn spawn() -> Self {
        Self::spawn_with(SandboxConfig::default(), |_| {}).await
    }

    /// A sandbox started from `config`, and a client `tune` adjusts.
    pub async fn spawn_with(config: SandboxConfig, tune: impl FnOnce(&mut YnabConfig)) -> Self {
        let sandbox = Sandbox::start(config).await.expect("the sandbox starts");
        let client = client_for(&sandbox, tune);
        Self { sandbox, client }
    }

    /// Another client with the same token, as another process would have.
    pub fn another_client(&self, tune: impl FnOnce(&mut YnabConfig)) -> YnabClient {
        client_for(&self.sandbox, tune)
    }

    /// The generated household.
    pub fn household(&self) -> &Household {
        self.sandbox.household()
    }

    /// The first generated budget, the one with linked accounts.
    pub fn budget(&self) -> &Budget {
        &self.household().budgets[0]
    }

    /// Registers a fault on the sandbox's YNAB port.
    pub async fn fault(&self, rule: Value) {
        let url = format!("{}/_sandbox/faults", self.sandbox.ynab_root());
        let response = reqwest::Client::new().post(url).json(&rule).send().await;
        let status = response.expect("the admin endpoint answers").status();
        assert!(status.is_success(), "registering a fault answered {status}");
    }
}

/// The test client configuration for `sandbox`.
pub fn config_for(sandbox: &Sandbox) -> YnabConfig {
    YnabConfig {
        base_url: sandbox.ynab_url(),
        timeout: Duration::from_secs(5),
        backoff: FAST_BACKOFF,
        ..YnabConfig::new(SecretString::from("sandbox-ynab-token"))
    }
}

fn client_for(sandbox: &Sandbox, tune: impl FnOnce(&mut YnabConfig)) -> YnabClient {
    let mut config = config_for(sandbox);
    tune(&mut config);
    YnabClient::new(config).expect("a valid client configuration")
}
