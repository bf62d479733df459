//! The test's view of the sandbox through its published ports: which bunq
//! account is linked to which YNAB budget, new payments, and the YNAB
//! transactions that carry a memo.

use std::time::Duration;

use serde_json::{Value, json};

/// The YNAB token the sandbox accepts (its default).
const YNAB_TOKEN: &str = "sandbox-ynab-token";

/// The sandbox's two published addresses.
pub struct Sandbox {
    /// `http://127.0.0.1:P` of the bunq half.
    pub bunq: String,
    /// `http://127.0.0.1:Q` of the YNAB half.
    pub ynab: String,
    http: reqwest::Client,
}

/// A bunq account whose IBAN is in a YNAB account's note.
pub struct Link {
    /// The bunq monetary account id.
    pub account_id: i64,
    /// The YNAB budget holding the linked account.
    pub budget_id: String,
}

impl Sandbox {
    /// A client for the published `host:port` pairs.
    pub fn new(bunq: &str, ynab: &str) -> Sandbox {
        Sandbox {
            bunq: format!("http://{bunq}"),
            ynab: format!("http://{ynab}"),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("an HTTP client"),
        }
    }

    async fn get(&self, url: String) -> Value {
        let answer = self
            .http
            .get(&url)
            .bearer_auth(YNAB_TOKEN)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        assert!(
            answer.status().is_success(),
            "GET {url}: {}",
            answer.status()
        );
        answer.json().await.expect("a JSON answer")
    }

    /// The first bunq account linked to a YNAB account by IBAN in its note.
    pub async fn linked_account(&self) -> Link {
        let household = self.get(format!("{}/_sandbox/household", self.bunq)).await;
        let squash = |text: &str| text.split_whitespace().collect::<String>().to_uppercase();
        for account in household["accounts"].as_array().expect("accounts") {
            let iban = squash(account["iban"].as_str().unwrap_or_default());
            for budget in household["budgets"].as_array().expect("budgets") {
                let linked = budget["accounts"]
                    .as_array()
                    .expect("budget accounts")
                    .iter()
                    .any(|a| {
                        !iban.is_empty()
                            && squash(a["note"].as_str().unwrap_or_default()).contains(&iban)
                    });
                if linked {
                    return Link {
                        account_id: account["id"].as_i64().expect("account id"),
                        budget_id: budget["id"].as_str().expect("budget id").to_owned(),
                    };
                }
            }
        }
        panic!("the sandbox household has no linked account: {household}");
    }

    /// Creates a bunq payment now and returns its id.
    pub async fn pay(&self, account_id: i64, amount: &str, description: &str) -> i64 {
        let url = format!("{}/_sandbox/bunq/payments", self.bunq);
        let body = json!({"account_id": account_id, "amount": amount,
                          "description": description, "counterparty_name": "Stack Test"});
        let answer = self
            .http
            .post(&url)
            .json(&body)
            .send()
            .await
            .expect("POST payment");
        assert!(
            answer.status().is_success(),
            "POST {url}: {}",
            answer.status()
        );
        let payment: Value = answer.json().await.expect("a JSON payment");
        find_id(&payment).unwrap_or_else(|| panic!("no payment id in {payment}"))
    }

    /// The budget's transactions from yesterday on whose memo starts with
    /// `prefix`.
    pub async fn transactions(&self, budget_id: &str, prefix: &str) -> Vec<Value> {
        let since = (chrono::Utc::now() - chrono::Duration::days(2)).format("%Y-%m-%d");
        let url = format!(
            "{}/v1/budgets/{budget_id}/transactions?since_date={since}",
            self.ynab
        );
        let answer = self.get(url).await;
        answer["data"]["transactions"]
            .as_array()
            .expect("transactions")
            .iter()
            .filter(|t| t["memo"].as_str().is_some_and(|m| m.starts_with(prefix)))
            .cloned()
            .collect()
    }
}

/// The payment id in a rendered bunq payment (`{"Payment": {"id": …}}` or
/// a bare object).
fn find_id(payment: &Value) -> Option<i64> {
    payment["id"]
        .as_i64()
        .or_else(|| payment["Payment"]["id"].as_i64())
}
