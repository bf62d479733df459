//! The errors the YNAB half answers with, in YNAB's body shape
//! `{"error": {"id", "name", "detail"}}` (all three required by the spec's
//! `ErrorDetail`), plus the error of the test helpers on [`super::YnabState`].

use std::fmt;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// One error response, as YNAB sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiError {
    /// 400: malformed syntax or a validation error; the detail says which.
    BadRequest(String),
    /// 401: no bearer token, or not the configured one.
    Unauthorized,
    /// 404.2: an unknown plan, account, transaction or path.
    NotFound,
    /// 409: a single create whose `import_id` already exists on the account.
    Conflict(String),
    /// 429: the token used its hourly allowance.
    TooManyRequests,
}

impl ApiError {
    /// The HTTP status, YNAB error id, error name and detail.
    fn parts(&self) -> (StatusCode, &'static str, &'static str, &str) {
        match self {
            Self::BadRequest(detail) => (StatusCode::BAD_REQUEST, "400", "bad_request", detail),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "401",
                "unauthorized",
                "Unauthorized",
            ),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "404.2",
                "resource_not_found",
                "Resource not found",
            ),
            Self::Conflict(detail) => (StatusCode::CONFLICT, "409", "conflict", detail),
            Self::TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                "429",
                "too_many_requests",
                "Too many requests",
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, id, name, detail) = self.parts();
        let body = json!({"error": {"id": id, "name": name, "detail": detail}});
        (status, Json(body)).into_response()
    }
}

/// Why a test helper on [`super::YnabState`] could not do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YnabStateError {
    /// No budget has this id.
    UnknownBudget(String),
    /// The budget has no live transaction with this id.
    UnknownTransaction(String),
    /// The budget has no live category with this id.
    UnknownCategory(String),
}

impl fmt::Display for YnabStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownBudget(id) => write!(f, "no budget with id {id:?}"),
            Self::UnknownTransaction(id) => write!(f, "no transaction with id {id:?}"),
            Self::UnknownCategory(id) => write!(f, "no category with id {id:?}"),
        }
    }
}

impl std::error::Error for YnabStateError {}
