//! How each source record becomes a stored document and back. A document
//! is the object the API sent, field for field, with its date fields as
//! BSON dates (see [`crate::bson_json`]) and a few fields of our own:
//! `budget_id` on YNAB records, `account_type` (the wrapper key, such as
//! `MonetaryAccountSavings`) on bunq accounts, and `first_seen_at`, set
//! once when the document is first inserted.

use mongodb::bson::{Bson, Document};
use serde_json::{Map, Value};

use crate::bson_json::{DateKind, bson_date, document_to_object, instant, object_to_document};
use crate::collections::{
    BUNQ_ACCOUNTS, BUNQ_PAYMENTS, YNAB_ACCOUNTS, YNAB_BUDGETS, YNAB_CATEGORIES, YNAB_TRANSACTIONS,
};
use crate::error::{Result, StoreError};

/// The field every source document gets when it is first inserted.
pub(crate) const FIRST_SEEN_AT: &str = "first_seen_at";

/// A document ready to be upserted by its key.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SourceDoc {
    /// The key's value.
    pub(crate) key: Bson,
    /// Every field, the key included.
    pub(crate) fields: Document,
}

/// The shape of one source collection.
#[derive(Debug)]
pub(crate) struct Layout {
    /// The collection's name.
    pub(crate) collection: &'static str,
    /// The key field (always `id` for source records).
    pub(crate) key: &'static str,
    /// The top-level fields that hold dates, and how the source writes them.
    dates: &'static [(&'static str, DateKind)],
    /// Fields this project adds, removed again when a record is rebuilt.
    added: &'static [&'static str],
}

use DateKind::{BunqTimestamp, CalendarDate, Rfc3339};

const BUNQ_DATES: &[(&str, DateKind)] = &[("created", BunqTimestamp), ("updated", BunqTimestamp)];

/// bunq monetary accounts.
pub(crate) const BUNQ_ACCOUNT: Layout = Layout {
    collection: BUNQ_ACCOUNTS,
    key: "id",
    dates: BUNQ_DATES,
    added: &["account_type"],
};

/// bunq payments.
pub(crate) const BUNQ_PAYMENT: Layout = Layout {
    collection: BUNQ_PAYMENTS,
    key: "id",
    dates: BUNQ_DATES,
    added: &[],
};

/// YNAB budgets.
pub(crate) const YNAB_BUDGET: Layout = Layout {
    collection: YNAB_BUDGETS,
    key: "id",
    dates: &[
        ("last_modified_on", Rfc3339),
        ("first_month", CalendarDate),
        ("last_month", CalendarDate),
    ],
    added: &[],
};

/// YNAB accounts.
pub(crate) const YNAB_ACCOUNT: Layout = Layout {
    collection: YNAB_ACCOUNTS,
    key: "id",
    dates: &[("last_reconciled_at", Rfc3339)],
    added: &["budget_id"],
};

/// YNAB categories.
pub(crate) const YNAB_CATEGORY: Layout = Layout {
    collection: YNAB_CATEGORIES,
    key: "id",
    dates: &[
        ("goal_creation_month", CalendarDate),
        ("goal_target_month", CalendarDate),
        ("goal_target_date", CalendarDate),
    ],
    added: &["budget_id"],
};

/// YNAB transactions.
pub(crate) const YNAB_TRANSACTION: Layout = Layout {
    collection: YNAB_TRANSACTIONS,
    key: "id",
    dates: &[("date", CalendarDate)],
    added: &["budget_id"],
};

impl Layout {
    /// The document for `raw`, with `added` fields appended.
    ///
    /// # Errors
    /// [`StoreError::Record`] when a date field holds something other than
    /// null or a date in its source's layout.
    pub(crate) fn document(
        &self,
        key: Bson,
        raw: &Map<String, Value>,
        added: Document,
    ) -> Result<SourceDoc> {
        let mut fields = object_to_document(raw);
        for &(name, kind) in self.dates {
            let Some(value) = fields.get_mut(name) else {
                continue;
            };
            *value = match value {
                Bson::Null => Bson::Null,
                Bson::String(text) => match kind.parse(text) {
                    Some(at) => bson_date(at),
                    None => return Err(self.bad_date(&key, name, kind, text)),
                },
                other => return Err(self.bad_date(&key, name, kind, &other.to_string())),
            };
        }
        fields.insert(self.key, key.clone());
        fields.extend(added);
        Ok(SourceDoc { key, fields })
    }

    fn bad_date(&self, key: &Bson, field: &str, kind: DateKind, found: &str) -> StoreError {
        StoreError::Record {
            collection: self.collection.to_owned(),
            key: key_text(key),
            message: format!("{field} is {found:?}, expected {}", kind.layout()),
        }
    }

    /// The object the source sent, rebuilt from a stored document: our own
    /// fields removed and each date written in its source's layout.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when a date field holds neither null, a
    /// string nor a date.
    pub(crate) fn source_object(&self, document: &Document) -> Result<Map<String, Value>> {
        let mut document = document.clone();
        for field in ["_id", FIRST_SEEN_AT].iter().chain(self.added) {
            document.remove(field);
        }

        let mut object = document_to_object(&document);
        for &(name, kind) in self.dates {
            match document.get(name) {
                None | Some(Bson::Null | Bson::String(_)) => {}
                Some(Bson::DateTime(date)) => {
                    let text = instant(*date).map(|at| kind.format(at));
                    object.insert(name.to_owned(), text.map_or(Value::Null, Value::String));
                }
                Some(other) => {
                    return Err(self.corrupt(
                        document.get(self.key),
                        &format!("{name} is a {:?}, expected a date", other.element_type()),
                    ));
                }
            }
        }
        Ok(object)
    }

    /// A [`StoreError::Corrupt`] for the document with key `key`.
    pub(crate) fn corrupt(&self, key: Option<&Bson>, message: &str) -> StoreError {
        StoreError::Corrupt {
            collection: self.collection.to_owned(),
            key: key.map_or_else(|| "?".to_owned(), key_text),
            message: message.to_owned(),
        }
    }
}

/// A key as text for messages: strings without quotes.
pub(crate) fn key_text(key: &Bson) -> String {
    match key {
        Bson::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use mongodb::bson::doc;
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("object")
    }

    #[test]
    fn date_fields_become_bson_dates_and_come_back_in_the_source_layout() {
        let raw = object(
            json!({"id": "b1", "name": "Home", "last_modified_on": "2024-05-01T10:00:00.000Z",
                                "first_month": "2023-01-01", "last_month": null}),
        );

        let stored = YNAB_BUDGET
            .document(Bson::from("b1"), &raw, doc! {})
            .expect("document");

        assert!(matches!(
            stored.fields.get("first_month"),
            Some(Bson::DateTime(_))
        ));
        assert!(matches!(
            stored.fields.get("last_modified_on"),
            Some(Bson::DateTime(_))
        ));
        assert_eq!(stored.fields.get("last_month"), Some(&Bson::Null));
        assert_eq!(
            YNAB_BUDGET.source_object(&stored.fields).expect("object"),
            raw
        );
    }

    #[test]
    fn added_fields_are_stored_and_removed_again() {
        let raw = object(json!({"id": "t1", "date": "2024-05-01", "amount": -1000}));

        let mut stored = YNAB_TRANSACTION
            .document(Bson::from("t1"), &raw, doc! {"budget_id": "b1"})
            .expect("document");
        stored.fields.insert(FIRST_SEEN_AT, Bson::Null);

        assert_eq!(stored.fields.get_str("budget_id"), Ok("b1"));
        assert_eq!(
            YNAB_TRANSACTION
                .source_object(&stored.fields)
                .expect("object"),
            raw
        );
    }

    #[test]
    fn a_malformed_date_is_refused_with_the_record_key() {
        let raw = object(json!({"id": "c1", "goal_target_date": "next spring"}));

        let err = YNAB_CATEGORY
            .document(Bson::from("c1"), &raw, doc! {})
            .unwrap_err();

        assert_eq!(
            err.to_string(),
            "cannot store ynab_categories record c1: \
             goal_target_date is \"next spring\", expected YYYY-MM-DD"
        );
    }

    #[test]
    fn a_stored_date_of_the_wrong_type_is_reported_as_corrupt() {
        let err = BUNQ_PAYMENT
            .source_object(&doc! {"id": 7_i64, "created": 12_i64})
            .unwrap_err();

        assert!(
            matches!(err, StoreError::Corrupt { ref key, .. } if key == "7"),
            "{err}"
        );
    }
}
