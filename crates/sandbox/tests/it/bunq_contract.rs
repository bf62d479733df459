//! The bunq half's answers checked against bunq's official swagger: every
//! `Response` item validates against the listing or create schema of its
//! endpoint, and every field name sent is one the schema defines.

use std::path::PathBuf;
use std::sync::OnceLock;

use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

use crate::helpers::{API_KEY, Answer, Bunq, device_body, sandbox};

/// The swagger ships beside the repository, in `shared/specs`.
fn swagger() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/specs/bunq-openapi-swagger.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("the bunq swagger {} must be readable: {e}", path.display())
        });
        serde_json::from_str(&text).expect("the swagger is JSON")
    })
}

fn schema(name: &str) -> &'static Value {
    &swagger()["components"]["schemas"][name]
}

fn validator(name: &str) -> Validator {
    let root = json!({"$ref": format!("#/components/schemas/{name}"),
                      "components": swagger()["components"]});
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .build(&root)
        .expect("schema compiles")
}

/// Field names in `value` that the schema (followed through `$ref`s) does
/// not define, as JSON pointers.
fn unknown_fields(schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            self::schema(name)
        }
        None => schema,
    };
    match value {
        Value::Object(map) => {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            for (key, inner) in map {
                match properties.get(key) {
                    Some(property) => unknown_fields(property, inner, &format!("{at}/{key}"), out),
                    None => out.push(format!("{at}/{key}")),
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (index, inner) in items.iter().enumerate() {
                    unknown_fields(item, inner, &format!("{at}/{index}"), out);
                }
            }
        }
        _ => {}
    }
}

/// Checks every `Response` item (or its inner object, for `Payment`)
/// against `name`, both by validation and by field names.
fn check(what: &str, answer: &Answer, name: &str, unwrap: Option<&str>) {
    check_except(what, answer, name, unwrap, &[]);
}

/// [`check`], allowing some top-level fields the schema does not name.
fn check_except(what: &str, answer: &Answer, name: &str, unwrap: Option<&str>, extra: &[&str]) {
    assert_eq!(
        answer.status,
        200,
        "{what}: {}",
        String::from_utf8_lossy(&answer.body)
    );
    let body = answer.json();
    let validator = validator(name);
    for (index, item) in body["Response"]
        .as_array()
        .expect("Response list")
        .iter()
        .enumerate()
    {
        let item = unwrap.map_or(item, |key| &item[key]);
        let errors: Vec<String> = validator
            .iter_errors(item)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} item {index} does not match {name}: {errors:#?}"
        );
        let mut unknown = Vec::new();
        unknown_fields(schema(name), item, "", &mut unknown);
        unknown.retain(|field| !extra.iter().any(|e| field == &format!("/{e}")));
        assert!(
            unknown.is_empty(),
            "{what} item {index} sends fields {name} lacks: {unknown:?}"
        );
    }
}

#[tokio::test]
async fn the_context_flow_answers_match_the_swagger() {
    let sandbox = sandbox().await;
    let mut bunq = Bunq::new(&sandbox);

    let installation_token = bunq.install().await;
    bunq.token = Some(installation_token);
    let device = bunq.post("/device-server", &device_body(API_KEY)).await;
    let session = bunq
        .post("/session-server", &json!({"secret": API_KEY}))
        .await;

    check("device-server", &device, "DeviceServerCreate", Some("Id"));
    check("session-server", &session, "SessionServerCreate", None);
}

#[tokio::test]
async fn user_account_and_payment_answers_match_the_swagger() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;
    let account = sandbox.household().accounts[0].id;
    let payment = sandbox.bunq().payments(account)[0].id;
    let payments = format!("/monetary-account/{account}/payment");
    let reads = [
        ("/user".to_owned(), "UserListing", None),
        (bunq.user_path(""), "UserListing", None),
        (
            bunq.user_path("/monetary-account?count=200"),
            "MonetaryAccountListing",
            None,
        ),
        (
            bunq.user_path("/monetary-account-bank"),
            "MonetaryAccountBankListing",
            Some("MonetaryAccountBank"),
        ),
        (
            bunq.user_path("/monetary-account-savings"),
            "MonetaryAccountSavings",
            Some("MonetaryAccountSavings"),
        ),
        (
            bunq.user_path("/monetary-account-joint"),
            "MonetaryAccountJoint",
            Some("MonetaryAccountJoint"),
        ),
        (
            bunq.user_path(&format!("{payments}?count=200")),
            "PaymentListing",
            Some("Payment"),
        ),
        (
            bunq.user_path(&format!("{payments}/{payment}")),
            "PaymentRead",
            Some("Payment"),
        ),
    ];

    for (path, schema, unwrap) in reads {
        let answer = bunq.get(&path).await;
        check(&path, &answer, schema, unwrap);
    }
}

#[tokio::test]
async fn notification_filter_answers_match_the_swagger_filter_fields() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;
    let path = bunq.user_path("/notification-filter-url");
    let target = "https://callback.example/payment";
    let filters = json!({"notification_filters": [
        {"category": "MUTATION", "notification_target": target}]});

    let set = bunq.post(&path, &filters).await;
    let listed = bunq.get(&path).await;

    // bunq adds its usual id and times to each filter; the swagger's
    // NotificationFilter schema leaves them out.
    let stamps = ["id", "created", "updated"];
    let wrapper = Some("NotificationFilterUrl");
    check_except("set filters", &set, "NotificationFilter", wrapper, &stamps);
    check_except("filters", &listed, "NotificationFilter", wrapper, &stamps);
}

#[tokio::test]
async fn error_answers_match_the_swagger_error_schema() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;

    let answer = bunq.get(&bunq.user_path("/monetary-account/1")).await;

    assert_eq!(answer.status, 404);
    let errors: Vec<String> = validator("Error")
        .iter_errors(&answer.json()["Error"])
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(answer.json()["Error"][0]["error_description_translated"].is_string());
}
