//! Request decoding: V2 input tensors into [`learning::PaymentFeatures`],
//! one per row. Two forms are read: the pandas codec the old system sent
//! (one input per payment field, shape `[rows, 1]`, objects as JSON text
//! with `content_type: pd_json`), and a plain form with one `payment`
//! input of whole bunq payments (JSON text or objects), shape `[rows]`.

use std::borrow::Cow;

use chrono::NaiveDateTime;
use learning::fields::{Alias, Amount, Text};
use learning::{PaymentFeatures, PaymentFields};
use serde::de::IgnoredAny;
use serde_json::Value;

use crate::error::ApiError;
use crate::protocol::{Element, InferenceRequest, RequestInput};

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
pub fn decode(request: &InferenceRequest<'_>) -> Result<Vec<PaymentFeatures>, ApiError> {
    let rows = match request.inputs.as_slice() {
        [] => return Err(bad("the request has no inputs".to_owned())),
        [single] if single.name == PAYMENT_INPUT => plain_rows(single)?,
        inputs => column_rows(inputs)?,
    };
    rows.into_iter()
        .enumerate()
        .map(|(row, fields)| features(row, fields))
        .collect()
}

fn bad(message: String) -> ApiError {
    ApiError::BadRequest(message)
}

/// The plain form: each value is a payment object or its JSON text.
fn plain_rows<'r>(input: &'r RequestInput<'_>) -> Result<Vec<PaymentFields<'r>>, ApiError> {
    let values = column(input)?;
    values
        .iter()
        .enumerate()
        .map(|(row, value)| match value {
            Element::Text(text) if text.trim_start().starts_with('{') => serde_json::from_str(text)
                .map_err(|e| bad(format!("input {PAYMENT_INPUT} row {row} is not JSON: {e}"))),
            Element::Text(text) if serde_json::from_str::<IgnoredAny>(text).is_err() => Err(bad(
                format!("input {PAYMENT_INPUT} row {row} is not JSON: {text:.40}"),
            )),
            Element::Object(fields) => Ok(PaymentFields::clone(fields)),
            _ => Err(bad(format!(
                "input {PAYMENT_INPUT} row {row} is not a payment object"
            ))),
        })
        .collect()
}

/// Which payment field an input of the pandas form fills.
#[derive(Clone, Copy)]
enum Slot {
    Amount,
    Created,
    Description,
    Type,
    SubType,
    Counterparty,
    /// A field the features do not read: its values are only checked.
    Unused,
}

impl Slot {
    fn of(name: &str) -> Self {
        match name {
            "amount" => Self::Amount,
            "created" => Self::Created,
            "description" => Self::Description,
            "type" => Self::Type,
            "sub_type" => Self::SubType,
            "counterparty_alias" => Self::Counterparty,
            _ => Self::Unused,
        }
    }
}

/// The pandas form: row `i` takes value `i` of every input.
fn column_rows<'r>(inputs: &'r [RequestInput<'_>]) -> Result<Vec<PaymentFields<'r>>, ApiError> {
    let mut rows: Option<Vec<PaymentFields<'r>>> = None;
    for input in inputs {
        let values = column(input)?;
        let rows = rows.get_or_insert_with(|| vec![PaymentFields::default(); values.len()]);
        if values.len() != rows.len() {
            return Err(bad(format!(
                "input {} has {} rows, the first input has {}",
                input.name,
                values.len(),
                rows.len()
            )));
        }
        let slot = Slot::of(&input.name);
        let json = is_json(input);
        for (row, (value, fields)) in values.iter().zip(rows.iter_mut()).enumerate() {
            fill(input, slot, json, row, value, fields)?;
        }
    }
    Ok(rows.unwrap_or_default())
}

/// The values of one input, one per row, after checking its shape.
fn column<'r>(input: &'r RequestInput<'_>) -> Result<&'r [Element<'r>], ApiError> {
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
    if let Some(why) = &input.data.problem {
        return Err(bad(format!("input {name} data is not a tensor: {why}")));
    }
    let values = input.data.values.as_slice();
    if values.len() != rows {
        return Err(bad(format!(
            "input {name} has {} values for shape {shape:?}",
            values.len()
        )));
    }
    Ok(values)
}

/// Checks one value of an input against its datatype and, for the fields
/// the features read, puts it in the row's payment fields (JSON text
/// decoded when the content type says so; a value that is not a string
/// counts as absent).
fn fill<'r>(
    input: &RequestInput<'_>,
    slot: Slot,
    json: bool,
    row: usize,
    value: &'r Element<'r>,
    fields: &mut PaymentFields<'r>,
) -> Result<(), ApiError> {
    let name = &input.name;
    let wrong = |what: &str| {
        bad(format!(
            "input {name} row {row} is not {what} ({} data)",
            input.datatype
        ))
    };
    let text = match (input.datatype.as_ref(), value) {
        ("BYTES", Element::Text(text)) => text.as_ref(),
        ("BYTES", _) => return Err(wrong("a string")),
        (
            "INT8" | "INT16" | "INT32" | "INT64" | "UINT8" | "UINT16" | "UINT32" | "UINT64",
            element,
        ) => {
            return match element {
                Element::Integer => Ok(()),
                _ => Err(wrong("an integer")),
            };
        }
        ("FP16" | "FP32" | "FP64", element) => {
            return match element {
                Element::Integer | Element::Float => Ok(()),
                _ => Err(wrong("a number")),
            };
        }
        ("BOOL", element) => {
            return match element {
                Element::Bool => Ok(()),
                _ => Err(wrong("a boolean")),
            };
        }
        (other, _) => return Err(bad(format!("input {name} has unknown datatype {other:?}"))),
    };
    if json {
        let not_json =
            |e: serde_json::Error| bad(format!("input {name} row {row} is not JSON text: {e}"));
        match slot {
            Slot::Amount => fields.amount = serde_json::from_str(text).map_err(not_json)?,
            Slot::Counterparty => {
                fields.counterparty = serde_json::from_str(text).map_err(not_json)?;
            }
            Slot::Created => fields.created = serde_json::from_str(text).map_err(not_json)?,
            Slot::Description => {
                fields.description = serde_json::from_str(text).map_err(not_json)?;
            }
            Slot::Type => fields.payment_type = serde_json::from_str(text).map_err(not_json)?,
            Slot::SubType => fields.sub_type = serde_json::from_str(text).map_err(not_json)?,
            Slot::Unused => {
                serde_json::from_str::<IgnoredAny>(text).map_err(not_json)?;
            }
        }
        return Ok(());
    }
    let plain = || Text::new(text);
    match slot {
        Slot::Amount => fields.amount = Amount(plain()),
        Slot::Created => fields.created = plain(),
        Slot::Description => fields.description = plain(),
        Slot::Type => fields.payment_type = plain(),
        Slot::SubType => fields.sub_type = plain(),
        // A counterparty given as plain text is not an alias object.
        Slot::Counterparty => fields.counterparty = Alias::default(),
        Slot::Unused => {}
    }
    Ok(())
}

/// Whether a `BYTES` input holds JSON text (`pd_json`, or `json`).
fn is_json(input: &RequestInput<'_>) -> bool {
    let content_type = input
        .parameters
        .as_ref()
        .and_then(|p| p.get("content_type"))
        .and_then(Value::as_str);
    matches!(content_type, Some("pd_json" | "json"))
}

/// The features of one row's payment fields.
fn features(row: usize, mut fields: PaymentFields<'_>) -> Result<PaymentFeatures, ApiError> {
    if let Some(created) = fields.created.0.as_mut() {
        normalise_timestamp(created);
    }
    PaymentFeatures::from_fields(&fields).map_err(|e| bad(format!("row {row}: {e}")))
}

/// Rewrites an ISO date-time (`2024-05-01T10:11:12.123456`, as pandas
/// encoded datetimes, optionally with an offset) into bunq's layout, which
/// the features read; anything else is left for them to refuse.
fn normalise_timestamp(text: &mut Cow<'_, str>) {
    if !text.contains('T') {
        return;
    }
    let parsed = chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.naive_utc())
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"));
    if let Ok(naive) = parsed {
        *text = Cow::Owned(domain::time::format_bunq_timestamp(naive.and_utc()));
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    fn request(body: &Value) -> InferenceRequest<'_> {
        InferenceRequest::deserialize(body).expect("an inference request")
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
        let value = pandas(&[("-12.34", "Groceries"), ("1500.00", "Salary")]);
        let body = request(&value);

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
        let value = json!({"inputs": [{"name": "payment", "shape": [2],
            "datatype": "BYTES", "data": [payment.to_string(), {"Payment": payment}]}]});
        let body = request(&value);

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
            let error = decode(&request(&body)).unwrap_err();

            assert_eq!(error.to_string(), expected);
        }
    }

    #[test]
    fn a_row_without_an_amount_is_named() {
        let value = json!({"inputs": [{"name": "description", "shape": [1, 1],
            "datatype": "BYTES", "data": ["Coffee"]}]});
        let body = request(&value);

        let error = decode(&body).unwrap_err();

        assert_eq!(
            error.to_string(),
            "row 0: payment field amount is invalid: missing or not a string"
        );
    }
}
