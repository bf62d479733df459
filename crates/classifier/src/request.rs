//! The inference request: the payments as the old system's pandas codec
//! encoded a data frame of bunq payments, one input per field.

use domain::bunq::Payment;
use serde_json::{Value, json};

/// How one payment field is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An integer: `INT64`.
    Int,
    /// Text: `BYTES` with `content_type: str`.
    Text,
    /// An object or list: `BYTES` holding its JSON, `content_type: pd_json`.
    Json,
    /// A timestamp: `BYTES` holding an ISO date-time, no content type.
    Time,
}

/// The payment fields sent, in the order the old model was trained on.
pub const PAYMENT_FIELDS: [&str; 13] = [
    "id",
    "alias",
    "amount",
    "attachment",
    "balance_after_mutation",
    "counterparty_alias",
    "created",
    "description",
    "monetary_account_id",
    "request_reference_split_the_bill",
    "sub_type",
    "type",
    "updated",
];

fn kind(field: &str) -> Kind {
    match field {
        "id" | "monetary_account_id" => Kind::Int,
        "created" | "updated" => Kind::Time,
        "description" | "sub_type" | "type" => Kind::Text,
        _ => Kind::Json,
    }
}

/// The V2 request body for `payments`, one row each.
pub fn infer_request(payments: &[&Payment]) -> Value {
    let inputs: Vec<Value> = PAYMENT_FIELDS
        .iter()
        .map(|field| input(field, payments))
        .collect();
    json!({ "parameters": { "content_type": "pd" }, "inputs": inputs })
}

fn input(field: &str, payments: &[&Payment]) -> Value {
    let kind = kind(field);
    let data: Vec<Value> = payments.iter().map(|p| cell(field, kind, p)).collect();
    let datatype = if kind == Kind::Int { "INT64" } else { "BYTES" };
    let mut input = json!({
        "name": field, "shape": [payments.len(), 1], "datatype": datatype, "data": data,
    });
    let content_type = match kind {
        Kind::Text => Some("str"),
        Kind::Json => Some("pd_json"),
        Kind::Int | Kind::Time => None,
    };
    if let (Some(content_type), Some(object)) = (content_type, input.as_object_mut()) {
        object.insert("parameters".into(), json!({ "content_type": content_type }));
    }
    input
}

fn cell(field: &str, kind: Kind, payment: &Payment) -> Value {
    match (field, kind) {
        ("id", _) => json!(payment.id),
        ("monetary_account_id", _) => json!(payment.monetary_account_id),
        ("created", _) => json!(iso(payment.created)),
        ("updated", _) => json!(iso(payment.updated)),
        (_, Kind::Text) => json!(
            payment
                .raw
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default()
        ),
        _ => json!(payment.raw.get(field).unwrap_or(&Value::Null).to_string()),
    }
}

fn iso(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment(id: i64) -> Payment {
        Payment::from_json(&json!({
            "id": id, "monetary_account_id": 5, "created": "2024-05-01 10:11:12.123456",
            "updated": "2024-05-01 10:11:12.123456", "amount": {"value": "-12.34", "currency": "EUR"},
            "description": "Groceries", "type": "MASTERCARD", "sub_type": "PAYMENT",
            "counterparty_alias": {"display_name": "AH"}, "alias": {"iban": "NL91ABNA0417164300"}
        }))
        .expect("valid payment")
    }

    #[test]
    fn each_field_is_one_input_with_one_row_per_payment() {
        let (a, b) = (payment(1), payment(2));

        let body = infer_request(&[&a, &b]);

        let inputs = body["inputs"].as_array().expect("inputs");
        assert_eq!(inputs.len(), 13);
        assert_eq!(
            inputs[0],
            json!({"name": "id", "shape": [2, 1], "datatype": "INT64", "data": [1, 2]})
        );
        let amount = &inputs[2];
        assert_eq!(amount["parameters"]["content_type"], "pd_json");
        let encoded = amount["data"][0].as_str().expect("a JSON string");
        let decoded: Value = serde_json::from_str(encoded).expect("JSON");
        assert_eq!(decoded, json!({"value": "-12.34", "currency": "EUR"}));
        assert_eq!(inputs[6]["data"][0], "2024-05-01T10:11:12.123456");
        assert!(inputs[6].get("parameters").is_none());
        assert_eq!(inputs[7]["parameters"]["content_type"], "str");
        assert_eq!(inputs[3]["data"][0], "null");
    }
}
