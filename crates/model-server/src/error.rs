//! The one error type of the HTTP API: every failure answers with the V2
//! error body `{"error": "..."}` and a 4xx status; nothing the request can
//! do produces a 500 (only a server fault, [`ApiError::Internal`], does).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// A request the server refuses, with the reason shown to the caller.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not a well-formed inference request, or its tensors do
    /// not decode into payments (400, as MLServer answers inference
    /// errors).
    #[error("{0}")]
    BadRequest(String),
    /// The JSON is well formed but not an inference request: a required
    /// member is missing or of the wrong type (422).
    #[error("{0}")]
    Unprocessable(String),
    /// No such model, or no such version of it (404).
    #[error("{0}")]
    NotFound(String),
    /// The body is above the configured limit (413).
    #[error("request body is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A fault of the server itself (a prediction task that panicked):
    /// 500 with a generic text; the cause is logged once, here.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// The status the error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The 404 for a model name (budget id) that is not loaded.
    pub fn unknown_model(name: &str) -> Self {
        Self::NotFound(format!("model {name} is not loaded"))
    }

    /// The 404 for a version of a loaded model other than the served one.
    pub fn unknown_version(name: &str, version: &str) -> Self {
        Self::NotFound(format!("version {version} of model {name} is not loaded"))
    }
}

/// The V2 error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What is wrong, naming the bad value.
    pub error: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        metrics::counter!("model_server_request_errors_total", "status" => status.as_str().to_owned())
            .increment(1);
        if let Self::Internal(cause) = &self {
            tracing::error!(error = %cause, "request failed inside the server");
        } else {
            tracing::debug!(http.status = status.as_u16(), error = %self, "request refused");
        }
        let body = ErrorBody {
            error: self.to_string(),
        };
        (status, Json(body)).into_response()
    }
}
