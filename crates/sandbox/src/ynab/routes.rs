//! The YNAB routes under `/v1`, served twice: as `/plans/...` (API 1.79
//! and later, members `plans`, `default_plan`, `plan`) and as the older
//! `/budgets/...` (members `budgets`, `default_budget`, `budget`), over the
//! same data. Also the plumbing the handlers share: plan lookup (with
//! `last-used` and `default`), query parameters and the `data` envelope.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router, middleware};
use chrono::NaiveDate;
use serde_json::{Value, json};

use super::YnabState;
use super::error::ApiError;
use super::guard::guard;
use super::store::Plan;

mod read;
mod write;

/// Which path family a request came in on; it decides the member names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// `/plans/...`.
    Plans,
    /// `/budgets/...`.
    Budgets,
}

impl Family {
    fn prefix(self) -> &'static str {
        match self {
            Self::Plans => "/plans",
            Self::Budgets => "/budgets",
        }
    }

    /// `plans` / `budgets`.
    pub(crate) fn list_member(self) -> &'static str {
        match self {
            Self::Plans => "plans",
            Self::Budgets => "budgets",
        }
    }

    /// `default_plan` / `default_budget`.
    pub(crate) fn default_member(self) -> &'static str {
        match self {
            Self::Plans => "default_plan",
            Self::Budgets => "default_budget",
        }
    }

    /// `plan` / `budget`.
    pub(crate) fn one_member(self) -> &'static str {
        match self {
            Self::Plans => "plan",
            Self::Budgets => "budget",
        }
    }
}

/// The handlers' state: the shared data plus the family of the route.
#[derive(Clone)]
pub(crate) struct Api {
    pub(crate) state: Arc<YnabState>,
    pub(crate) family: Family,
}

/// Every YNAB route under `/v1`, behind the token and rate-limit gate.
/// Unknown paths answer YNAB's 404 body.
pub(crate) fn v1(state: Arc<YnabState>) -> Router {
    let mut routes = Router::new();
    for family in [Family::Plans, Family::Budgets] {
        let api = Api {
            state: Arc::clone(&state),
            family,
        };
        let mut family_routes = family_routes(family.prefix());
        if family == Family::Plans {
            family_routes = family_routes.route("/user", get(read::user));
        }
        routes = routes.merge(family_routes.with_state(api));
    }
    let routes = routes
        .fallback(|| async { ApiError::NotFound })
        .layer(middleware::from_fn_with_state(state, guard));
    Router::new().nest("/v1", routes)
}

fn family_routes(prefix: &str) -> Router<Api> {
    let plan = format!("{prefix}/{{plan_id}}");
    Router::new()
        .route(prefix, get(read::plans))
        .route(&plan, get(read::plan))
        .route(&format!("{plan}/accounts"), get(read::accounts))
        .route(
            &format!("{plan}/accounts/{{account_id}}"),
            get(read::account),
        )
        .route(
            &format!("{plan}/accounts/{{account_id}}/transactions"),
            get(read::account_transactions),
        )
        .route(&format!("{plan}/categories"), get(read::categories))
        .route(&format!("{plan}/payees"), get(read::payees))
        .route(
            &format!("{plan}/transactions"),
            get(read::transactions)
                .post(write::create)
                .patch(write::update_many),
        )
        .route(
            &format!("{plan}/transactions/{{transaction_id}}"),
            get(read::transaction)
                .put(write::update)
                .delete(write::delete),
        )
}

impl Api {
    /// Runs `f` on the plan `plan_id` names (`last-used` and `default`
    /// name the first plan).
    pub(crate) fn read<T>(
        &self,
        plan_id: &str,
        f: impl FnOnce(&Plan) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let plans = self
            .state
            .plans
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let index = plan_index(&plans, plan_id).ok_or(ApiError::NotFound)?;
        f(&plans[index])
    }

    /// Like [`Api::read`], for a change.
    pub(crate) fn write<T>(
        &self,
        plan_id: &str,
        f: impl FnOnce(&mut Plan) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut plans = self
            .state
            .plans
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let index = plan_index(&plans, plan_id).ok_or(ApiError::NotFound)?;
        f(&mut plans[index])
    }
}

/// Where the plan `id` is; `last-used` and `default` mean the first one.
pub(crate) fn plan_index(plans: &[Plan], id: &str) -> Option<usize> {
    match id {
        "last-used" | "default" if !plans.is_empty() => Some(0),
        _ => plans.iter().position(|p| p.id == id),
    }
}

/// A success body: `{"data": ...}` with `status`.
pub(crate) fn data(status: StatusCode, data: Value) -> Response {
    (status, Json(json!({ "data": data }))).into_response()
}

/// The query string, as name → value.
pub(crate) type Query = HashMap<String, String>;

/// `last_knowledge_of_server`, when given.
pub(crate) fn knowledge_param(query: &Query) -> Result<Option<i64>, ApiError> {
    let Some(text) = query.get("last_knowledge_of_server") else {
        return Ok(None);
    };
    text.parse().map(Some).map_err(|_| {
        ApiError::BadRequest(format!(
            "last_knowledge_of_server {text:?} is not an integer"
        ))
    })
}

/// An ISO date parameter, when given.
pub(crate) fn date_param(query: &Query, name: &str) -> Result<Option<NaiveDate>, ApiError> {
    let Some(text) = query.get(name) else {
        return Ok(None);
    };
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ApiError::BadRequest(format!("{name} {text:?} is not a valid ISO date")))
}

/// A boolean parameter; absent means false.
pub(crate) fn flag_param(query: &Query, name: &str) -> Result<bool, ApiError> {
    match query.get(name).map(String::as_str) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(ApiError::BadRequest(format!(
            "{name} {other:?} is not true or false"
        ))),
    }
}
