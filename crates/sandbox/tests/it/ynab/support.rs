//! A small, hand-built household for the YNAB tests and a YNAB sandbox
//! served on a free local port, with a manual clock the tests control.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use domain::Milliunits;
use reqwest::Method;
use sandbox::household::{
    Budget, BudgetAccount, BudgetTransaction, Category, CategoryGroup, Household, User, UserKind,
};
use sandbox::ynab::{Clock, YnabSettings, YnabState, router};
use serde_json::Value;

/// The token the test sandbox accepts.
pub const TOKEN: &str = "test-ynab-token";

/// The "Household" budget.
pub const BUDGET: &str = "b0000000-0000-4000-8000-000000000001";
/// The "Side project" budget.
pub const SIDE_BUDGET: &str = "b0000000-0000-4000-8000-000000000002";
/// Checking account of the household budget.
pub const CHECKING: &str = "a0000000-0000-4000-8000-000000000001";
/// Savings account of the household budget.
pub const SAVINGS: &str = "a0000000-0000-4000-8000-000000000002";
/// Cash account of the household budget (no note).
pub const CASH: &str = "a0000000-0000-4000-8000-000000000003";
/// The side project's only account.
pub const SIDE_ACCOUNT: &str = "a0000000-0000-4000-8000-000000000004";
/// The payee that transfers into savings.
pub const SAVINGS_TRANSFER_PAYEE: &str = "c0000000-0000-4000-8000-000000000002";
/// The payee that transfers into checking.
pub const CHECKING_TRANSFER_PAYEE: &str = "c0000000-0000-4000-8000-000000000001";
/// Groceries.
pub const GROCERIES: &str = "d0000000-0000-4000-8000-000000000001";
/// Eating out.
pub const EATING_OUT: &str = "d0000000-0000-4000-8000-000000000002";
/// Inflow: Ready to Assign.
pub const INCOME: &str = "d0000000-0000-4000-8000-000000000003";
/// The "Living" category group.
pub const LIVING: &str = "f0000000-0000-4000-8000-000000000001";
/// The "Income" category group.
pub const INCOME_GROUP: &str = "f0000000-0000-4000-8000-000000000002";
/// The side project's hosting category.
pub const HOSTING: &str = "d0000000-0000-4000-8000-000000000009";
/// A groceries transaction in checking.
pub const GROCERIES_TXN: &str = "e0000000-0000-4000-8000-000000000001";
/// An eating-out transaction in checking.
pub const EATING_OUT_TXN: &str = "e0000000-0000-4000-8000-000000000002";
/// The salary, in checking.
pub const SALARY_TXN: &str = "e0000000-0000-4000-8000-000000000003";
/// The checking side of the historical transfer to savings.
pub const TRANSFER_OUT_TXN: &str = "e0000000-0000-4000-8000-000000000004";
/// The savings side of that transfer.
pub const TRANSFER_IN_TXN: &str = "e0000000-0000-4000-8000-000000000005";
/// A cash transaction dated two years before [`now`].
pub const OLD_CASH_TXN: &str = "e0000000-0000-4000-8000-000000000006";

/// An uncategorised, approved groceries transaction in checking.
pub const UNCATEGORISED_TXN: &str = "e0000000-0000-4000-8000-000000000007";

/// The instant the tests' manual clock starts at.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 15, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A date in the fixture's calendar.
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn account(id: &str, name: &str, kind: &str, note: Option<&str>, payee: &str) -> BudgetAccount {
    BudgetAccount {
        id: id.to_owned(),
        name: name.to_owned(),
        account_type: kind.to_owned(),
        note: note.map(str::to_owned),
        transfer_payee_id: payee.to_owned(),
        closed: false,
    }
}

fn txn(id: &str, account_id: &str, day: NaiveDate, amount: i64) -> BudgetTransaction {
    BudgetTransaction {
        id: id.to_owned(),
        account_id: account_id.to_owned(),
        date: day,
        amount: Milliunits(amount),
        payee_name: None,
        memo: None,
        category_id: None,
        transfer_account_id: None,
        cleared: "cleared".to_owned(),
        approved: true,
        bunq_payment_id: None,
    }
}

/// A purchase (or income) with a payee and maybe a category.
fn bought(t: BudgetTransaction, payee: &str, category: Option<&str>) -> BudgetTransaction {
    BudgetTransaction {
        payee_name: Some(payee.to_owned()),
        category_id: category.map(str::to_owned),
        ..t
    }
}

/// One side of a transfer to `other`.
fn transfer(t: BudgetTransaction, other: &str) -> BudgetTransaction {
    BudgetTransaction {
        transfer_account_id: Some(other.to_owned()),
        ..t
    }
}

fn group(id: &str, name: &str, categories: &[(&str, &str)]) -> CategoryGroup {
    CategoryGroup {
        id: id.to_owned(),
        name: name.to_owned(),
        categories: categories
            .iter()
            .map(|(id, name)| Category {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
            })
            .collect(),
    }
}

fn history() -> Vec<BudgetTransaction> {
    vec![
        bought(
            txn(GROCERIES_TXN, CHECKING, date(2024, 6, 1), -12_340),
            "Albert Heijn",
            Some(GROCERIES),
        ),
        bought(
            txn(EATING_OUT_TXN, CHECKING, date(2024, 6, 2), -45_000),
            "De Kas",
            Some(EATING_OUT),
        ),
        bought(
            txn(SALARY_TXN, CHECKING, date(2024, 5, 25), 2_500_000),
            "Employer BV",
            Some(INCOME),
        ),
        transfer(
            txn(TRANSFER_OUT_TXN, CHECKING, date(2024, 6, 3), -100_000),
            SAVINGS,
        ),
        transfer(
            txn(TRANSFER_IN_TXN, SAVINGS, date(2024, 6, 3), 100_000),
            CHECKING,
        ),
        bought(
            txn(OLD_CASH_TXN, CASH, date(2022, 6, 10), -5_000),
            "Market",
            Some(GROCERIES),
        ),
        bought(
            txn(UNCATEGORISED_TXN, CHECKING, date(2024, 6, 10), -3_000),
            "Albert Heijn",
            None,
        ),
    ]
}

fn household_budget() -> Budget {
    let cash_payee = "c0000000-0000-4000-8000-000000000003";
    Budget {
        id: BUDGET.to_owned(),
        name: "Household".to_owned(),
        accounts: vec![
            account(
                CHECKING,
                "bunq Current",
                "checking",
                Some("NL12 BUNQ 2012 3456 78"),
                CHECKING_TRANSFER_PAYEE,
            ),
            account(
                SAVINGS,
                "bunq Savings",
                "savings",
                Some("nl34bunq2098765432"),
                SAVINGS_TRANSFER_PAYEE,
            ),
            account(CASH, "Cash", "cash", None, cash_payee),
        ],
        category_groups: vec![
            group(
                LIVING,
                "Living",
                &[(GROCERIES, "Groceries"), (EATING_OUT, "Eating out")],
            ),
            group(
                INCOME_GROUP,
                "Income",
                &[(INCOME, "Inflow: Ready to Assign")],
            ),
        ],
        transactions: history(),
    }
}

fn side_budget() -> Budget {
    Budget {
        id: SIDE_BUDGET.to_owned(),
        name: "Side project".to_owned(),
        accounts: vec![account(
            SIDE_ACCOUNT,
            "Side bank",
            "checking",
            None,
            "c0000000-0000-4000-8000-000000000004",
        )],
        category_groups: vec![group(
            "f0000000-0000-4000-8000-000000000003",
            "Costs",
            &[(HOSTING, "Hosting")],
        )],
        transactions: Vec::new(),
    }
}

/// The fixture household: two budgets, no bunq side.
pub fn household() -> Household {
    Household {
        user: User {
            id: 1001,
            display_name: "Test User".to_owned(),
            legal_name: "Test User".to_owned(),
            public_nick_name: "Test".to_owned(),
            kind: UserKind::Person,
        },
        accounts: Vec::new(),
        payments: Vec::new(),
        budgets: vec![household_budget(), side_budget()],
    }
}

/// One answer from the sandbox.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The `X-Rate-Limit` header, when sent.
    pub rate_limit: Option<String>,
    /// The JSON body (`Null` when the body is not JSON).
    pub body: Value,
}

impl Reply {
    /// `body.data`.
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// `body.error.detail`, or "" when absent.
    pub fn detail(&self) -> &str {
        self.body["error"]["detail"].as_str().unwrap_or_default()
    }
}

/// A running YNAB sandbox.
pub struct TestYnab {
    /// `http://127.0.0.1:PORT/v1`.
    pub url: String,
    /// Its state, for the test helpers.
    pub state: Arc<YnabState>,
    /// Its clock.
    pub clock: Clock,
    client: reqwest::Client,
}

impl TestYnab {
    /// Serves the fixture household with YNAB's default limit.
    pub async fn start() -> Self {
        Self::start_with_limit(YnabSettings::DEFAULT_HOURLY_LIMIT).await
    }

    /// Serves the fixture household allowing `limit` requests per hour.
    pub async fn start_with_limit(limit: u32) -> Self {
        Self::serve(&household(), now(), limit).await
    }

    /// Serves `household` with the clock at `at`, allowing `limit`
    /// requests per hour.
    pub async fn serve(household: &Household, at: DateTime<Utc>, limit: u32) -> Self {
        let clock = Clock::manual(at);
        let settings = YnabSettings {
            hourly_limit: limit,
            clock: clock.clone(),
            ..YnabSettings::new(TOKEN)
        };
        let state = Arc::new(YnabState::new(household, settings));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a local port");
        let port = listener.local_addr().expect("local address").port();
        let app = router(Arc::clone(&state));
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client");
        Self {
            url: format!("http://127.0.0.1:{port}/v1"),
            state,
            clock,
            client,
        }
    }

    /// Sends a request with the right token.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.call_as(Some(TOKEN), method, path, body).await
    }

    /// Sends a request with `token` (or none).
    pub async fn call_as(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.client.request(method, format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status().as_u16();
        let rate_limit = response
            .headers()
            .get("x-rate-limit")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response.bytes().await.expect("a body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            rate_limit,
            body,
        }
    }

    /// Sends a raw body.
    pub async fn send_raw(&self, method: Method, path: &str, body: &'static str) -> Reply {
        let response = self
            .client
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(TOKEN)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("the sandbox answers");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        Reply {
            status,
            rate_limit: None,
            body,
        }
    }

    /// `GET`.
    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    /// `POST` with a JSON body.
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    /// `PUT` with a JSON body.
    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(body)).await
    }

    /// `PATCH` with a JSON body.
    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(body)).await
    }

    /// `DELETE`.
    pub async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, None).await
    }
}

/// The ids of a transaction list.
pub fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|t| t["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
