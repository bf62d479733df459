//! Every answer of the sandbox's YNAB half, checked against the YNAB
//! document of its path family: `/plans` against 1.85, `/budgets` against
//! 1.76. Reads with and without `last_knowledge_of_server`, single and
//! bulk creates, updates, and error answers.

use contract::Spec;
use reqwest::Method;
use sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};

use super::helpers::*;

/// Raw YNAB calls with a bearer token.
struct YnabRaw {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl YnabRaw {
    fn new(sandbox: &Sandbox, token: &str) -> Self {
        Self {
            http: http(),
            base: sandbox.ynab_url(),
            token: token.to_owned(),
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.expect("the YNAB half answers")).await
    }
}

/// Calls `method path` (relative to `/v1`) and checks the answer has
/// `status` and keeps to `spec`; returns the body.
async fn checked(
    raw: &YnabRaw,
    spec: &Spec,
    (method, path, body): (Method, String, Option<Value>),
    status: u16,
) -> Value {
    let answer = raw.call(method.clone(), &path, body).await;
    assert_eq!(answer.status, status, "{method} {path}: {}", answer.body);
    let bare = format!("/v1{}", path.split('?').next().unwrap_or(&path));
    assert_keeps(spec.validate_response(method.as_str(), &bare, status, &answer.body));
    answer.body
}

/// The reads of one path family.
fn reads(prefix: &str, sandbox: &Sandbox) -> Vec<(Method, String, Option<Value>)> {
    let budget = &sandbox.household().budgets[0];
    let base = format!("/{prefix}/{}", budget.id);
    let account = &budget.accounts[0].id;
    let txn = &budget.transactions[0].id;
    let get = |path: String| (Method::GET, path, None);
    vec![
        get(format!("/{prefix}")),
        get(format!("/{prefix}?include_accounts=true")),
        get(base.clone()),
        get(format!("{base}?last_knowledge_of_server=0")),
        get(format!("{base}/accounts")),
        get(format!("{base}/accounts?last_knowledge_of_server=0")),
        get(format!("{base}/accounts/{account}")),
        get(format!("{base}/categories")),
        get(format!("{base}/categories?last_knowledge_of_server=0")),
        get(format!("{base}/payees")),
        get(format!("{base}/transactions?since_date=2000-01-01")),
        get(format!("{base}/transactions?last_knowledge_of_server=0")),
        get(format!("{base}/accounts/{account}/transactions")),
        get(format!(
            "{base}/accounts/{account}/transactions?last_knowledge_of_server=0"
        )),
        get(format!("{base}/transactions/{txn}")),
    ]
}

/// A transaction to create, dated today.
fn new_transaction(account: &str, import_id: &str) -> Value {
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    json!({"account_id": account, "date": today, "amount": -12_340, "payee_name": "Kiosk",
           "memo": "contract", "cleared": "uncleared", "approved": false,
           "flag_color": "blue", "import_id": import_id})
}

async fn check_family(prefix: &str, spec: &Spec) {
    let sandbox = sandbox().await;
    let raw = YnabRaw::new(&sandbox, YNAB_TOKEN);
    let budget = sandbox.household().budgets[0].clone();
    let (base, account) = (
        format!("/{prefix}/{}", budget.id),
        budget.accounts[0].id.clone(),
    );
    let txns = format!("{base}/transactions");

    for call in reads(prefix, &sandbox) {
        checked(&raw, spec, call, 200).await;
    }
    let one = json!({"transaction": new_transaction(&account, "contract:1")});
    let many = json!({"transactions": [new_transaction(&account, "contract:2"),
                                       new_transaction(&account, "contract:3")]});
    let created = checked(&raw, spec, (Method::POST, txns.clone(), Some(one)), 201).await;
    checked(&raw, spec, (Method::POST, txns.clone(), Some(many)), 201).await;
    let id = created["data"]["transaction"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let patch = json!({"transactions": [{"id": id, "memo": "patched"}]});
    checked(&raw, spec, (Method::PATCH, txns.clone(), Some(patch)), 209).await;
    let put = json!({"transaction": {"memo": null, "flag_color": null}});
    checked(
        &raw,
        spec,
        (Method::PUT, format!("{txns}/{id}"), Some(put)),
        200,
    )
    .await;
    checked(
        &raw,
        spec,
        (
            Method::GET,
            format!("{txns}?last_knowledge_of_server=1"),
            None,
        ),
        200,
    )
    .await;
    checked(
        &raw,
        spec,
        (Method::DELETE, format!("{txns}/{id}"), None),
        200,
    )
    .await;

    sandbox.shutdown().await;
}

#[tokio::test]
async fn every_plans_answer_matches_ynab_1_85() {
    check_family("plans", plans_spec()).await;
}

#[tokio::test]
async fn every_budgets_answer_matches_ynab_1_76() {
    check_family("budgets", budgets_spec()).await;
}

#[tokio::test]
async fn the_user_answer_matches_both_documents() {
    let sandbox = sandbox().await;
    let raw = YnabRaw::new(&sandbox, YNAB_TOKEN);

    let answer = raw.call(Method::GET, "/user", None).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    for spec in [plans_spec(), budgets_spec()] {
        assert_keeps(spec.validate_response("GET", "/v1/user", 200, &answer.body));
    }
    sandbox.shutdown().await;
}

/// Checks an error answer against `spec`, documented or shared.
fn check_error(spec: &Spec, method: &Method, path: &str, answer: &Answer, status: u16) {
    assert_eq!(answer.status, status, "{method} {path}: {}", answer.body);
    let bare = format!("/v1{}", path.split('?').next().unwrap_or(path));
    spec.validate_error_response(method.as_str(), &bare, status, &answer.body)
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn ynab_error_answers_match_the_error_schema() {
    for (prefix, spec) in [("plans", plans_spec()), ("budgets", budgets_spec())] {
        let sandbox = sandbox().await;
        let raw = YnabRaw::new(&sandbox, YNAB_TOKEN);
        let stranger = YnabRaw::new(&sandbox, "not-the-token");
        let budget = sandbox.household().budgets[0].clone();
        let txns = format!("/{prefix}/{}/transactions", budget.id);
        let one = json!({"transaction": new_transaction(&budget.accounts[0].id, "contract:dup")});

        let bad_date = format!("{txns}?since_date=yesterday");
        let bad = raw.call(Method::GET, &bad_date, None).await;
        let unauthorised = stranger
            .call(Method::GET, &format!("/{prefix}"), None)
            .await;
        let missing_path = format!("{txns}/00000000-0000-4000-8000-000000000000");
        let missing = raw.call(Method::GET, &missing_path, None).await;
        raw.call(Method::POST, &txns, Some(one.clone())).await;
        let duplicate = raw.call(Method::POST, &txns, Some(one)).await;

        check_error(spec, &Method::GET, &bad_date, &bad, 400);
        check_error(
            spec,
            &Method::GET,
            &format!("/{prefix}"),
            &unauthorised,
            401,
        );
        check_error(spec, &Method::GET, &missing_path, &missing, 404);
        check_error(spec, &Method::POST, &txns, &duplicate, 409);
        sandbox.shutdown().await;
    }
}

#[tokio::test]
async fn the_ynab_rate_limit_answer_matches_the_error_schema() {
    let config = SandboxConfig {
        ynab_hourly_limit: 1,
        ..SandboxConfig::default()
    };
    let sandbox = start(config).await;
    let raw = YnabRaw::new(&sandbox, YNAB_TOKEN);

    raw.call(Method::GET, "/plans", None).await;
    let limited = raw.call(Method::GET, "/plans", None).await;
    let limited_budgets = raw.call(Method::GET, "/budgets", None).await;

    check_error(plans_spec(), &Method::GET, "/plans", &limited, 429);
    check_error(
        budgets_spec(),
        &Method::GET,
        "/budgets",
        &limited_budgets,
        429,
    );
    sandbox.shutdown().await;
}
