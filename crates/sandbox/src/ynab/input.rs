//! Reads transaction objects out of request bodies the way YNAB checks
//! them: types, formats and the spec's length limits (`payee_name` 200,
//! `memo` 500, `import_id` 36). Whether ids exist in the plan and whether
//! the date is allowed is checked later, against the plan
//! (`store::mutate`).

use chrono::NaiveDate;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::store::{Cleared, FlagColor};

/// The spec's `maxLength` of `payee_name`.
pub(crate) const PAYEE_NAME_MAX_CHARS: usize = 200;
/// The spec's `maxLength` of `memo`.
pub(crate) const MEMO_MAX_CHARS: usize = 500;
/// The spec's `maxLength` of `import_id`.
pub(crate) const IMPORT_ID_MAX_CHARS: usize = 36;

/// The fields of one transaction in a request. The outer `Option` says
/// whether the field was sent at all; the inner one, for nullable fields,
/// whether it was sent as `null`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TransactionFields {
    /// `id` (PATCH only: which transaction to update).
    pub(crate) id: Option<Option<String>>,
    pub(crate) account_id: Option<String>,
    pub(crate) date: Option<NaiveDate>,
    pub(crate) amount: Option<i64>,
    pub(crate) payee_id: Option<Option<String>>,
    pub(crate) payee_name: Option<Option<String>>,
    pub(crate) category_id: Option<Option<String>>,
    pub(crate) memo: Option<Option<String>>,
    pub(crate) cleared: Option<Cleared>,
    pub(crate) approved: Option<bool>,
    pub(crate) flag_color: Option<Option<FlagColor>>,
    pub(crate) import_id: Option<Option<String>>,
}

/// Reads one transaction object; every problem found is listed.
pub(crate) fn parse_transaction(value: &Value) -> Result<TransactionFields, Vec<String>> {
    let Some(object) = value.as_object() else {
        return Err(vec!["transaction must be an object".to_owned()]);
    };
    let mut reader = Reader {
        object,
        errors: Vec::new(),
    };
    let fields = TransactionFields {
        id: reader.nullable("id", |v, _| {
            v.as_str().map(str::to_owned).ok_or("must be a string")
        }),
        account_id: reader.required_non_null("account_id", uuid_string),
        date: reader.required_non_null("date", iso_date),
        amount: reader.required_non_null("amount", |v, _| v.as_i64().ok_or("must be an integer")),
        payee_id: reader.nullable("payee_id", uuid_string),
        payee_name: reader.nullable("payee_name", |v, f| limited(v, f, PAYEE_NAME_MAX_CHARS)),
        category_id: reader.nullable("category_id", uuid_string),
        memo: reader.nullable("memo", |v, f| limited(v, f, MEMO_MAX_CHARS)),
        cleared: reader.required_non_null("cleared", cleared),
        approved: reader
            .required_non_null("approved", |v, _| v.as_bool().ok_or("must be a boolean")),
        flag_color: reader
            .nullable("flag_color", flag_color)
            .map(Option::flatten),
        import_id: reader.nullable("import_id", |v, f| limited(v, f, IMPORT_ID_MAX_CHARS)),
    };
    reader.check_subtransactions();

    if reader.errors.is_empty() {
        Ok(fields)
    } else {
        Err(reader.errors)
    }
}

/// Walks one JSON object, collecting an error per bad field.
struct Reader<'a> {
    object: &'a Map<String, Value>,
    errors: Vec<String>,
}

impl Reader<'_> {
    /// A field that may be absent but, when sent, must not be `null`.
    fn required_non_null<T, E: Into<String>>(
        &mut self,
        field: &str,
        read: impl Fn(&Value, &str) -> Result<T, E>,
    ) -> Option<T> {
        let value = self.object.get(field)?;
        if value.is_null() {
            self.errors.push(format!("{field} must not be null"));
            return None;
        }
        self.take(field, read(value, field))
    }

    /// A field that may be absent or `null`.
    fn nullable<T, E: Into<String>>(
        &mut self,
        field: &str,
        read: impl Fn(&Value, &str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        let value = self.object.get(field)?;
        if value.is_null() {
            return Some(None);
        }
        self.take(field, read(value, field)).map(Some)
    }

    fn take<T, E: Into<String>>(&mut self, field: &str, read: Result<T, E>) -> Option<T> {
        match read {
            Ok(value) => Some(value),
            Err(problem) => {
                let problem = problem.into();
                // Messages that already name the field stand alone.
                if problem.starts_with(field) {
                    self.errors.push(problem);
                } else {
                    self.errors.push(format!("{field} {problem}"));
                }
                None
            }
        }
    }

    /// Splits are not played by the sandbox: an empty list is accepted,
    /// anything else is refused rather than silently dropped.
    fn check_subtransactions(&mut self) {
        match self.object.get("subtransactions") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) if items.is_empty() => {}
            Some(Value::Array(_)) => {
                self.errors.push(
                    "subtransactions (split transactions) are not supported by the sandbox"
                        .to_owned(),
                );
            }
            Some(_) => self
                .errors
                .push("subtransactions must be an array".to_owned()),
        }
    }
}

fn uuid_string(value: &Value, field: &str) -> Result<String, String> {
    let text = value
        .as_str()
        .ok_or_else(|| format!("{field} must be a string"))?;
    Uuid::parse_str(text)
        .map(|_| text.to_owned())
        .map_err(|_| format!("{field} {text:?} is not a valid UUID"))
}

fn iso_date(value: &Value, field: &str) -> Result<NaiveDate, String> {
    let text = value
        .as_str()
        .ok_or_else(|| format!("{field} must be a string"))?;
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("{field} {text:?} is not a valid ISO date (YYYY-MM-DD)"))
}

fn limited(value: &Value, field: &str, max_chars: usize) -> Result<String, String> {
    let text = value
        .as_str()
        .ok_or_else(|| format!("{field} must be a string"))?;
    if text.chars().count() > max_chars {
        return Err(format!(
            "{field} is too long (maximum is {max_chars} characters)"
        ));
    }
    Ok(text.to_owned())
}

fn cleared(value: &Value, field: &str) -> Result<Cleared, String> {
    let text = value
        .as_str()
        .ok_or_else(|| format!("{field} must be a string"))?;
    Cleared::parse(text)
        .ok_or_else(|| format!("{field} {text:?} is not one of cleared, uncleared, reconciled"))
}

/// `""` is YNAB's "no flag", like `null`.
fn flag_color(value: &Value, field: &str) -> Result<Option<FlagColor>, String> {
    let text = value
        .as_str()
        .ok_or_else(|| format!("{field} must be a string"))?;
    if text.is_empty() {
        return Ok(None);
    }
    FlagColor::parse(text).map(Some).ok_or_else(|| {
        format!("{field} {text:?} is not one of red, orange, yellow, green, blue, purple")
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_full_transaction_is_read_field_for_field() {
        let body = json!({"account_id": "5b2a6d6a-1111-4c6e-9d2a-000000000001",
            "date": "2024-05-01", "amount": -12340, "payee_name": "Bakery", "memo": null,
            "cleared": "uncleared", "approved": false, "flag_color": "blue",
            "import_id": "bunq:1", "subtransactions": []});

        let fields = parse_transaction(&body).expect("valid");

        assert_eq!(fields.amount, Some(-12340));
        assert_eq!(fields.memo, Some(None));
        assert_eq!(fields.flag_color, Some(Some(FlagColor::Blue)));
        assert_eq!(fields.payee_id, None);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let body = json!({"account_id": "nope", "date": "01-05-2024", "amount": 1.5,
            "memo": "m".repeat(501), "cleared": "maybe", "flag_color": "pink",
            "import_id": "i".repeat(37), "payee_name": "p".repeat(201)});

        let errors = parse_transaction(&body).expect_err("invalid");

        assert_eq!(errors.len(), 8, "{errors:?}");
        assert!(errors.contains(&"amount must be an integer".to_owned()));
        assert!(errors.contains(&"memo is too long (maximum is 500 characters)".to_owned()));
        assert!(errors.contains(&"import_id is too long (maximum is 36 characters)".to_owned()));
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let body = json!({"payee_name": "é".repeat(200)});

        assert!(parse_transaction(&body).is_ok());
    }

    #[test]
    fn an_empty_flag_means_no_flag_and_splits_are_refused() {
        let no_flag = parse_transaction(&json!({"flag_color": ""})).expect("valid");
        let split = parse_transaction(&json!({"subtransactions": [{"amount": 1}]}));

        assert_eq!(no_flag.flag_color, Some(None));
        assert!(split.expect_err("refused")[0].contains("not supported"));
    }
}
