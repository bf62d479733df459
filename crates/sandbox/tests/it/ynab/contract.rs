//! Every YNAB answer checked against the official OpenAPI documents: the
//! `/plans` form against 1.85, the `/budgets` form against 1.76. OpenAPI's
//! `nullable` (3.0) is turned into JSON Schema's `null` type first.

use std::path::PathBuf;

use jsonschema::{Draft, Validator};
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::support::*;

/// The specs ship beside the repository, in `shared/specs`.
fn spec(file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/specs")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the YNAB spec {} must be readable: {e}", path.display()));
    let mut document: Value = serde_norway::from_str(&text).expect("the spec is YAML");
    to_json_schema(&mut document);
    document
}

/// Rewrites OpenAPI 3.0 `nullable: true` as a JSON Schema type union.
fn to_json_schema(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.remove("nullable") == Some(Value::Bool(true)) {
                allow_null(map);
            }
            map.values_mut().for_each(to_json_schema);
        }
        Value::Array(items) => items.iter_mut().for_each(to_json_schema),
        _ => {}
    }
}

fn allow_null(map: &mut Map<String, Value>) {
    if let Some(Value::Array(values)) = map.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    match map.get("type").cloned() {
        Some(Value::String(kind)) => {
            map.insert("type".to_owned(), json!([kind, "null"]));
        }
        Some(_) => {}
        None => {
            let inner = std::mem::take(map);
            map.insert(
                "anyOf".to_owned(),
                json!([Value::Object(inner), {"type": "null"}]),
            );
        }
    }
}

/// A validator for one of the spec's component schemas.
pub(super) struct Contract {
    document: Value,
}

impl Contract {
    pub(super) fn new(file: &str) -> Self {
        Self {
            document: spec(file),
        }
    }

    fn validator(&self, schema: &str) -> Validator {
        let root = json!({
            "$ref": format!("#/components/schemas/{schema}"),
            "components": self.document["components"],
        });
        jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .expect("the schema compiles")
    }

    pub(super) fn check(&self, schema: &str, what: &str, reply: &Reply) {
        let validator = self.validator(schema);
        let errors: Vec<String> = validator
            .iter_errors(&reply.body)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} does not match {schema}: {errors:#?}"
        );
    }
}

/// One request of the contract run and the schema its answer must match.
type Call = (&'static str, Method, String, Option<Value>);

/// Every route of one family, in an order where each write has something
/// to act on; the last two provoke a 409 and a 404.
fn calls(prefix: &str, summary: &'static str, detail: &'static str) -> Vec<Call> {
    let base = format!("/{prefix}/{BUDGET}");
    let txns = format!("{base}/transactions");
    let new_txn = json!({"account_id": CHECKING, "date": "2024-06-14", "amount": -1_000,
                         "payee_name": "Kiosk", "import_id": "c:1", "flag_color": "red"});
    let transfer = json!({"account_id": CHECKING, "date": "2024-06-14", "amount": -2_000,
                          "payee_id": SAVINGS_TRANSFER_PAYEE, "import_id": "c:2"});
    let patch = json!({"transactions": [{"import_id": "c:2", "memo": "m"}]});
    let one = |path: &str| format!("{txns}/{path}");
    vec![
        ("UserResponse", Method::GET, "/user".to_owned(), None),
        (
            summary,
            Method::GET,
            format!("/{prefix}?include_accounts=true"),
            None,
        ),
        (detail, Method::GET, base.clone(), None),
        (
            detail,
            Method::GET,
            format!("{base}?last_knowledge_of_server=0"),
            None,
        ),
        (
            "AccountsResponse",
            Method::GET,
            format!("{base}/accounts"),
            None,
        ),
        (
            "AccountResponse",
            Method::GET,
            format!("{base}/accounts/{CASH}"),
            None,
        ),
        (
            "CategoriesResponse",
            Method::GET,
            format!("{base}/categories"),
            None,
        ),
        (
            "PayeesResponse",
            Method::GET,
            format!("{base}/payees"),
            None,
        ),
        (
            "TransactionsResponse",
            Method::GET,
            format!("{txns}?since_date=2000-01-01"),
            None,
        ),
        (
            "TransactionsResponse",
            Method::GET,
            format!("{base}/accounts/{CHECKING}/transactions"),
            None,
        ),
        (
            "TransactionResponse",
            Method::GET,
            one(TRANSFER_OUT_TXN),
            None,
        ),
        (
            "SaveTransactionsResponse",
            Method::POST,
            txns.clone(),
            Some(json!({"transaction": new_txn})),
        ),
        (
            "SaveTransactionsResponse",
            Method::POST,
            txns.clone(),
            Some(json!({"transactions": [new_txn, transfer]})),
        ),
        (
            "SaveTransactionsResponse",
            Method::PATCH,
            txns.clone(),
            Some(patch),
        ),
        (
            "TransactionResponse",
            Method::PUT,
            one(GROCERIES_TXN),
            Some(json!({"transaction": {"memo": null}})),
        ),
        (
            "TransactionResponse",
            Method::DELETE,
            one(GROCERIES_TXN),
            None,
        ),
        (
            "TransactionsResponse",
            Method::GET,
            format!("{txns}?last_knowledge_of_server=1"),
            None,
        ),
        (
            "ErrorResponse",
            Method::POST,
            txns.clone(),
            Some(json!({"transaction": new_txn})),
        ),
        ("ErrorResponse", Method::GET, one("nope"), None),
    ]
}

/// Calls every route of one family and checks each answer.
async fn check_family(
    prefix: &str,
    contract: &Contract,
    summary: &'static str,
    detail: &'static str,
) {
    let ynab = TestYnab::start().await;

    for (schema, method, path, body) in calls(prefix, summary, detail) {
        let what = format!("{method} {path}");
        let reply = ynab.call(method, &path, body).await;
        contract.check(schema, &what, &reply);
    }
}

#[tokio::test]
async fn every_plans_answer_matches_the_1_85_spec() {
    let contract = Contract::new("ynab-openapi-1.85.0.yaml");

    check_family(
        "plans",
        &contract,
        "PlanSummaryResponse",
        "PlanDetailResponse",
    )
    .await;
}

#[tokio::test]
async fn every_budgets_answer_matches_the_1_76_spec() {
    let contract = Contract::new("ynab-openapi-1.76.0-budgets.yaml");

    check_family(
        "budgets",
        &contract,
        "BudgetSummaryResponse",
        "BudgetDetailResponse",
    )
    .await;
}

#[tokio::test]
async fn the_contract_check_catches_a_wrong_answer() {
    let contract = Contract::new("ynab-openapi-1.85.0.yaml");
    let wrong = Reply {
        status: 200,
        rate_limit: None,
        body: json!({"data": {"transactions": [{"id": "x", "amount": "1"}], "server_knowledge": 1}}),
    };

    let validator = contract.validator("TransactionsResponse");

    assert!(!validator.is_valid(&wrong.body));
}
