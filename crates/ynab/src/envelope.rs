//! YNAB's success envelope `{"data": {...}}`, read strictly: a missing
//! member, a wrong type or a malformed record is a [`YnabError::Decode`]
//! that says where in the body it is.

use domain::RecordError;
use serde_json::{Map, Value};

use crate::YnabError;

/// The `data` object of one answer, with the path it answered, for errors.
pub(crate) struct Data<'a> {
    path: String,
    data: &'a Map<String, Value>,
}

impl<'a> Data<'a> {
    /// Opens the envelope of `body`, the answer to `path`.
    pub(crate) fn open(path: String, body: &'a Value) -> Result<Self, YnabError> {
        let data = body.get("data").and_then(Value::as_object);
        match data {
            Some(data) => Ok(Self { path, data }),
            None => Err(YnabError::Decode {
                path,
                message: "no `data` object".into(),
            }),
        }
    }

    /// The first of `keys` that is present, as an array.
    pub(crate) fn array(&self, keys: &[&str]) -> Result<(&'a str, &'a [Value]), YnabError> {
        let Some((key, value)) = keys.iter().find_map(|k| self.data.get_key_value(*k)) else {
            return Err(self.error(format!("`data.{}` is missing", keys.join("` / `data."))));
        };
        match value {
            Value::Array(items) => Ok((key, items)),
            _ => Err(self.error(format!("`data.{key}` is not an array"))),
        }
    }

    /// Every item of the array `key`, read with `parse`.
    pub(crate) fn records<T>(
        &self,
        key: &str,
        parse: impl Fn(&Value) -> Result<T, RecordError>,
    ) -> Result<Vec<T>, YnabError> {
        let (key, items) = self.array(&[key])?;
        self.parse_all(key, items, parse)
    }

    /// Every item of `items` (the array `key`), read with `parse`.
    pub(crate) fn parse_all<T>(
        &self,
        key: &str,
        items: &[Value],
        parse: impl Fn(&Value) -> Result<T, RecordError>,
    ) -> Result<Vec<T>, YnabError> {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| parse(item).map_err(|e| self.error(format!("`data.{key}[{i}]`: {e}"))))
            .collect()
    }

    /// The optional array of strings `key` (empty when absent).
    pub(crate) fn strings(&self, key: &str, required: bool) -> Result<Vec<String>, YnabError> {
        let items = match self.data.get(key) {
            None | Some(Value::Null) if !required => return Ok(Vec::new()),
            None => return Err(self.error(format!("`data.{key}` is missing"))),
            Some(Value::Array(items)) => items,
            Some(_) => return Err(self.error(format!("`data.{key}` is not an array"))),
        };
        let text = |(i, item): (usize, &Value)| match item {
            Value::String(s) => Ok(s.clone()),
            _ => Err(self.error(format!("`data.{key}[{i}]` is not a string"))),
        };
        items.iter().enumerate().map(text).collect()
    }

    /// The member `key`, when present and not null.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.data.get(key).filter(|v| !v.is_null())
    }

    /// `data.server_knowledge`, a required integer.
    pub(crate) fn server_knowledge(&self) -> Result<i64, YnabError> {
        match self.data.get("server_knowledge") {
            Some(value) => value
                .as_i64()
                .ok_or_else(|| self.error("`data.server_knowledge` is not an integer".into())),
            None => Err(self.error("`data.server_knowledge` is missing".into())),
        }
    }

    /// A decode error at this envelope's path.
    pub(crate) fn error(&self, message: String) -> YnabError {
        YnabError::Decode {
            path: self.path.clone(),
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::ynab::Account;
    use serde_json::json;

    use super::*;

    fn message(err: YnabError) -> String {
        match err {
            YnabError::Decode { message, .. } => message,
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn a_body_without_a_data_object_is_refused() {
        let body = json!({"accounts": []});

        let err = Data::open("/plans/b/accounts".into(), &body)
            .err()
            .expect("refused");

        assert_eq!(
            err.to_string(),
            "malformed YNAB answer to /plans/b/accounts: no `data` object"
        );
    }

    #[test]
    fn a_malformed_record_is_reported_with_its_index_and_id() {
        let body = json!({"data": {"accounts": [
            {"id": "a1", "name": "x", "type": "checking", "closed": false, "deleted": false},
            {"id": "a2", "name": "y", "type": "checking", "deleted": false}
        ]}});
        let data = Data::open("/p".into(), &body).expect("data");

        let err = data
            .records("accounts", Account::from_json)
            .expect_err("an error");

        let message = message(err);
        assert!(
            message.starts_with("`data.accounts[1]`: invalid YNAB account a2"),
            "{message}"
        );
    }

    #[test]
    fn server_knowledge_must_be_an_integer() {
        let body = json!({"data": {"server_knowledge": "12"}});
        let data = Data::open("/p".into(), &body).expect("data");

        assert!(message(data.server_knowledge().expect_err("an error")).contains("not an integer"));
    }

    #[test]
    fn the_first_present_key_wins_and_a_missing_list_names_all_keys() {
        let body = json!({"data": {"budgets": [1]}});
        let data = Data::open("/p".into(), &body).expect("data");

        let (key, items) = data.array(&["plans", "budgets"]).expect("found");
        let missing = data.array(&["accounts"]).expect_err("an error");

        assert_eq!((key, items.len()), ("budgets", 1));
        assert_eq!(message(missing), "`data.accounts` is missing");
    }

    #[test]
    fn string_lists_must_hold_strings_and_may_be_absent_when_optional() {
        let body = json!({"data": {"transaction_ids": ["t1", 2]}});
        let data = Data::open("/p".into(), &body).expect("data");

        let bad = data.strings("transaction_ids", true).expect_err("an error");
        let absent = data
            .strings("duplicate_import_ids", false)
            .expect("absent is empty");

        assert_eq!(message(bad), "`data.transaction_ids[1]` is not a string");
        assert!(absent.is_empty());
    }
}
