//! The few fields of a bunq payment object a model reads, taken straight
//! from JSON text (or a parsed value) without building the whole object.
//! Reading is lenient, as the model server's callers send partial objects:
//! a field of an unexpected type counts as absent, unknown fields are
//! skipped without being stored, and strings are borrowed from the input
//! where JSON escapes allow. Whether the fields make a usable payment is
//! decided later, by [`crate::PaymentFeatures::from_fields`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A string field, or `None` when absent or not a string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text<'a>(pub Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    /// A present string.
    pub fn new(text: impl Into<Cow<'a, str>>) -> Self {
        Self(Some(text.into()))
    }

    /// The trimmed text, `None` when absent or blank.
    pub fn trimmed(&self) -> Option<&str> {
        self.0.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

/// The amount: bunq's `{"value": "-12.34", "currency": "EUR"}`, or the
/// decimal text alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Amount<'a>(pub Text<'a>);

/// The counterparty fields a model reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Alias<'a> {
    /// `display_name`.
    pub display_name: Text<'a>,
    /// `label_user.display_name`.
    pub label_user_name: Text<'a>,
    /// `name`.
    pub name: Text<'a>,
    /// `iban`.
    pub iban: Text<'a>,
    /// `merchant_category_code`.
    pub merchant_category_code: Text<'a>,
}

/// The payment fields a model reads, bare or wrapped as
/// `{"Payment": {...}}` (the wrapper wins when both are present).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentFields<'a> {
    /// `amount`.
    pub amount: Amount<'a>,
    /// `created`, a bunq timestamp.
    pub created: Text<'a>,
    /// `description`.
    pub description: Text<'a>,
    /// `type`.
    pub payment_type: Text<'a>,
    /// `sub_type`.
    pub sub_type: Text<'a>,
    /// `counterparty_alias`.
    pub counterparty: Alias<'a>,
}

/// Visits the entries of a map, letting `field` read the values of the
/// keys it knows (returning `true`) and skipping the others.
fn read_map<'de, A, F>(mut map: A, mut field: F) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    F: FnMut(&str, &mut A) -> Result<bool, A::Error>,
{
    while let Some(key) = map.next_key::<Cow<'de, str>>()? {
        if !field(&key, &mut map)? {
            map.next_value::<IgnoredAny>()?;
        }
    }
    Ok(())
}

/// Drains a sequence that is not wanted.
fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Implements the scalar and sequence arms of a lenient visitor: every
/// value that is not the expected kind yields `$default`.
macro_rules! lenient_scalars {
    ($default:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($default)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($default)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($default)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($default)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($default)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($default)
        }
        fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<Self::Value, D::Error> {
            inner.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            skip_seq(seq)?;
            Ok($default)
        }
    };
}

/// Implements the string arms of a visitor whose value wraps a [`Text`].
macro_rules! text_strings {
    ($wrap:expr) => {
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok($wrap(Text(Some(Cow::Borrowed(v)))))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok($wrap(Text(Some(Cow::Owned(v.to_owned())))))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok($wrap(Text(Some(Cow::Owned(v)))))
        }
    };
}

/// Implements the string arms of a visitor for which a string is the
/// wrong kind.
macro_rules! strings_are_default {
    ($default:expr) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($default)
        }
    };
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    text_strings!(|t| t);
    lenient_scalars!(Text(None));

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        read_map(map, |_, _| Ok(false))?;
        Ok(Text(None))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

struct AmountVisitor;

impl<'de> Visitor<'de> for AmountVisitor {
    type Value = Amount<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount object or decimal text")
    }

    text_strings!(Amount);
    lenient_scalars!(Amount::default());

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let mut value = Text(None);
        read_map(map, |key, map| {
            if key != "value" {
                return Ok(false);
            }
            value = map.next_value()?;
            Ok(true)
        })?;
        Ok(Amount(value))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Amount<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AmountVisitor)
    }
}

/// `label_user`: only its `display_name` is read.
struct LabelUserVisitor;

impl<'de> Visitor<'de> for LabelUserVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a label user object")
    }

    strings_are_default!(Text(None));
    lenient_scalars!(Text(None));

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let mut name = Text(None);
        read_map(map, |key, map| {
            if key != "display_name" {
                return Ok(false);
            }
            name = map.next_value()?;
            Ok(true)
        })?;
        Ok(name)
    }
}

struct LabelUser<'a>(Text<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for LabelUser<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(LabelUserVisitor)
            .map(LabelUser)
    }
}

struct AliasVisitor;

impl<'de> Visitor<'de> for AliasVisitor {
    type Value = Alias<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a counterparty alias object")
    }

    strings_are_default!(Alias::default());
    lenient_scalars!(Alias::default());

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let mut alias = Alias::default();
        read_map(map, |key, map| {
            match key {
                "display_name" => alias.display_name = map.next_value()?,
                "label_user" => alias.label_user_name = map.next_value::<LabelUser<'_>>()?.0,
                "name" => alias.name = map.next_value()?,
                "iban" => alias.iban = map.next_value()?,
                "merchant_category_code" => alias.merchant_category_code = map.next_value()?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(alias)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Alias<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AliasVisitor)
    }
}

struct PaymentVisitor;

impl<'de> Visitor<'de> for PaymentVisitor {
    type Value = PaymentFields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a bunq payment object")
    }

    strings_are_default!(PaymentFields::default());
    lenient_scalars!(PaymentFields::default());

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let mut fields = PaymentFields::default();
        let mut wrapped = None;
        read_map(map, |key, map| {
            match key {
                "Payment" => wrapped = Some(map.next_value::<PaymentFields<'_>>()?),
                "amount" => fields.amount = map.next_value()?,
                "created" => fields.created = map.next_value()?,
                "description" => fields.description = map.next_value()?,
                "type" => fields.payment_type = map.next_value()?,
                "sub_type" => fields.sub_type = map.next_value()?,
                "counterparty_alias" => fields.counterparty = map.next_value()?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(wrapped.unwrap_or(fields))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for PaymentFields<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PaymentVisitor)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_fields_are_read_and_the_rest_skipped() {
        let text = r#"{"Payment": {"id": 7, "amount": {"value": "-1.50", "currency": "EUR"},
            "created": "2024-05-01 10:00:00.000000", "description": "Coffee", "type": "MASTERCARD",
            "sub_type": "PAYMENT", "alias": {"iban": "NL00"}, "attachment": [],
            "counterparty_alias": {"display_name": "Cafe", "avatar": {"image": [{"x": 1}]},
                "label_user": {"display_name": "Cafe BV", "uuid": "u"}, "iban": null,
                "merchant_category_code": "5814"}}}"#;

        let fields: PaymentFields<'_> = serde_json::from_str(text).expect("reads");

        assert_eq!(fields.amount.0.trimmed(), Some("-1.50"));
        assert_eq!(fields.description.trimmed(), Some("Coffee"));
        assert_eq!(
            fields.counterparty.label_user_name.trimmed(),
            Some("Cafe BV")
        );
        assert_eq!(fields.counterparty.iban.trimmed(), None);
        assert_eq!(
            fields.counterparty.merchant_category_code.trimmed(),
            Some("5814")
        );
        assert!(matches!(fields.description.0, Some(Cow::Borrowed(_))));
    }

    #[test]
    fn values_of_the_wrong_kind_count_as_absent() {
        let value = json!({"amount": "2.00", "description": 12, "type": ["x"],
                           "counterparty_alias": "someone", "created": {"a": 1}});

        let fields = PaymentFields::deserialize(&value).expect("reads");

        assert_eq!(fields.amount.0.trimmed(), Some("2.00"));
        assert_eq!(fields.description, Text(None));
        assert_eq!(fields.payment_type, Text(None));
        assert_eq!(fields.created, Text(None));
        assert_eq!(fields.counterparty, Alias::default());
    }

    #[test]
    fn invalid_json_is_still_an_error() {
        assert!(serde_json::from_str::<PaymentFields<'_>>(r#"{"amount": }"#).is_err());
    }
}
