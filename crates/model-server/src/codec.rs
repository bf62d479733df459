//! Request decoding: V2 input tensors into [`learning::PaymentFeatures`],
//! one per row. Two forms are read: the pandas codec the old system sent
//! (one input per payment field, shape `[rows, 1]`, objects as JSON text
//! with `content_type: pd_json`), and a plain form with one `payment`
//! input of whole bunq payments (JSON text or objects), shape `[rows]`.

use chrono::NaiveDateTime;
use learning::PaymentFeatures;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::protocol::{InferenceRequest, RequestInput};

/// The name of the plain form's single input.
pub const PAYMENT_INPUT: &str = "payment";

/// The most rows one request may carry.
pub const MAX_ROWS: usize = 10_000;

/// The payments of a request, one per row, in order.
///
/// # Errors
/// [`ApiError::BadRequest`] naming the input, row or field that does not
/// decode: no inputs, a shape that is not one value per row, inputs of
/// different lengths, a value of the wrong datatype, invalid JSON text, or
/// a payment without a usable `amount` or `created`.
pub fn decode(request: &InferenceRequest) -> Result<Vec<PaymentFeatures>, ApiError> {
    let rows = match request.inputs.as_slice() {
        [] => return Err(bad("the request has no inputs".to_owned())),
        [single] if single.name == PAYMENT_INPUT => plain_rows(single)?,
        inputs => column_rows(inputs)?,
    };
    rows.into_iter()
        .enumerate()
        .map(|(row, object)| features(row, object))
        .collect()
}

fn bad(message: String) -> ApiError {
    ApiError::BadRequest(message)
}

/// The plain form: each value is a payment object or its JSON text.
fn plain_rows(input: &RequestInput) -> Result<Vec<Map<String, Value>>, ApiError> {
    let values = column(input)?;
    values
        .into_iter()
        .enumerate()
        .map(|(row, value)| {
            let parsed = match value {
                Value::String(text) => serde_json::from_str(text).map_err(|e| {
                    bad(format!("input {PAYMENT_INPUT} row {row} is not JSON: {e}"))
                })?,
                other => other.clone(),
            };
            match parsed {
                Value::Object(object) => Ok(object),
                _ => Err(bad(format!(
                    "input {PAYMENT_INPUT} row {row} is not a payment object"
                ))),
            }
        })
        .collect()
}

/// The pandas form: row `i` takes value `i` of every input.
fn column_rows(inputs: &[RequestInput]) -> Result<Vec<Map<String, Value>>, ApiError> {
    let mut rows: Option<Vec<Map<String, Value>>> = None;
    for input in inputs {
        let values = column(input)?;
        let rows = rows.get_or_insert_with(|| vec![Map::new(); values.len()]);
        if values.len() != rows.len() {
            return Err(bad(format!(
                "input {} has {} rows, the first input has {}",
                input.name,
                values.len(),
                rows.len()
            )));
        }
        for (row, value) in values.into_iter().enumerate() {
            let cell = cell(input, row, value)?;
            rows[row].insert(input.name.clone(), cell);
        }
    }
    Ok(rows.unwrap_or_default())
}

/// The values of one input, one per row, after checking its shape.
fn column(input: &RequestInput) -> Result<Vec<&Value>, ApiError> {
    let name = &input.name;
    let shape = &input.shape;
    let rows = match shape.as_slice() {
        [rows, rest @ ..] if *rows >= 0 && rest.iter().all(|d| *d == 1) => *rows,
        _ => {
            return Err(bad(format!(
                "input {name} has shape {shape:?}; expected [rows] or [rows, 1]"
            )));
        }
    };
    let rows = usize::try_from(rows).unwrap_or(usize::MAX);
    if rows > MAX_ROWS {
        return Err(bad(format!(
            "input {name} has {rows} rows; at most {MAX_ROWS} are accepted"
        )));
    }
    let mut values = Vec::with_capacity(rows);
    flatten(&input.data, &mut values, 0)
        .map_err(|why| bad(format!("input {name} data is not a tensor: {why}")))?;
    if values.len() != rows {
        return Err(bad(format!(
            "input {name} has {} values for shape {shape:?}",
            values.len()
        )));
    }
    Ok(values)
}

/// Row-major values of nested arrays; `depth` bounds the nesting.
fn flatten<'a>(data: &'a Value, out: &mut Vec<&'a Value>, depth: usize) -> Result<(), String> {
    const MAX_DEPTH: usize = 8;
    match data {
        Value::Array(items) if depth < MAX_DEPTH => {
            for item in items {
                if item.is_array() {
                    flatten(item, out, depth + 1)?;
                } else {
                    out.push(item);
                }
            }
            Ok(())
        }
        Value::Array(_) => Err(format!("nested deeper than {MAX_DEPTH} levels")),
        _ => Err("not an array".to_owned()),
    }
}

/// One value of an input, checked against its datatype and decoded by its
/// content type.
fn cell(input: &RequestInput, row: usize, value: &Value) -> Result<Value, ApiError> {
    let name = &input.name;
    let wrong = |what: &str| {
        bad(format!(
            "input {name} row {row} is not {what} ({} data)",
            input.datatype
        ))
    };
    match input.datatype.as_str() {
        "BYTES" => {
            let text = value.as_str().ok_or_else(|| wrong("a string"))?;
            if is_json(input) {
                serde_json::from_str(text)
                    .map_err(|e| bad(format!("input {name} row {row} is not JSON text: {e}")))
            } else {
                Ok(Value::String(text.to_owned()))
            }
        }
        "INT8" | "INT16" | "INT32" | "INT64" | "UINT8" | "UINT16" | "UINT32" | "UINT64" => {
            let whole = value.is_i64() || value.is_u64();
            whole
                .then(|| value.clone())
                .ok_or_else(|| wrong("an integer"))
        }
        "FP16" | "FP32" | "FP64" => {
            let number = value.is_number();
            number
                .then(|| value.clone())
                .ok_or_else(|| wrong("a number"))
        }
        "BOOL" => {
            let boolean = value.is_boolean();
            boolean
                .then(|| value.clone())
                .ok_or_else(|| wrong("a boolean"))
        }
        other => Err(bad(format!("input {name} has unknown datatype {other:?}"))),
    }
}

/// Whether a `BYTES` input holds JSON text (`pd_json`, or `json`).
fn is_json(input: &RequestInput) -> bool {
    let content_type = input
        .parameters
        .as_ref()
        .and_then(|p| p.get("content_type"))
        .and_then(Value::as_str);
    matches!(content_type, Some("pd_json" | "json"))
}

/// The features of one row's payment object.
fn features(row: usize, mut object: Map<String, Value>) -> Result<PaymentFeatures, ApiError> {
    // A bare payment or one wrapped as bunq sends it.
    let inner = match object.remove("Payment") {
        Some(Value::Object(inner)) => inner,
        Some(_) => return Err(bad(format!("row {row}: Payment is not an object"))),
        None => object,
    };
    let mut inner = inner;
    if let Some(Value::String(created)) = inner.get_mut("created") {
        normalise_timestamp(created);
    }
    PaymentFeatures::from_json(&Value::Object(inner)).map_err(|e| bad(format!("row {row}: {e}")))
}

/// Rewrites an ISO date-time (`2024-05-01T10:11:12.123456`, as pandas
/// encoded datetimes, optionally with an offset) into bunq's layout, which
/// the features read; anything else is left for them to refuse.
fn normalise_timestamp(text: &mut String) {
    if !text.contains('T') {
        return;
    }
    let parsed = chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.naive_utc())
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"));
    if let Ok(naive) = parsed {
        *text = domain::time::format_bunq_timestamp(naive.and_utc());
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn request(body: Value) -> InferenceRequest {
        serde_json::from_value(body).expect("an inference request")
    }

    fn pandas(rows: &[(&str, &str)]) -> Value {
        let n = rows.len();
        let amounts: Vec<String> = rows
            .iter()
            .map(|(v, _)| json!({"value": v, "currency": "EUR"}).to_string())
            .collect();
        let descriptions: Vec<&str> = rows.iter().map(|(_, d)| *d).collect();
        json!({"parameters": {"content_type": "pd"}, "inputs": [
            {"name": "amount", "shape": [n, 1], "datatype": "BYTES",
             "parameters": {"content_type": "pd_json"}, "data": amounts},
            {"name": "created", "shape": [n, 1], "datatype": "BYTES",
             "data": vec!["2024-05-01T10:11:12.123456"; n]},
            {"name": "description", "shape": [n, 1], "datatype": "BYTES",
             "parameters": {"content_type": "str"}, "data": descriptions},
            {"name": "id", "shape": [n, 1], "datatype": "INT64", "data": vec![[7]; n]},
        ]})
    }

    #[test]
    fn pandas_columns_become_one_payment_per_row() {
        let body = request(pandas(&[("-12.34", "Groceries"), ("1500.00", "Salary")]));

        let rows = decode(&body).expect("decodes");

        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].amount.0, -12_340);
        assert_eq!(rows[1].description, "Salary");
        assert_eq!(
            rows[0].created.to_rfc3339(),
            "2024-05-01T10:11:12.123456+00:00"
        );
    }

    #[test]
    fn the_plain_form_reads_whole_payments_as_text_or_objects() {
        let payment = json!({"amount": {"value": "-3.50", "currency": "EUR"},
                             "created": "2024-05-01 10:11:12.000000", "description": "Coffee"});
        let body = request(json!({"inputs": [{"name": "payment", "shape": [2],
            "datatype": "BYTES", "data": [payment.to_string(), {"Payment": payment}]}]}));

        let rows = decode(&body).expect("decodes");

        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0], rows[1]);
        assert_eq!(rows[0].description, "Coffee");
    }

    #[test]
    fn bad_tensors_are_refused_with_the_input_named() {
        let cases = [
            (json!({"inputs": []}), "the request has no inputs"),
            (
                json!({"inputs": [{"name": "amount", "shape": [2, 2], "datatype": "BYTES", "data": []}]}),
                "input amount has shape [2, 2]; expected [rows] or [rows, 1]",
            ),
            (
                json!({"inputs": [{"name": "id", "shape": [1, 1], "datatype": "INT64", "data": ["x"]}]}),
                "input id row 0 is not an integer (INT64 data)",
            ),
            (
                json!({"inputs": [{"name": "id", "shape": [2], "datatype": "INT64", "data": [1]}]}),
                "input id has 1 values for shape [2]",
            ),
            (
                json!({"inputs": [{"name": "id", "shape": [1], "datatype": "INT128", "data": [1]}]}),
                "input id has unknown datatype \"INT128\"",
            ),
        ];
        for (body, expected) in cases {
            let error = decode(&request(body)).unwrap_err();

            assert_eq!(error.to_string(), expected);
        }
    }

    #[test]
    fn a_row_without_an_amount_is_named() {
        let body = request(json!({"inputs": [{"name": "description", "shape": [1, 1],
            "datatype": "BYTES", "data": ["Coffee"]}]}));

        let error = decode(&body).unwrap_err();

        assert_eq!(
            error.to_string(),
            "row 0: payment field amount is invalid: missing or not a string"
        );
    }
}
