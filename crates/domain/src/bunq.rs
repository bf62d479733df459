//! bunq's monetary accounts and payments, checked on the way in. Each record
//! keeps the object bunq sent (`raw`) so that it is stored field for field.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::iban::Iban;
use crate::json::{RecordError, checked};
use crate::money::Milliunits;
use crate::time::parse_bunq_timestamp;

/// The kinds of monetary account bunq lists, named by the wrapper key of
/// each item (`{"MonetaryAccountSavings": {...}}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccountType {
    /// `MonetaryAccountBank`: a current account.
    Bank,
    /// `MonetaryAccountSavings`.
    Savings,
    /// `MonetaryAccountJoint`: shared with another user.
    Joint,
    /// `MonetaryAccountLight`.
    Light,
    /// `MonetaryAccountExternal`: another bank's account shown in bunq.
    External,
    /// `MonetaryAccountExternalSavings`.
    ExternalSavings,
    /// `MonetaryAccountInvestment`.
    Investment,
    /// `MonetaryAccountSwitchService`.
    SwitchService,
    /// `MonetaryAccountCard`.
    Card,
}

impl AccountType {
    /// Every type, for exhaustive iteration.
    pub const ALL: [Self; 9] = [
        Self::Bank,
        Self::Savings,
        Self::Joint,
        Self::Light,
        Self::External,
        Self::ExternalSavings,
        Self::Investment,
        Self::SwitchService,
        Self::Card,
    ];

    /// The wrapper key bunq uses for this type.
    pub fn wrapper_key(self) -> &'static str {
        match self {
            Self::Bank => "MonetaryAccountBank",
            Self::Savings => "MonetaryAccountSavings",
            Self::Joint => "MonetaryAccountJoint",
            Self::Light => "MonetaryAccountLight",
            Self::External => "MonetaryAccountExternal",
            Self::ExternalSavings => "MonetaryAccountExternalSavings",
            Self::Investment => "MonetaryAccountInvestment",
            Self::SwitchService => "MonetaryAccountSwitchService",
            Self::Card => "MonetaryAccountCard",
        }
    }

    /// The type for a wrapper key, if bunq documents it.
    pub fn from_wrapper_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.wrapper_key() == key)
    }
}

/// A bunq monetary account.
#[derive(Clone, Debug, PartialEq)]
pub struct MonetaryAccount {
    /// bunq's numeric id.
    pub id: i64,
    /// The wrapper type.
    pub account_type: AccountType,
    /// `ACTIVE`, `BLOCKED`, `CANCELLED` or `PENDING_REOPEN`.
    pub status: String,
    /// The name the user gave the account.
    pub description: String,
    /// ISO currency code.
    pub currency: String,
    /// The IBAN alias, when the account has one.
    pub iban: Option<Iban>,
    /// When bunq created it.
    pub created: DateTime<Utc>,
    /// When bunq last changed it.
    pub updated: DateTime<Utc>,
    /// The object as bunq sent it (without the wrapper).
    pub raw: Map<String, Value>,
}

#[derive(Deserialize)]
struct AccountView {
    id: i64,
    created: String,
    updated: String,
    status: String,
    description: String,
    currency: String,
    alias: Vec<Pointer>,
}

/// One entry of an `alias` list (`{"type": "IBAN", "value": ..., "name": ...}`).
#[derive(Deserialize)]
struct Pointer {
    #[serde(rename = "type")]
    kind: String,
    value: String,
}

const ACCOUNT: &str = "bunq monetary account";
const PAYMENT: &str = "bunq payment";

impl MonetaryAccount {
    /// Reads one item of bunq's monetary-account list:
    /// `{"MonetaryAccountBank": {...}}`.
    ///
    /// # Errors
    /// [`RecordError`] when the wrapper is missing or unknown, a documented
    /// field is missing or of the wrong type, or a timestamp or IBAN is
    /// malformed.
    pub fn from_wrapped(item: &Value) -> Result<Self, RecordError> {
        let (key, inner) = single_wrapper(ACCOUNT, item)?;
        let account_type = AccountType::from_wrapper_key(key).ok_or_else(|| {
            RecordError::new(ACCOUNT, None, format!("unknown account type {key:?}"))
        })?;
        let (view, raw) = checked::<AccountView>(ACCOUNT, inner)?;
        let fail = |m: String| RecordError::new(ACCOUNT, Some(view.id.to_string()), m);
        let iban = view
            .alias
            .iter()
            .find(|p| p.kind == "IBAN")
            .map(|p| Iban::parse(&p.value))
            .transpose()
            .map_err(|e| fail(e.to_string()))?;

        Ok(Self {
            id: view.id,
            account_type,
            created: parse_bunq_timestamp(&view.created).map_err(|e| fail(e.to_string()))?,
            updated: parse_bunq_timestamp(&view.updated).map_err(|e| fail(e.to_string()))?,
            status: view.status,
            description: view.description,
            currency: view.currency,
            iban,
            raw,
        })
    }
}

/// A bunq payment: one mutation of a monetary account.
#[derive(Clone, Debug, PartialEq)]
pub struct Payment {
    /// bunq's numeric id, unique across accounts.
    pub id: i64,
    /// The account it belongs to.
    pub monetary_account_id: i64,
    /// When it happened (UTC).
    pub created: DateTime<Utc>,
    /// When bunq last changed it.
    pub updated: DateTime<Utc>,
    /// Signed amount: negative leaves the account.
    pub amount: Milliunits,
    /// ISO currency code of `amount`.
    pub currency: String,
    /// The description (memo) bunq shows.
    pub description: String,
    /// `type`: BUNQ, EBA_SCT, IDEAL, MASTERCARD, ...
    pub payment_type: String,
    /// `sub_type`: PAYMENT, WITHDRAWAL, REVERSAL, ...
    pub sub_type: String,
    /// The other side of the payment.
    pub counterparty: Counterparty,
    /// The object as bunq sent it.
    pub raw: Map<String, Value>,
}

/// What bunq tells about the other side of a payment. Every part may be
/// absent: card merchants have no IBAN, some aliases have no name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counterparty {
    /// The IBAN, normalised, when there is a valid one.
    pub iban: Option<Iban>,
    /// `display_name`, else `label_user.display_name`, else `name`.
    pub name: Option<String>,
    /// The merchant category code of card payments.
    pub merchant_category_code: Option<String>,
}

#[derive(Deserialize)]
struct PaymentView {
    id: i64,
    monetary_account_id: i64,
    created: String,
    updated: String,
    amount: AmountView,
    #[serde(default)]
    description: Option<String>,
    #[serde(rename = "type")]
    payment_type: String,
    #[serde(default)]
    sub_type: Option<String>,
    #[serde(default)]
    counterparty_alias: Option<CounterpartyView>,
}

#[derive(Deserialize)]
struct AmountView {
    value: String,
    currency: String,
}

#[derive(Deserialize, Default)]
struct CounterpartyView {
    #[serde(default)]
    iban: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    label_user: Option<LabelUserView>,
    #[serde(default)]
    merchant_category_code: Option<String>,
}

#[derive(Deserialize)]
struct LabelUserView {
    #[serde(default)]
    display_name: Option<String>,
}

impl Payment {
    /// Reads a payment object, either bare or wrapped as `{"Payment": {...}}`.
    ///
    /// # Errors
    /// [`RecordError`] when a documented field is missing or of the wrong
    /// type, or the amount or a timestamp is malformed.
    pub fn from_json(value: &Value) -> Result<Self, RecordError> {
        let inner = value.get("Payment").unwrap_or(value);
        let (view, raw) = checked::<PaymentView>(PAYMENT, inner)?;
        let fail = |m: String| RecordError::new(PAYMENT, Some(view.id.to_string()), m);
        let amount =
            Milliunits::from_decimal_str(&view.amount.value).map_err(|e| fail(e.to_string()))?;
        let counterparty = view
            .counterparty_alias
            .map(Counterparty::from_view)
            .unwrap_or_default();

        Ok(Self {
            id: view.id,
            monetary_account_id: view.monetary_account_id,
            created: parse_bunq_timestamp(&view.created).map_err(|e| fail(e.to_string()))?,
            updated: parse_bunq_timestamp(&view.updated).map_err(|e| fail(e.to_string()))?,
            amount,
            currency: view.amount.currency,
            description: view.description.unwrap_or_default(),
            payment_type: view.payment_type,
            sub_type: view.sub_type.unwrap_or_default(),
            counterparty,
            raw,
        })
    }
}

impl Counterparty {
    fn from_view(view: CounterpartyView) -> Self {
        let non_empty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        let name = non_empty(view.display_name)
            .or_else(|| non_empty(view.label_user.and_then(|u| u.display_name)))
            .or_else(|| non_empty(view.name));
        Self {
            iban: view.iban.and_then(|i| Iban::parse(&i).ok()),
            name,
            merchant_category_code: non_empty(view.merchant_category_code),
        }
    }
}

/// Splits `{"Key": {...}}` into the key and the inner object.
fn single_wrapper<'a>(
    kind: &'static str,
    item: &'a Value,
) -> Result<(&'a str, &'a Value), RecordError> {
    match item.as_object() {
        Some(map) if map.len() == 1 => {
            let (key, inner) = map.iter().next().ok_or_else(|| {
                RecordError::new(kind, None, "expected one wrapper key".to_owned())
            })?;
            Ok((key.as_str(), inner))
        }
        _ => Err(RecordError::new(
            kind,
            None,
            "expected an object with one wrapper key",
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn account(kind: &str) -> Value {
        json!({ kind: {
            "id": 42, "created": "2023-01-01 10:00:00.000000",
            "updated": "2023-01-02 10:00:00.000000", "status": "ACTIVE",
            "description": "Savings", "currency": "EUR",
            "alias": [{"type": "EMAIL", "value": "me@example.com", "name": "Me"},
                      {"type": "IBAN", "value": "NL91ABNA0417164300", "name": "Me"}]
        }})
    }

    #[test]
    fn reads_every_documented_account_type() {
        for kind in AccountType::ALL {
            let parsed = MonetaryAccount::from_wrapped(&account(kind.wrapper_key())).expect("ok");
            assert_eq!(parsed.account_type, kind);
            assert_eq!(parsed.iban.expect("iban").as_str(), "NL91ABNA0417164300");
            assert_eq!(parsed.raw["description"], "Savings");
        }
    }

    #[test]
    fn an_unknown_account_type_is_a_clear_error() {
        let err = MonetaryAccount::from_wrapped(&account("MonetaryAccountMystery")).unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown account type \"MonetaryAccountMystery\"")
        );
    }

    fn payment() -> Value {
        json!({
            "id": 7, "monetary_account_id": 42,
            "created": "2024-05-01 10:11:12.123456", "updated": "2024-05-01 10:11:12.123456",
            "amount": {"value": "-12.34", "currency": "EUR"},
            "description": "Groceries", "type": "MASTERCARD", "sub_type": "PAYMENT",
            "counterparty_alias": {"iban": null, "display_name": "", "label_user": {"display_name": "Albert Heijn 1234"},
                                   "merchant_category_code": "5411"}
        })
    }

    #[test]
    fn reads_a_payment_with_name_fallbacks() {
        let parsed = Payment::from_json(&json!({"Payment": payment()})).expect("ok");
        assert_eq!(parsed.amount, Milliunits(-12_340));
        assert_eq!(
            parsed.counterparty.name.as_deref(),
            Some("Albert Heijn 1234")
        );
        assert_eq!(
            parsed.counterparty.merchant_category_code.as_deref(),
            Some("5411")
        );
        assert_eq!(parsed.counterparty.iban, None);
    }

    #[test]
    fn wrong_types_and_missing_fields_name_the_problem() {
        let mut bad = payment();
        bad["amount"]["value"] = json!(12.34);
        let err = Payment::from_json(&bad).unwrap_err();
        assert_eq!(err.id.as_deref(), Some("7"));
        assert!(err.message.contains("invalid type"), "{err}");

        let mut missing = payment();
        missing.as_object_mut().expect("object").remove("created");
        assert!(
            Payment::from_json(&missing)
                .unwrap_err()
                .message
                .contains("created")
        );
    }
}
