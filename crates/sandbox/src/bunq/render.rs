//! bunq's JSON: the `{"Response": [...]}` envelope, and users, monetary
//! accounts and payments wrapped by their type name, with the swagger's
//! field names, amounts as 2-decimal strings and UTC `YYYY-MM-DD
//! hh:mm:ss.ffffff` times. Optional fields bunq leaves empty are omitted
//! rather than sent as `null`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::Milliunits;
use domain::bunq::AccountType;
use domain::time::format_bunq_timestamp;
use serde_json::{Value, json};

use super::store::NotificationFilter;
use crate::household::{BankAccount, BankPayment, User, UserKind};

/// `{"Response": items}`.
pub(crate) fn respond(items: Vec<Value>) -> Response {
    Json(json!({"Response": items})).into_response()
}

/// `{"Response": items, "Pagination": pagination}`.
pub(crate) fn respond_paged(items: Vec<Value>, pagination: Value) -> Response {
    Json(json!({"Response": items, "Pagination": pagination})).into_response()
}

fn money(amount: Milliunits) -> Value {
    json!({"value": amount.to_decimal_string(2), "currency": "EUR"})
}

fn time(instant: DateTime<Utc>) -> String {
    format_bunq_timestamp(instant)
}

/// A stable UUID-shaped id for a name (bunq's public UUIDs).
fn public_uuid(seed: &str) -> String {
    let hash = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        hash >> 32,
        hash & 0xffff,
        hash % 4096,
        (hash >> 12) % 4096,
        hash % (1 << 48)
    )
}

/// The user wrapped as session-server and `GET /user` answer it.
pub(crate) fn user_object(user: &User, session_timeout: u64) -> Value {
    let person = person(user, session_timeout);
    match user.kind {
        UserKind::Person => json!({"UserPerson": person}),
        UserKind::Company => json!({"UserCompany": company(user, session_timeout)}),
        UserKind::ApiKey => json!({"UserApiKey": {
            "id": user.id,
            "created": person["created"],
            "updated": person["updated"],
            "requested_by_user": {"UserPerson": person},
            "granted_by_user": {"UserPerson": person},
        }}),
    }
}

fn address() -> Value {
    json!({"street": "Prinsengracht", "house_number": "263", "postal_code": "1016 GV",
           "city": "Amsterdam", "country": "NL"})
}

fn user_aliases(user: &User) -> Value {
    json!([
        {"type": "PHONE_NUMBER", "value": "+31612345678", "name": user.display_name},
        {"type": "EMAIL", "value": "robin@example.com", "name": user.display_name},
    ])
}

fn person(user: &User, session_timeout: u64) -> Value {
    let (first, last) = user
        .display_name
        .split_once(' ')
        .unwrap_or((&user.display_name, ""));
    json!({
        "id": user.id,
        "created": "2019-03-01 09:12:44.531622",
        "updated": "2024-11-02 17:40:03.118200",
        "public_uuid": public_uuid(&user.legal_name),
        "first_name": first,
        "middle_name": "Johanna",
        "last_name": last,
        "legal_name": user.legal_name,
        "display_name": user.display_name,
        "public_nick_name": user.public_nick_name,
        "alias": user_aliases(user),
        "tax_resident": [],
        "address_main": address(),
        "address_postal": address(),
        "date_of_birth": "1990-04-12",
        "place_of_birth": "Utrecht",
        "country_of_birth": "NL",
        "nationality": "NL",
        "language": "nl_NL",
        "region": "nl_NL",
        "gender": "FEMALE",
        "status": "ACTIVE",
        "sub_status": "NONE",
        "session_timeout": session_timeout,
        "daily_limit_without_confirmation_login": money(Milliunits(250_000)),
        "version_terms_of_service": "1.4",
        "notification_filters": [],
        "relations": [],
    })
}

fn company(user: &User, session_timeout: u64) -> Value {
    json!({
        "id": user.id,
        "created": "2019-03-01 09:12:44.531622",
        "updated": "2024-11-02 17:40:03.118200",
        "public_uuid": public_uuid(&user.legal_name),
        "name": format!("{} Holding B.V.", user.display_name),
        "display_name": user.display_name,
        "public_nick_name": user.public_nick_name,
        "alias": user_aliases(user),
        "chamber_of_commerce_number": "81234567",
        "legal_form": "BV",
        "address_main": address(),
        "address_postal": address(),
        "language": "nl_NL",
        "region": "nl_NL",
        "country": "NL",
        "status": "ACTIVE",
        "sub_status": "NONE",
        "session_timeout": session_timeout,
        "daily_limit_without_confirmation_login": money(Milliunits(250_000)),
        "version_terms_of_service": "1.4",
        "notification_filters": [],
        "relations": [],
    })
}

/// One monetary account wrapped by its type; `payments` are its payments
/// (for the balance and the `updated` time).
pub(crate) fn account_object(
    account: &BankAccount,
    user: &User,
    payments: &[BankPayment],
) -> Value {
    let balance = payments.last().map_or(Milliunits(0), |p| p.balance_after);
    let updated = payments.last().map_or(account.created, |p| p.created);
    let mut object = json!({
        "id": account.id,
        "created": time(account.created),
        "updated": time(updated),
        "currency": "EUR",
        "description": account.description,
        "daily_limit": money(Milliunits(1_000_000)),
        "balance": money(balance),
        "alias": [
            {"type": "IBAN", "value": account.iban.as_str(), "name": user.display_name},
        ],
        "public_uuid": public_uuid(account.iban.as_str()),
        "status": account.status,
        "sub_status": "NONE",
        "reason": "",
        "reason_description": "",
        "user_id": user.id,
        "setting": {"color": "#FE2851", "default_avatar_status": "AVATAR_DEFAULT",
                    "restriction_chat": "ALLOW_INCOMING"},
        "all_auto_save_id": [],
    });
    let extra = match account.kind {
        AccountType::Bank => json!({"display_name": user.display_name,
                                    "overdraft_limit": money(Milliunits(0))}),
        AccountType::Savings => json!({"savings_goal": money(Milliunits(15_000_000)),
                                       "savings_goal_progress": 0, "all_co_owner": [co_owner(user)]}),
        AccountType::Joint => json!({"overdraft_limit": money(Milliunits(0)),
                                     "all_co_owner": [co_owner(user), co_partner()]}),
        _ => json!({}),
    };
    if let (Some(object), Some(extra)) = (object.as_object_mut(), extra.as_object()) {
        object.extend(extra.clone());
    }
    json!({account.kind.wrapper_key(): object})
}

fn co_owner(user: &User) -> Value {
    json!({"alias": label_user(&user.display_name, &user.public_nick_name), "status": "ACCEPTED"})
}

fn co_partner() -> Value {
    json!({"alias": label_user("Sam Jansen", "Sam"), "status": "ACCEPTED"})
}

fn label_user(display_name: &str, nick: &str) -> Value {
    json!({"uuid": public_uuid(display_name), "display_name": display_name,
           "country": "NL", "public_nick_name": nick})
}

/// One payment wrapped as `{"Payment": {...}}`.
pub(crate) fn payment_object(payment: &BankPayment, account: &BankAccount, user: &User) -> Value {
    let own = json!({
        "iban": account.iban.as_str(),
        "display_name": user.display_name,
        "label_user": label_user(&user.display_name, &user.public_nick_name),
        "country": "NL",
        "is_light": false,
        "swift_bic": "BUNQNL2A",
    });
    json!({"Payment": {
        "id": payment.id,
        "created": time(payment.created),
        "updated": time(payment.created),
        "monetary_account_id": payment.account_id,
        "amount": money(payment.amount),
        "alias": own,
        "counterparty_alias": counterparty(payment),
        "description": payment.description,
        "type": payment.payment_type,
        "sub_type": payment.sub_type,
        "attachment": [],
        "request_reference_split_the_bill": [],
        "balance_after_mutation": money(payment.balance_after),
    }})
}

fn counterparty(payment: &BankPayment) -> Value {
    let party = &payment.counterparty;
    // A missing name is sent as bunq sends it: empty strings.
    let name = party.name.clone().unwrap_or_default();
    let mut alias = json!({
        "display_name": name,
        "label_user": {"uuid": public_uuid(&name), "display_name": name, "country": "NL",
                       "public_nick_name": name},
        "country": "NL",
        "is_light": false,
    });
    if let Some(iban) = &party.iban {
        alias["iban"] = json!(iban.as_str());
    }
    if let Some(code) = &party.merchant_category_code {
        alias["merchant_category_code"] = json!(code);
    }
    alias
}

/// One notification filter as `GET notification-filter-url` lists it (and
/// the POST answers it): wrapped as bunq's SDKs read it, with the swagger's
/// `NotificationFilter` fields plus bunq's usual id and times.
pub(crate) fn filter_object(filter: &NotificationFilter) -> Value {
    let created = time(filter.created);
    json!({"NotificationFilterUrl": {
        "id": filter.id,
        "created": created,
        "updated": created,
        "category": filter.category,
        "notification_target": filter.notification_target,
    }})
}
