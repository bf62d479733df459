//! The harness itself, against the real documents: a deliberately wrong
//! request or answer is refused, so that a passing contract test means
//! something. Each wrong case sits next to its right twin.

use std::collections::BTreeMap;

use contract::{ContractError, Dialect, HttpRequest, Spec, Strictness, YNAB_PLANS_SPEC};
use serde_json::{Value, json};

use super::helpers::*;

const PLAN: &str = "0b7f3c1e-1234-4cde-8f00-123456789abc";
const ACCOUNT: &str = "5b2a6d6a-1111-4c6e-9d2a-000000000001";

fn headers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn ynab_create(
    spec: &Spec,
    body: &Value,
    headers: &BTreeMap<String, String>,
) -> Result<(), ContractError> {
    let path = format!("/v1/plans/{PLAN}/transactions");
    spec.validate_request(&HttpRequest {
        method: "POST",
        path: &path,
        query: None,
        headers,
        body,
    })
}

fn bearer() -> BTreeMap<String, String> {
    headers(&[
        ("authorization", "Bearer <redacted>"),
        ("content-type", "application/json"),
    ])
}

fn transaction(amount: Value) -> Value {
    json!({"transaction": {"account_id": ACCOUNT, "date": "2024-06-14", "amount": amount,
                           "payee_name": "Kiosk", "import_id": "bunq:1"}})
}

fn problems_of(result: Result<(), ContractError>) -> Vec<String> {
    match result {
        Err(error) => error.problems().to_vec(),
        Ok(()) => panic!("the wrong value was accepted"),
    }
}

#[test]
fn a_ynab_transaction_with_a_string_amount_is_refused() {
    let spec = plans_spec();

    let right = ynab_create(spec, &transaction(json!(-1000)), &bearer());
    let wrong = ynab_create(spec, &transaction(json!("-1000")), &bearer());

    assert_keeps(right);
    let problems = problems_of(wrong);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("body/transaction/amount")),
        "{problems:?}"
    );
}

#[test]
fn a_field_no_document_describes_is_refused_only_when_undocumented_fields_are_checked() {
    let as_written = Spec::load(YNAB_PLANS_SPEC, Dialect::Plain, Strictness::AsWritten)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut body = transaction(json!(-1000));
    body["transaction"]["flag"] = json!("blue");

    let lenient = ynab_create(&as_written, &body, &bearer());
    let strict = ynab_create(plans_spec(), &body, &bearer());

    assert_keeps(lenient);
    let problems = problems_of(strict);
    assert!(problems.iter().any(|p| p.contains("flag")), "{problems:?}");
}

#[test]
fn a_ynab_request_without_a_bearer_token_or_with_an_unknown_query_is_refused() {
    let spec = plans_spec();
    let no_token = headers(&[("content-type", "application/json")]);
    let path = format!("/v1/plans/{PLAN}/transactions");
    let empty = BTreeMap::new();
    let query = |q| HttpRequest {
        method: "GET",
        path: &path,
        query: Some(q),
        headers: &empty,
        body: &Value::Null,
    };

    let unauthenticated = problems_of(ynab_create(spec, &transaction(json!(1)), &no_token));
    let unknown = spec.validate_request(&query("since_date=2024-01-01&page=2"));
    let bad_date = spec.validate_request(&query("since_date=yesterday"));

    assert!(
        unauthenticated.iter().any(|p| p.starts_with("security")),
        "{unauthenticated:?}"
    );
    assert!(problems_of(unknown).iter().any(|p| p.contains("page")));
    assert!(
        problems_of(bad_date)
            .iter()
            .any(|p| p.contains("since_date"))
    );
}

/// A one-payment listing answer whose amount value is `value`.
fn payment_page(value: Value) -> Value {
    json!({"Response": [{"Payment": {"id": 7, "monetary_account_id": 2,
                                      "amount": {"value": value, "currency": "EUR"},
                                      "description": "Bakkerij", "type": "MAESTRO"}}],
           "Pagination": {"future_url": "/v1/user/1/monetary-account/2/payment?count=10&newer_id=7",
                          "newer_url": null, "older_url": null}})
}

#[test]
fn a_bunq_payment_with_a_numeric_amount_value_is_refused() {
    let spec = bunq_spec();
    let path = "/v1/user/1/monetary-account/2/payment";

    let right = spec.validate_response("GET", path, 200, &payment_page(json!("-12.34")));
    let wrong = spec.validate_response("GET", path, 200, &payment_page(json!(-12.34)));

    assert_keeps(right);
    let problems = problems_of(wrong);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("/Response/0/Payment/amount/value")),
        "{problems:?}"
    );
}

#[test]
fn a_bunq_answer_with_a_broken_envelope_is_refused() {
    let spec = bunq_spec();
    let path = "/v1/user/1/monetary-account/2/payment";
    let mut wrong_wrapper = payment_page(json!("1.00"));
    wrong_wrapper["Response"][0] = json!({"MonetaryAccountBank": {"id": 7}});
    let mut no_pagination = payment_page(json!("1.00"));
    no_pagination
        .as_object_mut()
        .map(|o| o.remove("Pagination"));
    let mut misspelt = payment_page(json!("1.00"));
    misspelt["Response"][0]["Payment"]["balance_after"] = json!({"value": "1.00"});
    let bare_error = json!({"Error": [{"error_description_translated": "x"}]});

    let wrapper = problems_of(spec.validate_response("GET", path, 200, &wrong_wrapper));
    let paging = problems_of(spec.validate_response("GET", path, 200, &no_pagination));
    let error = problems_of(spec.validate_response("GET", path, 400, &bare_error));
    let undocumented = problems_of(spec.validate_response("GET", path, 200, &misspelt));

    assert!(
        wrapper
            .iter()
            .any(|p| p.contains("\"Payment\" is expected")),
        "{wrapper:?}"
    );
    assert!(
        paging.iter().any(|p| p.starts_with("/Pagination")),
        "{paging:?}"
    );
    assert!(
        error.iter().any(|p| p.contains("error_description")),
        "{error:?}"
    );
    assert!(
        undocumented.iter().any(|p| p.contains("balance_after")),
        "{undocumented:?}"
    );
}

#[test]
fn a_bunq_request_without_the_authentication_header_is_refused_except_for_installation() {
    let spec = bunq_spec();
    let anonymous = headers(&[("user-agent", "t"), ("content-type", "application/json")]);
    let install_body = json!({"client_public_key": "-----BEGIN PUBLIC KEY-----"});
    let install = HttpRequest {
        method: "POST",
        path: "/v1/installation",
        query: None,
        headers: &anonymous,
        body: &install_body,
    };
    let user = HttpRequest {
        method: "GET",
        path: "/v1/user",
        query: None,
        headers: &anonymous,
        body: &Value::Null,
    };

    assert_keeps(spec.validate_request(&install));
    let problems = problems_of(spec.validate_request(&user));
    assert!(
        problems
            .iter()
            .any(|p| p.contains("X-Bunq-Client-Authentication")),
        "{problems:?}"
    );
}

#[test]
fn a_path_or_method_the_document_lacks_is_an_error() {
    let spec = bunq_spec();

    let path = spec.operation("GET", "/v1/user/1/no-such-thing");
    let method = spec.operation("DELETE", "/v1/user/1/monetary-account/2/payment");
    let outside = spec.operation("GET", "/v2/user");

    assert!(
        matches!(path, Err(ContractError::UnknownPath { .. })),
        "{path:?}"
    );
    assert!(
        matches!(method, Err(ContractError::UnknownMethod { .. })),
        "{method:?}"
    );
    assert!(
        matches!(outside, Err(ContractError::UnknownPath { .. })),
        "{outside:?}"
    );
}

#[test]
fn an_undocumented_success_status_is_an_error() {
    let spec = plans_spec();
    let path = format!("/v1/plans/{PLAN}/transactions");

    let result = spec.validate_response("POST", &path, 200, &json!({"data": {}}));

    assert!(
        matches!(
            result,
            Err(ContractError::UndocumentedStatus { status: 200, .. })
        ),
        "{result:?}"
    );
}
