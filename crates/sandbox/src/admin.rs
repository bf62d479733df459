//! Test controls under `/_sandbox/` on both ports, with no auth, signature
//! or rate limit: faults, run-time bunq payments, the request record,
//! counters, and the household's ground truth.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::bunq::{BunqState, NewPayment};
use crate::callbacks::Callbacks;
use crate::faults::{FaultRule, FaultSet, Side};
use crate::household::{Budget, Household};
use crate::record::Recorder;

/// Most payments one bulk call creates.
const MAX_BULK: u32 = 100_000;

/// What both ports' admin endpoints share.
pub struct Shared {
    /// The bunq half.
    pub bunq: Arc<BunqState>,
    /// The request record of both halves.
    pub recorder: Arc<Recorder>,
    /// The household as generated (budgets as they started).
    pub household: Arc<Household>,
    /// Sends MUTATION callbacks for payments added here.
    pub callbacks: Arc<Callbacks>,
}

/// The admin state of one port.
#[derive(Clone)]
pub struct AdminState {
    /// Which half this port plays (faults registered here hit it).
    pub side: Side,
    /// This port's fault rules.
    pub faults: Arc<FaultSet>,
    /// Shared parts.
    pub shared: Arc<Shared>,
}

/// The `/_sandbox` routes for one port.
pub fn router(state: AdminState) -> Router {
    Router::new()
        .route(
            "/_sandbox/faults",
            get(faults).post(add_fault).delete(clear_faults),
        )
        .route("/_sandbox/bunq/payments", post(add_payment))
        .route("/_sandbox/bunq/payments/bulk", post(add_payments))
        .route("/_sandbox/bunq/sessions/expire", post(expire_sessions))
        .route("/_sandbox/requests", get(requests).delete(clear_requests))
        .route("/_sandbox/stats", get(stats))
        .route("/_sandbox/household", get(household))
        .with_state(state)
}

fn fail(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

async fn faults(State(state): State<AdminState>) -> Json<Vec<FaultRule>> {
    Json(state.faults.rules())
}

async fn add_fault(State(state): State<AdminState>, body: axum::body::Bytes) -> Response {
    let rule: FaultRule = match serde_json::from_slice(&body) {
        Ok(rule) => rule,
        Err(e) => return fail(StatusCode::BAD_REQUEST, format!("not a fault rule: {e}")),
    };
    tracing::info!(side = ?state.side, ?rule, "fault registered");
    state.faults.add(rule);
    (StatusCode::CREATED, Json(state.faults.rules())).into_response()
}

async fn clear_faults(State(state): State<AdminState>) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}

async fn add_payment(State(state): State<AdminState>, body: axum::body::Bytes) -> Response {
    let new: NewPayment = match serde_json::from_slice(&body) {
        Ok(new) => new,
        Err(e) => return fail(StatusCode::BAD_REQUEST, format!("not a payment: {e}")),
    };
    let bunq = &state.shared.bunq;
    match bunq.add_payment(new) {
        Ok(payment) => {
            tracing::info!(
                payment.id = payment.id,
                account.id = payment.account_id,
                "payment added"
            );
            let rendered = bunq.render_payment(&payment);
            let targets = bunq.mutation_targets();
            state.shared.callbacks.payment_created(targets, &rendered);
            (StatusCode::CREATED, Json(rendered)).into_response()
        }
        Err(e) => fail(
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            e.description,
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkBody {
    count: u32,
    account_id: i64,
}

async fn add_payments(State(state): State<AdminState>, body: axum::body::Bytes) -> Response {
    let bulk: BulkBody = match serde_json::from_slice(&body) {
        Ok(bulk) => bulk,
        Err(e) => return fail(StatusCode::BAD_REQUEST, format!("not a bulk request: {e}")),
    };
    if bulk.count == 0 || bulk.count > MAX_BULK {
        return fail(
            StatusCode::BAD_REQUEST,
            format!("count {} is not in 1..={MAX_BULK}", bulk.count),
        );
    }
    let mut ids = Vec::with_capacity(bulk.count as usize);
    for n in 0..bulk.count {
        let new = NewPayment {
            account_id: bulk.account_id,
            amount: format!("-{}.{:02}", 1 + n % 90, (n * 37) % 100),
            description: format!("Load test payment {}", n + 1),
            counterparty_name: Some("ALBERT HEIJN 1234 AMSTERDAM".to_owned()),
            counterparty_iban: None,
            payment_type: Some("MAESTRO".to_owned()),
            sub_type: None,
            created: None,
        };
        match state.shared.bunq.add_payment(new) {
            Ok(payment) => ids.push(payment.id),
            Err(e) => {
                return fail(
                    StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
                    e.description,
                );
            }
        }
    }
    tracing::info!(
        account.id = bulk.account_id,
        count = ids.len(),
        "payments added in bulk"
    );
    let body = json!({"created": ids.len(), "first_id": ids.first(), "last_id": ids.last()});
    (StatusCode::CREATED, Json(body)).into_response()
}

async fn expire_sessions(State(state): State<AdminState>) -> StatusCode {
    state.shared.bunq.expire_sessions();
    StatusCode::NO_CONTENT
}

/// `?side=bunq|ynab`; absent means both.
fn side(query: &HashMap<String, String>) -> Result<Option<Side>, String> {
    match query.get("side").map(String::as_str) {
        None => Ok(None),
        Some("bunq") => Ok(Some(Side::Bunq)),
        Some("ynab") => Ok(Some(Side::Ynab)),
        Some(other) => Err(format!("side {other:?} is not bunq or ynab")),
    }
}

async fn requests(
    State(state): State<AdminState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match side(&query) {
        Ok(side) => Json(state.shared.recorder.requests(side)).into_response(),
        Err(message) => fail(StatusCode::BAD_REQUEST, message),
    }
}

async fn clear_requests(
    State(state): State<AdminState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match side(&query) {
        Ok(side) => {
            state.shared.recorder.clear(side);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(message) => fail(StatusCode::BAD_REQUEST, message),
    }
}

async fn stats(State(state): State<AdminState>) -> Json<Value> {
    let recorder = &state.shared.recorder;
    Json(json!({"bunq": recorder.stats(Side::Bunq), "ynab": recorder.stats(Side::Ynab)}))
}

async fn household(State(state): State<AdminState>) -> Json<Value> {
    let (bunq, household) = (&state.shared.bunq, &state.shared.household);
    let accounts: Vec<Value> = bunq
        .accounts()
        .iter()
        .map(|a| {
            json!({"id": a.id, "type": a.kind.wrapper_key(), "description": a.description,
                   "iban": a.iban.as_str(), "status": a.status,
                   "payment_count": bunq.payment_count(a.id)})
        })
        .collect();
    let user = bunq.user();
    Json(json!({
        "user": {"id": user.id, "display_name": user.display_name},
        "accounts": accounts,
        "budgets": household.budgets.iter().map(budget_summary).collect::<Vec<_>>(),
    }))
}

fn budget_summary(budget: &Budget) -> Value {
    let accounts: Vec<Value> = budget
        .accounts
        .iter()
        .map(|a| {
            let count = budget
                .transactions
                .iter()
                .filter(|t| t.account_id == a.id)
                .count();
            json!({"id": a.id, "name": a.name, "type": a.account_type, "note": a.note,
                   "closed": a.closed, "transfer_payee_id": a.transfer_payee_id,
                   "transaction_count": count})
        })
        .collect();
    let categories: usize = budget
        .category_groups
        .iter()
        .map(|g| g.categories.len())
        .sum();
    json!({"id": budget.id, "name": budget.name, "accounts": accounts,
           "category_count": categories, "transaction_count": budget.transactions.len()})
}
