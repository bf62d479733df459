//! The YNAB client's reads: budgets, and the delta reads of accounts,
//! categories and transactions. Creating and updating transactions lives in
//! [`crate::transactions`].

use chrono::NaiveDate;
use domain::ynab::{Account, Budget, Category, Transaction};
use serde_json::Value;

use crate::envelope::Data;
use crate::http::{Call, Http};
use crate::{PathStyle, Usage, YnabConfig, YnabError};

/// One delta read: the records that changed since the knowledge given
/// (all of them without one), deleted ones included with `deleted: true`,
/// and the knowledge to pass next time.
#[derive(Clone, Debug, PartialEq)]
pub struct Delta<T> {
    /// Changed (or, on a first read, all) records.
    pub items: Vec<T>,
    /// Pass this as `last_knowledge` on the next read.
    pub server_knowledge: i64,
}

/// A client for YNAB's API with one token.
///
/// Every request first takes a slot from the hourly window (see
/// [`Usage`]); reads leave the configured reserve free. 429 answers are
/// retried with backoff, and so are 5xx answers, timeouts and transport
/// failures of requests that are safe to repeat.
///
/// # Errors
/// Every call can fail with [`YnabError::BudgetExhausted`] (no room in the
/// hour), [`YnabError::RateLimited`], [`YnabError::Unauthorized`],
/// [`YnabError::Api`], [`YnabError::Timeout`], [`YnabError::Transport`] or
/// [`YnabError::Decode`].
#[derive(Debug)]
pub struct YnabClient {
    pub(crate) http: Http,
    pub(crate) path_style: PathStyle,
}

impl YnabClient {
    /// Checks `config` and builds the client. Sends nothing.
    ///
    /// # Errors
    /// [`YnabError::InvalidConfig`] for a base URL that is not http(s), an
    /// empty or unsendable token, a zero timeout or attempt count, or a
    /// reserve not below the hourly limit.
    pub fn new(config: YnabConfig) -> Result<Self, YnabError> {
        Ok(Self {
            http: Http::new(&config)?,
            path_style: config.path_style,
        })
    }

    /// How much of the hourly budget is used, and the 429s and retries
    /// seen so far.
    pub fn usage(&self) -> Usage {
        self.http.usage()
    }

    /// Every budget (plan) of the token's user. One request.
    ///
    /// Reads `data.plans`, or `data.budgets` from a server that answers in
    /// the older form (either way round for [`PathStyle::Budgets`]).
    ///
    /// # Errors
    /// See [`YnabClient`].
    pub async fn budgets(&self) -> Result<Vec<Budget>, YnabError> {
        let call = Call::get(vec![self.path_style.prefix().into()], Vec::new());
        let body = self.http.send(&call).await?;

        let data = Data::open(call.path(), &body)?;
        let (key, items) = data.array(&self.path_style.list_members())?;
        let budgets = data.parse_all(key, items, Budget::from_json)?;
        tracing::debug!(count = budgets.len(), "read YNAB budgets");
        Ok(budgets)
    }

    /// The accounts of a budget, notes included, changed since
    /// `last_knowledge` (all without it). One request.
    ///
    /// # Errors
    /// See [`YnabClient`].
    pub async fn accounts(
        &self,
        budget_id: &str,
        last_knowledge: Option<i64>,
    ) -> Result<Delta<Account>, YnabError> {
        let call = self.budget_get(budget_id, "accounts", knowledge_query(last_knowledge));
        let body = self.http.send(&call).await?;

        let delta = read_delta(&call, &body, "accounts", Account::from_json)?;
        log_delta("accounts", budget_id, &delta);
        Ok(delta)
    }

    /// The categories of a budget, flattened out of their groups (each
    /// carries `category_group_name`), changed since `last_knowledge`. A
    /// deleted group marks its categories deleted. One request.
    ///
    /// # Errors
    /// See [`YnabClient`].
    pub async fn categories(
        &self,
        budget_id: &str,
        last_knowledge: Option<i64>,
    ) -> Result<Delta<Category>, YnabError> {
        let call = self.budget_get(budget_id, "categories", knowledge_query(last_knowledge));
        let body = self.http.send(&call).await?;

        let data = Data::open(call.path(), &body)?;
        let server_knowledge = data.server_knowledge()?;
        let groups = data.records("category_groups", Category::from_group_json)?;
        let items = groups
            .into_iter()
            .flat_map(|(_, categories)| categories)
            .collect();
        let delta = Delta {
            items,
            server_knowledge,
        };
        log_delta("categories", budget_id, &delta);
        Ok(delta)
    }

    /// The transactions of a budget dated on or after `since`, changed
    /// since `last_knowledge`. One request.
    ///
    /// `since_date` is always sent: since API 1.85 YNAB returns only the
    /// last year without it. Pass an early date (2000-01-01) for all.
    ///
    /// # Errors
    /// See [`YnabClient`].
    pub async fn transactions(
        &self,
        budget_id: &str,
        since: NaiveDate,
        last_knowledge: Option<i64>,
    ) -> Result<Delta<Transaction>, YnabError> {
        let mut query = vec![("since_date", since.format("%Y-%m-%d").to_string())];
        query.extend(knowledge_query(last_knowledge));
        let call = self.budget_get(budget_id, "transactions", query);
        let body = self.http.send(&call).await?;

        let delta = read_delta(&call, &body, "transactions", Transaction::from_json)?;
        log_delta("transactions", budget_id, &delta);
        Ok(delta)
    }

    /// `/{plans|budgets}/{budget_id}/{rest...}` as path segments.
    pub(crate) fn budget_path(&self, budget_id: &str, rest: &[&str]) -> Vec<String> {
        let head = [self.path_style.prefix(), budget_id];
        head.iter().chain(rest).map(|s| (*s).to_owned()).collect()
    }

    fn budget_get(&self, budget_id: &str, what: &str, query: Vec<(&'static str, String)>) -> Call {
        Call::get(self.budget_path(budget_id, &[what]), query)
    }
}

/// `last_knowledge_of_server`, when known.
fn knowledge_query(last_knowledge: Option<i64>) -> Vec<(&'static str, String)> {
    last_knowledge
        .map(|k| ("last_knowledge_of_server", k.to_string()))
        .into_iter()
        .collect()
}

/// A `{"data": {key: [...], "server_knowledge": n}}` answer.
fn read_delta<T>(
    call: &Call,
    body: &Value,
    key: &str,
    parse: impl Fn(&Value) -> Result<T, domain::RecordError>,
) -> Result<Delta<T>, YnabError> {
    let data = Data::open(call.path(), body)?;
    let server_knowledge = data.server_knowledge()?;
    Ok(Delta {
        items: data.records(key, parse)?,
        server_knowledge,
    })
}

fn log_delta<T>(what: &'static str, budget_id: &str, delta: &Delta<T>) {
    tracing::debug!(
        budget.id = budget_id,
        count = delta.items.len(),
        server_knowledge = delta.server_knowledge,
        "read YNAB {what}"
    );
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    fn config() -> YnabConfig {
        YnabConfig::new(SecretString::from("tok-secret-123"))
    }

    fn refusal(config: YnabConfig) -> String {
        YnabClient::new(config).expect_err("refused").to_string()
    }

    #[test]
    fn neither_the_config_nor_the_client_shows_the_token_when_debugged() {
        let client = YnabClient::new(config()).expect("valid");

        let shown = format!("{:?} {client:?}", config());

        assert!(!shown.contains("tok-secret-123"), "{shown}");
    }

    #[test]
    fn an_empty_token_is_refused_at_start() {
        assert!(refusal(YnabConfig::default()).contains("token is empty"));
    }

    #[test]
    fn a_token_a_header_cannot_carry_is_refused_without_echoing_it() {
        let message = refusal(YnabConfig {
            token: "bad\ntoken".into(),
            ..config()
        });

        assert!(message.contains("characters a header cannot carry"));
        assert!(!message.contains("bad"), "{message}");
    }

    #[test]
    fn a_reserve_not_below_the_limit_is_refused() {
        let message = refusal(YnabConfig {
            hourly_limit: 10,
            reserve: 10,
            ..config()
        });

        assert!(message.contains("reserve (10) must be below the hourly limit (10)"));
    }

    #[test]
    fn a_base_url_that_is_not_http_is_refused_with_the_url() {
        let message = refusal(YnabConfig {
            base_url: "ftp://example.com/v1".into(),
            ..config()
        });

        assert!(message.contains("\"ftp://example.com/v1\""), "{message}");
    }

    #[test]
    fn budget_paths_follow_the_path_style() {
        let plans = YnabClient::new(config()).expect("valid");
        let budgets = YnabClient::new(YnabConfig {
            path_style: PathStyle::Budgets,
            ..config()
        })
        .expect("ok");

        assert_eq!(
            plans.budget_path("b1", &["transactions", "t1"]),
            ["plans", "b1", "transactions", "t1"]
        );
        assert_eq!(
            budgets.budget_path("b1", &["accounts"]),
            ["budgets", "b1", "accounts"]
        );
    }
}
