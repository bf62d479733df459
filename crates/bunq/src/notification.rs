//! URL notification filters (callbacks): what bunq calls when something
//! happens, per category. bunq replaces the whole set on every POST, so
//! callers read, merge and write back.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::envelope::string_field;
use crate::error::BunqError;

/// The category bunq uses for any change of an account's balance.
pub const MUTATION: &str = "MUTATION";

/// One callback registration.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NotificationFilter {
    /// What triggers it: `MUTATION`, `PAYMENT`, ...
    pub category: String,
    /// The HTTPS URL bunq posts to.
    pub notification_target: String,
}

impl NotificationFilter {
    /// A `MUTATION` callback to `target`.
    pub fn mutation(target: impl Into<String>) -> Self {
        Self {
            category: MUTATION.to_owned(),
            notification_target: target.into(),
        }
    }
}

/// The POST body that makes `filters` the whole set.
pub(crate) fn request_body(filters: &[NotificationFilter]) -> Value {
    json!({ "notification_filters": filters })
}

/// Reads the listing's items. Each is wrapped as `NotificationFilterUrl`
/// and is either one filter or, as the swagger describes the listing, an
/// object with a `notification_filters` array; both are accepted.
///
/// # Errors
/// A decode error when an item has neither shape.
pub(crate) fn parse_items(
    path: &str,
    items: &[Value],
) -> Result<Vec<NotificationFilter>, BunqError> {
    let mut filters = Vec::new();
    for item in items {
        let inner = item.get("NotificationFilterUrl").unwrap_or(item);
        match inner.get("notification_filters") {
            Some(Value::Array(nested)) => {
                for filter in nested {
                    filters.push(parse_filter(
                        path,
                        filter.get("NotificationFilterUrl").unwrap_or(filter),
                    )?);
                }
            }
            Some(_) => {
                return Err(BunqError::shape(
                    path,
                    "\"notification_filters\" is not an array",
                ));
            }
            None => filters.push(parse_filter(path, inner)?),
        }
    }
    Ok(filters)
}

fn parse_filter(path: &str, object: &Value) -> Result<NotificationFilter, BunqError> {
    Ok(NotificationFilter {
        category: string_field(path, object, "category")?.to_owned(),
        notification_target: string_field(path, object, "notification_target")?.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_listing_shapes_are_read() {
        let items = vec![
            json!({"NotificationFilterUrl": {"id": 1, "category": "MUTATION",
                   "notification_target": "https://a.example/payment"}}),
            json!({"NotificationFilterUrl": {"notification_filters": [
                {"category": "PAYMENT", "notification_target": "https://b.example/p"}]}}),
        ];

        let filters = parse_items("/p", &items).expect("filters");

        assert_eq!(
            filters,
            vec![
                NotificationFilter::mutation("https://a.example/payment"),
                NotificationFilter {
                    category: "PAYMENT".to_owned(),
                    notification_target: "https://b.example/p".to_owned()
                },
            ]
        );
    }

    #[test]
    fn a_filter_without_a_target_is_a_decode_error() {
        let items = vec![json!({"NotificationFilterUrl": {"category": "MUTATION"}})];

        let err = parse_items("/p", &items).expect_err("no target");

        assert!(matches!(err, BunqError::Decode { .. }));
    }

    #[test]
    fn the_request_body_lists_every_filter() {
        let body = request_body(&[NotificationFilter::mutation("https://x.example/payment")]);

        assert_eq!(
            body,
            json!({"notification_filters": [
                {"category": "MUTATION", "notification_target": "https://x.example/payment"}]})
        );
    }
}
