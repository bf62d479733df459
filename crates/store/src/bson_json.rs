//! Converting the JSON the APIs send into BSON and back, and the date
//! conventions of stored documents.
//!
//! Numbers: JSON integers become Int64, every other number a Double.
//! Dates: instants (bunq timestamps, RFC 3339 date-times) become BSON dates
//! at millisecond precision, the most BSON can hold, so bunq's microseconds
//! are cut to milliseconds. Calendar dates (YNAB's `2024-05-01`) become the
//! BSON date at 00:00 UTC of that day, so that the day reads the same in
//! every tool whatever its time zone. Reading back formats each date field
//! the way its API writes it.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use domain::time::{format_bunq_timestamp, parse_bunq_timestamp, parse_date};
use mongodb::bson::{Bson, Document};
use serde_json::{Map, Number, Value};

/// How a source writes one date field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DateKind {
    /// bunq's UTC `YYYY-MM-DD hh:mm:ss.ffffff`.
    BunqTimestamp,
    /// An RFC 3339 date-time (YNAB's `last_modified_on`).
    Rfc3339,
    /// A calendar date `YYYY-MM-DD`, stored at 00:00 UTC.
    CalendarDate,
}

impl DateKind {
    /// The instant `text` stands for, or `None` when it has another layout.
    pub(crate) fn parse(self, text: &str) -> Option<DateTime<Utc>> {
        match self {
            Self::BunqTimestamp => parse_bunq_timestamp(text).ok(),
            Self::Rfc3339 => DateTime::parse_from_rfc3339(text).ok().map(|t| t.to_utc()),
            Self::CalendarDate => parse_date(text).ok().map(midnight_utc),
        }
    }

    /// `instant` written the way the source writes this field.
    pub(crate) fn format(self, instant: DateTime<Utc>) -> String {
        match self {
            Self::BunqTimestamp => format_bunq_timestamp(instant),
            Self::Rfc3339 => instant.to_rfc3339_opts(SecondsFormat::Millis, true),
            Self::CalendarDate => instant.date_naive().to_string(),
        }
    }

    /// What the layout looks like, for error messages.
    pub(crate) fn layout(self) -> &'static str {
        match self {
            Self::BunqTimestamp => "YYYY-MM-DD hh:mm:ss.ffffff",
            Self::Rfc3339 => "an RFC 3339 date-time",
            Self::CalendarDate => "YYYY-MM-DD",
        }
    }
}

/// The first instant of `date` in UTC.
pub(crate) fn midnight_utc(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// An instant as a BSON date (milliseconds).
pub(crate) fn bson_date(instant: DateTime<Utc>) -> Bson {
    Bson::DateTime(mongodb::bson::DateTime::from_millis(
        instant.timestamp_millis(),
    ))
}

/// A BSON date as an instant; `None` outside chrono's range.
pub(crate) fn instant(date: mongodb::bson::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(date.timestamp_millis())
}

/// A JSON object as a BSON document, field order kept.
pub(crate) fn object_to_document(object: &Map<String, Value>) -> Document {
    object
        .iter()
        .map(|(k, v)| (k.clone(), json_to_bson(v)))
        .collect()
}

/// One JSON value as BSON.
pub(crate) fn json_to_bson(value: &Value) -> Bson {
    match value {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Bson::Int64(i),
            // Integers above i64::MAX and fractions: BSON has only doubles.
            None => Bson::Double(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Bson::String(s.clone()),
        Value::Array(items) => Bson::Array(items.iter().map(json_to_bson).collect()),
        Value::Object(object) => Bson::Document(object_to_document(object)),
    }
}

/// A BSON document as a JSON object. Dates that no caller formatted are
/// written as RFC 3339.
pub(crate) fn document_to_object(document: &Document) -> Map<String, Value> {
    document
        .iter()
        .map(|(k, v)| (k.clone(), bson_to_json(v)))
        .collect()
}

/// One BSON value as JSON.
pub(crate) fn bson_to_json(value: &Bson) -> Value {
    match value {
        Bson::Null | Bson::Undefined => Value::Null,
        Bson::Boolean(b) => Value::Bool(*b),
        Bson::Int32(i) => Value::from(*i),
        Bson::Int64(i) => Value::from(*i),
        Bson::Double(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Bson::String(s) => Value::String(s.clone()),
        Bson::Array(items) => Value::Array(items.iter().map(bson_to_json).collect()),
        Bson::Document(document) => Value::Object(document_to_object(document)),
        Bson::DateTime(date) => match instant(*date) {
            Some(at) => Value::String(DateKind::Rfc3339.format(at)),
            None => Value::Null,
        },
        other => other.clone().into_relaxed_extjson(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn integers_become_int64_and_fractions_doubles() {
        let object = json!({"a": 1, "b": -2.5, "c": [1, {"d": null}], "e": "x", "f": true});
        let document = object_to_document(object.as_object().expect("object"));

        assert_eq!(document.get("a"), Some(&Bson::Int64(1)));
        assert_eq!(document.get("b"), Some(&Bson::Double(-2.5)));
        let nested = document.get_array("c").expect("array");
        assert_eq!(nested[0], Bson::Int64(1));
        assert_eq!(
            nested[1].as_document().and_then(|d| d.get("d")),
            Some(&Bson::Null)
        );
    }

    #[test]
    fn json_survives_a_round_trip_through_bson() {
        let object = json!({"a": 1, "b": -2.5, "c": [1, {"d": null}], "e": "x", "f": true,
                            "g": {"value": "-12.34", "currency": "EUR"}});
        let map = object.as_object().expect("object");

        assert_eq!(&document_to_object(&object_to_document(map)), map);
    }

    #[test]
    fn calendar_dates_are_stored_at_midnight_utc() {
        let instant = DateKind::CalendarDate.parse("2024-03-31").expect("date");
        assert_eq!(instant.to_rfc3339(), "2024-03-31T00:00:00+00:00");
        assert_eq!(DateKind::CalendarDate.format(instant), "2024-03-31");
    }

    #[test]
    fn each_date_kind_formats_as_its_source_writes() {
        let bunq = DateKind::BunqTimestamp
            .parse("2024-05-01 10:11:12.123000")
            .expect("bunq");
        assert_eq!(
            DateKind::BunqTimestamp.format(bunq),
            "2024-05-01 10:11:12.123000"
        );
        let ynab = DateKind::Rfc3339
            .parse("2024-05-01T12:11:12+02:00")
            .expect("rfc");
        assert_eq!(DateKind::Rfc3339.format(ynab), "2024-05-01T10:11:12.000Z");
        assert!(DateKind::CalendarDate.parse("01-05-2024").is_none());
    }

    #[test]
    fn bson_dates_keep_milliseconds() {
        let at = DateKind::BunqTimestamp
            .parse("2024-05-01 10:11:12.123456")
            .expect("bunq");
        let Bson::DateTime(stored) = bson_date(at) else {
            panic!("not a date")
        };
        let back = instant(stored).expect("in range");
        assert_eq!(
            DateKind::BunqTimestamp.format(back),
            "2024-05-01 10:11:12.123000"
        );
    }
}
