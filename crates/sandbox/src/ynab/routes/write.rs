//! The routes that change transactions: POST (one or many), PATCH (many,
//! answered with the spec's status 209), PUT and DELETE of one. Bodies are
//! read by hand so that malformed JSON and bad fields get YNAB's 400 body.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::read::transaction_response;
use super::{Api, data};
use crate::ynab::error::ApiError;
use crate::ynab::input::parse_transaction;
use crate::ynab::render;
use crate::ynab::store::{Change, Parsed, Plan, SaveError};

/// PATCH's success status in the spec (not a registered HTTP status).
const MULTI_UPDATE_STATUS: u16 = 209;

/// `POST /plans/{plan_id}/transactions` with `transaction` or `transactions`.
pub(crate) async fn create(
    State(api): State<Api>,
    Path(plan_id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = json_object(&body)?;
    let single = body.get("transaction").filter(|v| !v.is_null());
    let many = body.get("transactions").filter(|v| !v.is_null());
    let now = api.state.settings.clock.now();

    match (single, many) {
        (Some(_), Some(_)) => Err(bad("provide either transaction or transactions, not both")),
        (Some(one), None) => create_single(&api, &plan_id, one, now),
        (None, Some(items)) => {
            let items = parse_list(items)?;
            api.write(&plan_id, |plan| {
                let change = plan.create_many(items, now).map_err(save_error)?;
                tracing::info!(
                    budget.id = %plan.id,
                    created = change.ids.len(),
                    duplicates = change.duplicate_import_ids.len(),
                    "created YNAB transactions in bulk"
                );
                Ok(change_response(plan, &change, false))
            })
        }
        (None, None) => Err(bad("transaction or transactions is required")),
    }
}

/// The `{"transaction": {...}}` form: 201, or 409 for a taken import id.
fn create_single(
    api: &Api,
    plan_id: &str,
    one: &Value,
    now: DateTime<Utc>,
) -> Result<Response, ApiError> {
    let fields = parse_transaction(one).map_err(|e| bad(&e.join(", ")))?;
    api.write(plan_id, |plan| {
        let id = plan.create_one(&fields, now).map_err(save_error)?;
        tracing::info!(
            budget.id = %plan.id,
            transaction.id = %id,
            "created a YNAB transaction"
        );
        let change = Change {
            ids: vec![id],
            ..Change::default()
        };
        Ok(change_response(plan, &change, true))
    })
}

/// `PATCH /plans/{plan_id}/transactions`: update many by `id` or `import_id`.
pub(crate) async fn update_many(
    State(api): State<Api>,
    Path(plan_id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = json_object(&body)?;
    let items = body
        .get("transactions")
        .ok_or_else(|| bad("transactions is required"))?;
    let items = parse_list(items)?;
    let now = api.state.settings.clock.now();
    api.write(&plan_id, |plan| {
        let change = plan.update_many(items, now).map_err(save_error)?;
        let updated = change.ids.len();
        tracing::info!(budget.id = %plan.id, updated, "updated YNAB transactions");
        let mut response = change_response(plan, &change, false);
        // 209 is a valid status number, so the fallback is never taken.
        let status = StatusCode::from_u16(MULTI_UPDATE_STATUS).unwrap_or(StatusCode::OK);
        *response.status_mut() = status;
        Ok(response)
    })
}

/// `PUT /plans/{plan_id}/transactions/{transaction_id}`.
pub(crate) async fn update(
    State(api): State<Api>,
    Path((plan_id, transaction_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = json_object(&body)?;
    let one = body
        .get("transaction")
        .filter(|v| !v.is_null())
        .ok_or_else(|| bad("transaction is required"))?;
    let fields = parse_transaction(one).map_err(|e| bad(&e.join(", ")))?;
    let now = api.state.settings.clock.now();
    api.write(&plan_id, |plan| {
        plan.update_one(&transaction_id, &fields, now)
            .map_err(save_error)?;
        tracing::info!(
            budget.id = %plan.id,
            transaction.id = %transaction_id,
            "updated a YNAB transaction"
        );
        let txn = plan
            .transaction(&transaction_id)
            .ok_or(ApiError::NotFound)?;
        Ok(transaction_response(plan, txn, StatusCode::OK))
    })
}

/// `DELETE /plans/{plan_id}/transactions/{transaction_id}`.
pub(crate) async fn delete(
    State(api): State<Api>,
    Path((plan_id, transaction_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let now = api.state.settings.clock.now();
    api.write(&plan_id, |plan| {
        plan.delete(&transaction_id, now).map_err(save_error)?;
        tracing::info!(
            budget.id = %plan.id,
            transaction.id = %transaction_id,
            "deleted a YNAB transaction"
        );
        let txn = plan
            .transaction(&transaction_id)
            .ok_or(ApiError::NotFound)?;
        Ok(transaction_response(plan, txn, StatusCode::OK))
    })
}

/// A `SaveTransactionsResponse`: 201 for creates (the caller sets 209 for
/// PATCH); `single` answers with `transaction` instead of `transactions`.
fn change_response(plan: &Plan, change: &Change, single: bool) -> Response {
    let mut details: Vec<Value> = change
        .ids
        .iter()
        .filter_map(|id| plan.transaction(id))
        .map(|t| render::transaction_detail(plan, t))
        .collect();
    let mut body = json!({
        "transaction_ids": change.ids,
        "duplicate_import_ids": change.duplicate_import_ids,
        "server_knowledge": plan.knowledge,
    });
    if let Some(object) = body.as_object_mut() {
        if !single {
            object.insert("transactions".to_owned(), Value::Array(details));
        } else if let Some(detail) = details.pop() {
            object.insert("transaction".to_owned(), detail);
        }
    }
    data(StatusCode::CREATED, body)
}

/// Reads a JSON object body; anything else is YNAB's 400.
fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(bad("the request body must be a JSON object")),
        Err(_) => Err(bad("the request body is not valid JSON")),
    }
}

/// Reads a non-empty list of transactions, item by item: problems are
/// reported later together with those found against the plan.
fn parse_list(items: &Value) -> Result<Vec<Parsed>, ApiError> {
    let items = items
        .as_array()
        .ok_or_else(|| bad("transactions must be an array"))?;
    if items.is_empty() {
        return Err(bad("transactions must not be empty"));
    }
    Ok(items.iter().map(parse_transaction).collect())
}

fn save_error(error: SaveError) -> ApiError {
    match error {
        SaveError::Invalid(problems) => bad(&problems.join(", ")),
        SaveError::Duplicate(import_id) => ApiError::Conflict(format!(
            "a transaction with import_id {import_id:?} already exists on this account"
        )),
        SaveError::NotFound => ApiError::NotFound,
    }
}

fn bad(detail: &str) -> ApiError {
    ApiError::BadRequest(detail.to_owned())
}
