//! The session-authenticated endpoints: users, monetary accounts (all and
//! by type), payments (paged, newest first) and the user's notification
//! filters.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use domain::bunq::AccountType;
use serde::Deserialize;

use super::context::parse_body;
use super::pagination::PageQuery;
use super::render::{
    account_object, filter_object, payment_object, respond, respond_paged, user_object,
};
use super::{BunqError, BunqState};
use crate::household::BankAccount;

/// Notification categories bunq knows.
const CATEGORIES: [&str; 18] = [
    "BILLING",
    "CARD_TRANSACTION_FAILED",
    "CARD_TRANSACTION_SUCCESSFUL",
    "CHAT",
    "DRAFT_PAYMENT",
    "IDEAL",
    "SOFORT",
    "MONETARY_ACCOUNT_PROFILE",
    "MUTATION",
    "PAYMENT",
    "PROMOTION",
    "REQUEST",
    "SCHEDULE_RESULT",
    "SCHEDULE_STATUS",
    "SHARE",
    "SUPPORT",
    "TAB_RESULT",
    "USER_APPROVAL",
];

/// Callback URLs allowed per category.
const MAX_FILTERS_PER_CATEGORY: usize = 2;

type Params = Path<HashMap<String, String>>;
type Paging = Query<HashMap<String, String>>;

/// A path id; one that is not a number names nothing, so 404.
fn id(params: &HashMap<String, String>, name: &str, kind: &str) -> Result<i64, BunqError> {
    params
        .get(name)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| BunqError::not_found(kind))
}

/// The session may only read its own user.
fn own_user(state: &BunqState, params: &HashMap<String, String>) -> Result<(), BunqError> {
    if id(params, "user_id", "User")? == state.user.id {
        Ok(())
    } else {
        Err(BunqError::unauthorised())
    }
}

fn find_account<'a>(
    state: &'a BunqState,
    params: &HashMap<String, String>,
) -> Result<&'a BankAccount, BunqError> {
    own_user(state, params)?;
    let account_id = id(params, "account_id", "MonetaryAccount")?;
    state
        .accounts
        .iter()
        .find(|a| a.id == account_id)
        .ok_or_else(|| BunqError::not_found("MonetaryAccount"))
}

fn timeout_secs(state: &BunqState) -> u64 {
    state.settings.session_timeout.as_secs()
}

/// `GET /v1/user`.
pub(crate) async fn users(
    State(state): State<Arc<BunqState>>,
    uri: Uri,
    Query(q): Paging,
) -> Result<Response, BunqError> {
    let page = PageQuery::parse(&q)?;
    let users = [state.user.id];
    let (shown, pagination) = page.page(&users, |id| *id, uri.path());
    let items = shown
        .iter()
        .map(|_| user_object(&state.user, timeout_secs(&state)))
        .collect();
    Ok(respond_paged(items, pagination))
}

/// `GET /v1/user/{user_id}`.
pub(crate) async fn user(
    State(state): State<Arc<BunqState>>,
    Path(params): Params,
) -> Result<Response, BunqError> {
    own_user(&state, &params)?;
    Ok(respond(vec![user_object(
        &state.user,
        timeout_secs(&state),
    )]))
}

fn list_accounts(
    state: &BunqState,
    params: &HashMap<String, String>,
    path: &str,
    query: &HashMap<String, String>,
    kind: Option<AccountType>,
) -> Result<Response, BunqError> {
    own_user(state, params)?;
    let page = PageQuery::parse(query)?;
    let mut accounts: Vec<&BankAccount> = state
        .accounts
        .iter()
        .filter(|a| kind.is_none_or(|k| a.kind == k))
        .collect();
    accounts.sort_by_key(|a| a.id);

    let (shown, pagination) = page.page(&accounts, |a| a.id, path);
    let store = state.store();
    let items = shown
        .iter()
        .map(|a| account_object(a, &state.user, store.payments(a.id)))
        .collect();
    Ok(respond_paged(items, pagination))
}

fn one_account(
    state: &BunqState,
    params: &HashMap<String, String>,
    kind: Option<AccountType>,
) -> Result<Response, BunqError> {
    let account = find_account(state, params)?;
    if kind.is_some_and(|k| k != account.kind) {
        return Err(BunqError::not_found("MonetaryAccount"));
    }
    let store = state.store();
    Ok(respond(vec![account_object(
        account,
        &state.user,
        store.payments(account.id),
    )]))
}

/// `GET /v1/user/{user_id}/monetary-account`: every type, wrapped.
pub(crate) async fn accounts(
    State(state): State<Arc<BunqState>>,
    Path(params): Params,
    uri: Uri,
    Query(q): Paging,
) -> Result<Response, BunqError> {
    list_accounts(&state, &params, uri.path(), &q, None)
}

/// `GET /v1/user/{user_id}/monetary-account/{account_id}`.
pub(crate) async fn account(
    State(state): State<Arc<BunqState>>,
    Path(params): Params,
) -> Result<Response, BunqError> {
    one_account(&state, &params, None)
}

/// `GET /v1/user/{user_id}/monetary-account-bank`.
pub(crate) async fn bank_accounts(
    State(state): State<Arc<BunqState>>,
    Path(params): Params,
    uri: Uri,
    Query(q): Paging,
) -> Result<Response, BunqError> {
    list_accounts(&state, &params, uri.path(), &q, Some(AccountType::Bank))
}

/// `GET /v1/user/{user_id}/monetary-account-bank/{account_id}`.
pub(crate) async fn bank_account(
    State(state): State<Arc<BunqState>>,
    Path(params): Params,
) -> Result<Response, BunqError> {
    one_account(&state, &params, Some(AccountType::Bank))
}

/// `GET /v1/user/{user_id}/monetary-account-savings`.
pub(crate) async fn savings_accounts(
    State(state): State<Arc<BunqState>>,
    Path(params): Params,
    uri: Uri,
    Query(q): Paging,
) -> Result<Response, BunqError> {
    list_accounts(&state, &params, uri.path(), &q, Some(AccountType::Savings))
}

/// `GET /v1/user/{user_id}/monetary-account-savings/{account_id}`.
pub(crate) async fn savings_account(
    State(state): State<Arc<BunqState>>,
    Path(params): Params,
) -> Result<Response, BunqError> {
    one_account(&state, &params, Some(AccountType::Savings))
}

/// `GET /v1/user/{user_id}/monetary-account-joint`.
pub(crate) async fn joint_accounts(
    State(state): State<Arc<BunqState>>,
    Path(params): Params,
    uri: Uri,
    Query(q): Paging,
) -> Result<Response, BunqError> {
    list_accounts(&state, &params, uri.path(), &q, Some(AccountType::Joint))
}

/// `GET /v1/user/{user_id}/monetary-account-joint/{account_id}`.
pub(crate) async fn joint_account(
    State(state): State<Arc<BunqState>>,
    Path(params): Params,
) -> Result<Response, BunqError> {
    one_account(&state, &params, Some(AccountType::Joint))
}

/// `GET /v1/user/{user_id}/monetary-account/{account_id}/payment`.
pub(crate) async fn payments(
    State(state): State<Arc<BunqState>>,
    Path(params): Params,
    uri: Uri,
    Query(q): Paging,
) -> Result<Response, BunqError> {
    let account = find_account(&state, &params)?;
    let page = PageQuery::parse(&q)?;

    let store = state.store();
    let (shown, pagination) = page.page(store.payments(account.id), |p| p.id, uri.path());
    let items = shown
        .iter()
        .map(|p| payment_object(p, account, &state.user))
        .collect();
    Ok(respond_paged(items, pagination))
}

/// `GET /v1/user/{user_id}/monetary-account/{account_id}/payment/{payment_id}`.
pub(crate) async fn payment(
    State(state): State<Arc<BunqState>>,
    Path(params): Params,
) -> Result<Response, BunqError> {
    let account = find_account(&state, &params)?;
    let payment_id = id(&params, "payment_id", "Payment")?;

    let store = state.store();
    let payments = store.payments(account.id);
    let found = payments
        .binary_search_by_key(&payment_id, |p| p.id)
        .map_err(|_| BunqError::not_found("Payment"))?;
    Ok(respond(vec![payment_object(
        &payments[found],
        account,
        &state.user,
    )]))
}

/// `GET /v1/user/{user_id}/notification-filter-url`: a listing, so paged
/// like every other (the swagger's Pagination section).
pub(crate) async fn filters(
    State(state): State<Arc<BunqState>>,
    Path(params): Params,
    uri: Uri,
    Query(q): Paging,
) -> Result<Response, BunqError> {
    own_user(&state, &params)?;
    let page = PageQuery::parse(&q)?;
    let store = state.store();
    let (shown, pagination) = page.page(&store.filters, |f| f.id, uri.path());
    let items = shown.into_iter().map(filter_object).collect();
    Ok(respond_paged(items, pagination))
}

#[derive(Deserialize)]
struct FiltersBody {
    notification_filters: Vec<FilterBody>,
}

#[derive(Deserialize)]
struct FilterBody {
    category: String,
    notification_target: String,
}

/// Known categories, HTTP(S) targets, and at most two per category. The
/// real bunq wants HTTPS with a valid certificate; the sandbox also takes
/// `http://` so that tests can receive callbacks without TLS.
fn check_filters(filters: &[FilterBody]) -> Result<(), BunqError> {
    let mut per_category: HashMap<&str, usize> = HashMap::new();
    for filter in filters {
        let category = filter.category.as_str();
        if !CATEGORIES.contains(&category) {
            let text = format!("The category {category:?} is not a notification category.");
            return Err(BunqError::bad_request(text));
        }
        let target = filter.notification_target.as_str();
        if !target.starts_with("https://") && !target.starts_with("http://") {
            let text = "The notification target must be an HTTPS URL.";
            return Err(BunqError::bad_request(text));
        }
        let count = per_category.entry(category).or_default();
        *count += 1;
        if *count > MAX_FILTERS_PER_CATEGORY {
            return Err(BunqError::bad_request(format!(
                "You can have at most {MAX_FILTERS_PER_CATEGORY} notification filters of \
                 category {category}."
            )));
        }
    }
    Ok(())
}

/// `POST /v1/user/{user_id}/notification-filter-url`: replaces the whole set.
pub(crate) async fn set_filters(
    State(state): State<Arc<BunqState>>,
    Path(params): Params,
    body: Bytes,
) -> Result<Response, BunqError> {
    own_user(&state, &params)?;
    let body: FiltersBody = parse_body(&body)?;
    check_filters(&body.notification_filters)?;

    let pairs = body
        .notification_filters
        .into_iter()
        .map(|f| (f.category, f.notification_target))
        .collect();
    let mut store = state.store();
    store.replace_filters(pairs);
    tracing::info!(
        filters = store.filters.len(),
        "bunq notification filters replaced"
    );
    Ok(respond(store.filters.iter().map(filter_object).collect()))
}
