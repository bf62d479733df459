//! bunq's JSON envelope: `{"Response": [{"<Type>": {...}}, ...],
//! "Pagination": {...}}` on success, `{"Error": [{"error_description":
//! ...}]}` on failure; and the relative `/v1/...` URLs pagination hands
//! back.

use serde_json::{Map, Value};

use crate::error::{BunqError, DecodeError};

/// bunq's largest page.
pub(crate) const PAGE_SIZE: u32 = 200;

/// The items of one answer and the link to older items, if any.
#[derive(Debug)]
pub(crate) struct Page {
    /// `Response`, in bunq's order (newest first for lists).
    pub(crate) items: Vec<Value>,
    /// `Pagination.older_url`: relative, `/v1/...`; `None` on the last page.
    pub(crate) older_url: Option<String>,
}

/// Reads a success envelope.
///
/// # Errors
/// [`BunqError::Decode`] when the body is not JSON, is cut short, or lacks
/// the `Response` array.
pub(crate) fn parse_page(path: &str, body: &[u8]) -> Result<Page, BunqError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| BunqError::Decode {
        path: path.to_owned(),
        source: DecodeError::Json(e),
    })?;
    let Value::Object(mut envelope) = value else {
        return Err(BunqError::shape(path, "expected a JSON object"));
    };
    let Some(Value::Array(items)) = envelope.remove("Response") else {
        return Err(BunqError::shape(path, "expected a \"Response\" array"));
    };

    let older_url = match envelope.get("Pagination") {
        None | Some(Value::Null) => None,
        Some(Value::Object(pagination)) => older_url(path, pagination)?,
        Some(_) => return Err(BunqError::shape(path, "\"Pagination\" is not an object")),
    };
    Ok(Page { items, older_url })
}

fn older_url(path: &str, pagination: &Map<String, Value>) -> Result<Option<String>, BunqError> {
    match pagination.get("older_url") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(url)) => Ok(Some(url.clone())),
        Some(_) => Err(BunqError::shape(
            path,
            "\"Pagination.older_url\" is not a string",
        )),
    }
}

/// bunq's `Error[0].error_description`, when the body has one.
pub(crate) fn error_description(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let description = value
        .get("Error")?
        .get(0)?
        .get("error_description")?
        .as_str()?;
    Some(description.to_owned())
}

/// The object inside the first item wrapped as `key` (`{"Token": {...}}`).
///
/// # Errors
/// [`BunqError::Decode`] naming the missing wrapper.
pub(crate) fn wrapped<'a>(
    path: &str,
    items: &'a [Value],
    key: &str,
) -> Result<&'a Value, BunqError> {
    items
        .iter()
        .find_map(|item| item.get(key))
        .ok_or_else(|| BunqError::shape(path, format!("no {key:?} object in the answer")))
}

/// A string field of an object, required.
pub(crate) fn string_field<'a>(
    path: &str,
    object: &'a Value,
    field: &str,
) -> Result<&'a str, BunqError> {
    object
        .get(field)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
        .ok_or_else(|| BunqError::shape(path, format!("{field:?} is missing or not a string")))
}

/// An integer field of an object, required.
pub(crate) fn integer_field(path: &str, object: &Value, field: &str) -> Result<i64, BunqError> {
    object
        .get(field)
        .and_then(Value::as_i64)
        .ok_or_else(|| BunqError::shape(path, format!("{field:?} is missing or not an integer")))
}

/// Turns a pagination URL (`/v1/user/1/...?count=200&older_id=5`) into a
/// path relative to the base URL whose path is `base_path` (`/v1`).
/// Anything else (an absolute URL, another API root) is refused, so that a
/// malformed answer can never send our session token elsewhere.
///
/// # Errors
/// [`BunqError::Decode`] for a URL outside the API.
pub(crate) fn relative_to_base(
    path: &str,
    base_path: &str,
    url: &str,
) -> Result<String, BunqError> {
    let outside = || BunqError::shape(path, format!("pagination URL {url:?} is outside the API"));
    if !url.starts_with('/') || url.starts_with("//") {
        return Err(outside());
    }
    if base_path.is_empty() {
        return Ok(url.to_owned());
    }
    match url.strip_prefix(base_path) {
        Some(rest) if rest.starts_with('/') => Ok(rest.to_owned()),
        _ => Err(outside()),
    }
}

/// The first page of a list: `count` set to bunq's maximum.
pub(crate) fn first_page(path: &str) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}count={PAGE_SIZE}")
}

/// `path` without its query, as errors and logs show it.
pub(crate) fn without_query(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_list_page_yields_items_and_the_older_url() {
        let list = "/v1/user/1/monetary-account/2/payment";
        let body = json!({
            "Response": [{"Payment": {"id": 2}}, {"Payment": {"id": 1}}],
            "Pagination": {"future_url": null,
                           "newer_url": format!("{list}?count=200&newer_id=2"),
                           "older_url": format!("{list}?count=200&older_id=1")}
        });

        let page = parse_page("/p", body.to_string().as_bytes()).expect("page");

        assert_eq!(page.items.len(), 2);
        assert_eq!(
            page.older_url.as_deref(),
            Some("/v1/user/1/monetary-account/2/payment?count=200&older_id=1")
        );
    }

    #[test]
    fn the_last_page_has_no_older_url() {
        let last = json!({"Response": [], "Pagination": {"older_url": null}});
        let single = json!({"Response": [{"Payment": {"id": 1}}]});

        assert!(
            parse_page("/p", last.to_string().as_bytes())
                .expect("page")
                .older_url
                .is_none()
        );
        assert!(
            parse_page("/p", single.to_string().as_bytes())
                .expect("page")
                .older_url
                .is_none()
        );
    }

    #[test]
    fn truncated_or_misshapen_answers_are_decode_errors() {
        let truncated = br#"{"Response": [{"Payment": {"id""#;
        let error = parse_page("/p", truncated).expect_err("truncated");
        assert!(matches!(
            error,
            BunqError::Decode {
                source: DecodeError::Json(_),
                ..
            }
        ));

        let misshapen = br#"{"Response": {"Payment": {}}}"#;
        let error = parse_page("/p", misshapen).expect_err("misshapen");
        assert!(error.to_string().contains("/p"), "{error}");
    }

    #[test]
    fn pagination_urls_become_paths_under_the_base() {
        let url = "/v1/user/1/monetary-account/2/payment?count=200&older_id=9";

        assert_eq!(
            relative_to_base("/p", "/v1", url).expect("relative"),
            "/user/1/monetary-account/2/payment?count=200&older_id=9"
        );
        assert_eq!(relative_to_base("/p", "", url).expect("relative"), url);
    }

    #[test]
    fn pagination_urls_outside_the_api_are_refused() {
        for url in [
            "https://evil.example/v1/user",
            "//evil.example/v1/user",
            "/v2/user",
            "/v1x/user",
            "user",
        ] {
            assert!(relative_to_base("/p", "/v1", url).is_err(), "{url}");
        }
    }

    #[test]
    fn first_pages_ask_for_two_hundred_items() {
        assert_eq!(
            first_page("/user/1/monetary-account"),
            "/user/1/monetary-account?count=200"
        );
        assert_eq!(first_page("/x?a=1"), "/x?a=1&count=200");
        assert_eq!(without_query("/x?a=1"), "/x");
    }

    #[test]
    fn error_descriptions_are_read_from_the_error_envelope() {
        let body = br#"{"Error":[{"error_description":"Insufficient authentication.",
                                  "error_description_translated":"x"}]}"#;

        assert_eq!(
            error_description(body).as_deref(),
            Some("Insufficient authentication.")
        );
        assert_eq!(error_description(b"<html>"), None);
    }

    #[test]
    fn wrapped_objects_are_found_by_key() {
        let items = vec![json!({"Id": {"id": 1}}), json!({"Token": {"token": "t"}})];

        let token = wrapped("/p", &items, "Token").expect("token");

        assert_eq!(string_field("/p", token, "token").expect("string"), "t");
        assert!(wrapped("/p", &items, "ServerPublicKey").is_err());
        assert_eq!(integer_field("/p", &items[0]["Id"], "id").expect("id"), 1);
    }
}
