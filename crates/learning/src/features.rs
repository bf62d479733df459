//! What a model sees of a payment ([`PaymentFeatures`]) and how it becomes
//! named features: text tokens of the description and the counterparty,
//! the counterparty as a whole, its IBAN, the merchant category code, the
//! payment type and sub type, the amount's sign and magnitude, and the day
//! of the week and of the month.

use std::fmt::{self, Write as _};

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use domain::Milliunits;
use domain::bunq::Payment;
use domain::time::parse_bunq_timestamp;
use serde::Deserialize;
use serde_json::Value;

use crate::error::LearningError;
use crate::fields::{PaymentFields, Text};
use crate::text::{counterparty_key, for_each_token as for_each_text_token};

/// The number of numeric columns every encoded row ends with.
pub const NUMERIC_FEATURES: usize = 3;

/// The fields of a payment a model uses.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentFeatures {
    /// The description (memo).
    pub description: String,
    /// The counterparty's name, after bunq's fallbacks.
    pub counterparty_name: Option<String>,
    /// The counterparty's IBAN.
    pub counterparty_iban: Option<String>,
    /// Signed amount.
    pub amount: Milliunits,
    /// bunq `type` (MASTERCARD, IDEAL, ...).
    pub payment_type: String,
    /// bunq `sub_type` (PAYMENT, ...).
    pub sub_type: String,
    /// Merchant category code of card payments.
    pub merchant_category_code: Option<String>,
    /// When the payment happened.
    pub created: DateTime<Utc>,
}

impl PaymentFeatures {
    /// The features of a checked payment.
    pub fn from_payment(payment: &Payment) -> Self {
        let counterparty = &payment.counterparty;
        Self {
            description: payment.description.clone(),
            counterparty_name: counterparty.name.clone(),
            counterparty_iban: counterparty.iban.as_ref().map(|i| i.as_str().to_owned()),
            amount: payment.amount,
            payment_type: payment.payment_type.clone(),
            sub_type: payment.sub_type.clone(),
            merchant_category_code: counterparty.merchant_category_code.clone(),
            created: payment.created,
        }
    }

    /// The features of a bunq payment object (bare or wrapped as
    /// `{"Payment": {...}}`), reading only the fields a model uses, so that
    /// partial objects (one value per field, as the old model server's
    /// requests carried) work too. `amount` may be the bunq object or a
    /// decimal string; `created` is a bunq timestamp.
    ///
    /// # Errors
    /// [`LearningError::Payment`] when the amount or `created` is missing
    /// or malformed.
    pub fn from_json(value: &Value) -> Result<Self, LearningError> {
        let fields = PaymentFields::deserialize(value).map_err(|e| LearningError::Payment {
            field: "payment".to_owned(),
            reason: e.to_string(),
        })?;
        Self::from_fields(&fields)
    }

    /// The features of the fields read from a payment object (see
    /// [`PaymentFields`]).
    ///
    /// # Errors
    /// [`LearningError::Payment`] when the amount or `created` is missing
    /// or malformed.
    pub fn from_fields(fields: &PaymentFields<'_>) -> Result<Self, LearningError> {
        let bad = |field: &str, why: &str| LearningError::Payment {
            field: field.to_owned(),
            reason: why.to_owned(),
        };
        let amount = fields.amount.0.0.as_deref();
        let amount = amount.ok_or_else(|| bad("amount", "missing or not a string"))?;
        let amount =
            Milliunits::from_decimal_str(amount).map_err(|e| bad("amount", &e.to_string()))?;
        let created = fields
            .created
            .0
            .as_deref()
            .ok_or_else(|| bad("created", "missing"))?;
        let created = parse_bunq_timestamp(created).map_err(|e| bad("created", &e.to_string()))?;

        let text = |t: &Text<'_>| t.trimmed().map(str::to_owned);
        let alias = &fields.counterparty;
        let counterparty_name = text(&alias.display_name)
            .or_else(|| text(&alias.label_user_name))
            .or_else(|| text(&alias.name));
        Ok(Self {
            description: text(&fields.description).unwrap_or_default(),
            counterparty_name,
            counterparty_iban: alias
                .iban
                .trimmed()
                .map(|i| i.replace(' ', "").to_uppercase()),
            amount,
            payment_type: text(&fields.payment_type).unwrap_or_default(),
            sub_type: text(&fields.sub_type).unwrap_or_default(),
            merchant_category_code: text(&alias.merchant_category_code),
            created,
        })
    }

    /// The normalised counterparty (name, else IBAN): the payee-memory key.
    pub fn payee_key(&self) -> Option<String> {
        self.counterparty_name
            .as_deref()
            .and_then(counterparty_key)
            .or_else(|| self.counterparty_iban.clone())
    }

    /// The named (binary) features, without duplicates, in a fixed order.
    /// `zone` decides the local day of the week and of the month.
    pub fn tokens(&self, zone: Tz) -> Vec<String> {
        let mut out = Vec::with_capacity(24);
        self.for_each_token(zone, |t| out.push(t.to_owned()));
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Calls `emit` with each named feature of [`Self::tokens`], unsorted
    /// and possibly repeated, building each in one reused buffer: the
    /// allocation-light form prediction uses.
    pub fn for_each_token(&self, zone: Tz, mut emit: impl FnMut(&str)) {
        let mut buffer = String::with_capacity(64);
        let mut put = |parts: fmt::Arguments<'_>| {
            buffer.clear();
            // Writing into a String cannot fail.
            let _ = buffer.write_fmt(parts);
            emit(&buffer);
        };
        let sign = if self.amount.0 < 0 { "out" } else { "in" };
        for_each_text_token(&self.description, |t| put(format_args!("d:{t}")));
        // The payee key is the counterparty's tokens joined by spaces
        // (`text::counterparty_key`), built here from the same pass.
        let mut key = String::new();
        if let Some(name) = &self.counterparty_name {
            for_each_text_token(name, |t| {
                put(format_args!("c:{t}"));
                if !key.is_empty() {
                    key.push(' ');
                }
                key.push_str(t);
            });
        }
        if !key.is_empty() {
            put(format_args!("p:{key}"));
        } else if let Some(iban) = &self.counterparty_iban {
            put(format_args!("p:{iban}"));
        }
        if let Some(iban) = &self.counterparty_iban {
            put(format_args!("i:{iban}"));
        }
        if let Some(mcc) = &self.merchant_category_code {
            put(format_args!("m:{mcc}"));
        }
        put(format_args!("t:{}", self.payment_type));
        put(format_args!("s:{}", self.sub_type));
        put(format_args!("ts:{}:{sign}", self.payment_type));
        put(format_args!("a:{sign}:{}", magnitude_bucket(self.amount)));

        let local = self.created.with_timezone(&zone);
        put(format_args!("w:{}", local.weekday().num_days_from_monday()));
        put(format_args!("dom:{}", (local.day() - 1) / 7));
    }

    /// The numeric features: signed log-magnitude of the amount, day of
    /// the month and day of the week, each scaled to about [-1, 1].
    pub fn numeric(&self, zone: Tz) -> [f32; NUMERIC_FEATURES] {
        let euros = self.amount.0.unsigned_abs() as f64 / 1000.0;
        let signed = euros.ln_1p().copysign(self.amount.0 as f64) / 10.0;
        let local = self.created.with_timezone(&zone);
        [
            signed as f32,
            local.day() as f32 / 31.0,
            local.weekday().num_days_from_monday() as f32 / 6.0,
        ]
    }
}

/// The amount's order of magnitude in halves of a power of two of euros:
/// 0 for under one euro, then 1, 2, ... (1–1.4, 1.4–2, 2–2.8 euros, ...).
fn magnitude_bucket(amount: Milliunits) -> u32 {
    let euros = amount.0.unsigned_abs() as f64 / 1000.0;
    if euros < 1.0 {
        0
    } else {
        1 + (2.0 * euros.log2()).floor() as u32
    }
}

#[cfg(test)]
mod tests {
    use chrono_tz::Europe::Amsterdam;
    use serde_json::json;

    use super::*;

    fn card_payment() -> Value {
        json!({"Payment": {
            "id": 7, "monetary_account_id": 42,
            "created": "2024-05-31 22:30:00.000000", "updated": "2024-05-31 22:30:00.000000",
            "amount": {"value": "-12.34", "currency": "EUR"},
            "description": "ALBERT HEIJN 1234 AMSTERDAM NLD", "type": "MAESTRO", "sub_type": "PAYMENT",
            "counterparty_alias": {"display_name": "ALBERT HEIJN 1234", "iban": null,
                                   "merchant_category_code": "5411"}
        }})
    }

    #[test]
    fn a_checked_payment_and_its_raw_object_give_the_same_features() {
        let payment = Payment::from_json(&card_payment()).expect("valid payment");

        let checked = PaymentFeatures::from_payment(&payment);
        let raw = PaymentFeatures::from_json(&card_payment()).expect("valid object");

        assert_eq!(checked, raw);
    }

    #[test]
    fn tokens_name_text_payee_code_type_amount_and_local_days() {
        let features = PaymentFeatures::from_json(&card_payment()).expect("valid object");

        let tokens = features.tokens(Amsterdam);

        for expected in [
            "d:albert",
            "c:heijn",
            "p:albert heijn",
            "m:5411",
            "t:MAESTRO",
            "ts:MAESTRO:out",
            "a:out:8",
        ] {
            assert!(
                tokens.contains(&expected.to_owned()),
                "{expected} missing from {tokens:?}"
            );
        }
        // 22:30 UTC on Friday 31 May is Saturday 1 June in Amsterdam.
        assert!(
            tokens.contains(&"w:5".to_owned()) && tokens.contains(&"dom:0".to_owned()),
            "{tokens:?}"
        );
    }

    #[test]
    fn a_missing_amount_is_a_clear_error() {
        let err = PaymentFeatures::from_json(&json!({"created": "2024-05-31 22:30:00.000000"}))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "payment field amount is invalid: missing or not a string"
        );
    }
}
