//! Checking a request a client sent: the operation exists, path and query
//! parameters are declared and well-typed, required headers and the
//! security scheme's credentials are present, and the JSON body matches
//! the request body schema.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::Problems;
use crate::operation::{Operation, Parameter};
use crate::{ContractError, Spec};

/// A request as it went over the wire.
#[derive(Clone, Copy, Debug)]
pub struct HttpRequest<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Path including the base path, without the query.
    pub path: &'a str,
    /// The raw query string, if any.
    pub query: Option<&'a str>,
    /// Header names in lower case, with their values. A credential may be
    /// redacted, but an `Authorization` value must keep its scheme word
    /// (`Bearer <redacted>`) for the security check.
    pub headers: &'a BTreeMap<String, String>,
    /// The body as JSON; `null` when empty.
    pub body: &'a Value,
}

impl Spec {
    /// Checks one request against the document.
    ///
    /// # Errors
    /// [`ContractError::UnknownPath`] or [`ContractError::UnknownMethod`]
    /// when the document does not have the operation;
    /// [`ContractError::Violations`] listing every other problem.
    pub fn validate_request(&self, request: &HttpRequest<'_>) -> Result<(), ContractError> {
        let operation = self.operation(request.method, request.path)?;
        let parameters = operation.parameters();
        let mut problems = Problems::default();

        self.check_path(&operation, &parameters, &mut problems)?;
        self.check_query(request.query, &parameters, &mut problems)?;
        check_headers(request.headers, &parameters, &mut problems);
        self.check_security(&operation, request.headers, &mut problems);
        self.check_body(&operation, request, &mut problems)?;

        problems.finish(&self.name, format!("the request {}", operation.name()))
    }

    fn check_path(
        &self,
        operation: &Operation<'_>,
        parameters: &[Parameter],
        problems: &mut Problems,
    ) -> Result<(), ContractError> {
        for (name, value) in &operation.path_values {
            let declared = parameters
                .iter()
                .find(|p| p.location == "path" && &p.name == name);
            match declared {
                Some(parameter) => self.check_value(parameter, value, problems)?,
                None => problems.push(format!("path parameter {name}: not declared")),
            }
        }
        Ok(())
    }

    fn check_query(
        &self,
        query: Option<&str>,
        parameters: &[Parameter],
        problems: &mut Problems,
    ) -> Result<(), ContractError> {
        let pairs = query.map(parse_query).unwrap_or_default();
        for (name, value) in &pairs {
            let declared = parameters
                .iter()
                .find(|p| p.location == "query" && &p.name == name);
            match declared {
                Some(parameter) => self.check_value(parameter, value, problems)?,
                None => problems.push(format!("query parameter {name}: not declared")),
            }
        }
        let missing = parameters
            .iter()
            .filter(|p| p.location == "query" && p.required)
            .filter(|p| !pairs.iter().any(|(name, _)| *name == p.name));
        for parameter in missing {
            problems.push(format!(
                "query parameter {}: required but absent",
                parameter.name
            ));
        }
        Ok(())
    }

    /// Checks a path or query value, read as the type its schema names.
    fn check_value(
        &self,
        parameter: &Parameter,
        text: &str,
        problems: &mut Problems,
    ) -> Result<(), ContractError> {
        let Some(pointer) = &parameter.schema else {
            return Ok(());
        };
        let schema = self.resolve(pointer).map(|(s, _)| s);
        let value = coerce(text, schema.and_then(|s| s.get("type")));
        let at = format!("{} parameter {}", parameter.location, parameter.name);
        problems.extend(self.check(pointer, &value, &at)?);
        Ok(())
    }

    /// Every requirement alternative names schemes; one alternative whose
    /// schemes are all satisfied is enough.
    fn check_security(
        &self,
        operation: &Operation<'_>,
        headers: &BTreeMap<String, String>,
        problems: &mut Problems,
    ) {
        let alternatives = operation.security();
        if alternatives.is_empty() || alternatives.iter().any(Vec::is_empty) {
            return;
        }
        let satisfied = alternatives
            .iter()
            .any(|schemes| schemes.iter().all(|s| self.scheme_satisfied(s, headers)));
        if !satisfied {
            let names: Vec<String> = alternatives.iter().map(|s| s.join(" + ")).collect();
            problems.push(format!(
                "security: no credentials for any of {names:?} (a bearer scheme needs \
                 `Authorization: Bearer ...`)"
            ));
        }
    }

    fn scheme_satisfied(&self, name: &str, headers: &BTreeMap<String, String>) -> bool {
        let Some(scheme) = self
            .document
            .pointer(&format!("/components/securitySchemes/{name}"))
        else {
            return false;
        };
        let field = |key: &str| scheme.get(key).and_then(Value::as_str).unwrap_or_default();
        match field("type") {
            "http" => headers.get("authorization").is_some_and(|value| {
                let word = value.split_whitespace().next().unwrap_or_default();
                word.eq_ignore_ascii_case(field("scheme"))
                    && value.split_whitespace().nth(1).is_some()
            }),
            "apiKey" if field("in") == "header" => {
                headers.contains_key(&field("name").to_ascii_lowercase())
            }
            _ => false,
        }
    }

    fn check_body(
        &self,
        operation: &Operation<'_>,
        request: &HttpRequest<'_>,
        problems: &mut Problems,
    ) -> Result<(), ContractError> {
        let documented = operation.request_body();
        let Some(documented) = documented else {
            if !request.body.is_null() {
                problems.push("body: sent where the document describes none");
            }
            return Ok(());
        };
        if request.body.is_null() {
            if documented.required {
                problems.push("body: required but absent");
            }
            return Ok(());
        }
        let sent_type = request
            .headers
            .get("content-type")
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let Some((_, schema)) = documented
            .content
            .iter()
            .find(|(kind, _)| *kind == sent_type)
        else {
            let kinds: Vec<&String> = documented.content.iter().map(|(k, _)| k).collect();
            problems.push(format!(
                "content-type {sent_type:?}: the document accepts {kinds:?}"
            ));
            return Ok(());
        };
        if let Some(schema) = schema {
            problems.extend(self.check(schema, request.body, "body")?);
        }
        Ok(())
    }
}

/// Required header parameters must be present (names compare without case).
fn check_headers(
    headers: &BTreeMap<String, String>,
    parameters: &[Parameter],
    problems: &mut Problems,
) {
    let missing = parameters
        .iter()
        .filter(|p| p.location == "header" && p.required)
        .filter(|p| !headers.contains_key(&p.name.to_ascii_lowercase()));
    for parameter in missing {
        problems.push(format!("header {}: required but absent", parameter.name));
    }
}

/// A query or path value as the JSON type its schema asks for; text that
/// does not parse stays a string, so the schema check reports it.
fn coerce(text: &str, kind: Option<&Value>) -> Value {
    let kinds: Vec<&str> = match kind {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let parsed = kinds.iter().find_map(|kind| match *kind {
        "integer" => text.parse::<i64>().ok().map(Value::from),
        "number" => text.parse::<f64>().ok().map(Value::from),
        "boolean" => text.parse::<bool>().ok().map(Value::from),
        _ => None,
    });
    parsed.unwrap_or_else(|| Value::String(text.to_owned()))
}

/// `a=1&b=x%20y` as name/value pairs, percent-decoded.
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                index += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                index += 1;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_split_and_percent_decoded() {
        let pairs = parse_query("count=200&older_id=16&q=a%20b+c&flag");

        assert_eq!(
            pairs,
            [
                ("count".to_owned(), "200".to_owned()),
                ("older_id".to_owned(), "16".to_owned()),
                ("q".to_owned(), "a b c".to_owned()),
                ("flag".to_owned(), String::new()),
            ]
        );
    }

    #[test]
    fn values_take_the_type_their_schema_names() {
        assert_eq!(coerce("16", Some(&Value::from("integer"))), Value::from(16));
        assert_eq!(
            coerce("true", Some(&Value::from("boolean"))),
            Value::from(true)
        );
        assert_eq!(coerce("x", Some(&Value::from("integer"))), Value::from("x"));
        assert_eq!(coerce("2024-01-01", None), Value::from("2024-01-01"));
    }
}
