//! [`ApiError`]: every way a callback request can fail, and the answer it
//! gets. 4xx answers say what was wrong; 5xx answers are generic, and
//! their cause is logged once, here.

use std::net::IpAddr;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A failed callback request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The caller is outside the allowed source networks.
    #[error("callbacks from {0} are not accepted")]
    Forbidden(IpAddr),
    /// The body could not be read (too large, cut off).
    #[error("{message}")]
    Body {
        /// 413 for too large, 400 otherwise.
        status: StatusCode,
        /// What was wrong.
        message: String,
    },
    /// The body is not a notification this service can read.
    #[error("{0}")]
    BadRequest(String),
    /// bunq does not know the payment the callback names.
    #[error("bunq knows no payment {payment_id} on monetary account {account_id}")]
    UnknownPayment {
        /// The payment id from the body.
        payment_id: i64,
        /// The account id from the body.
        account_id: i64,
    },
    /// bunq or MongoDB could not be reached; bunq retries the callback.
    #[error("the callback could not be handled now")]
    Unavailable(#[source] anyhow::Error),
}

impl ApiError {
    /// The status answered.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Body { status, .. } => *status,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::UnknownPayment { .. } => StatusCode::NOT_FOUND,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The label of the `outcome` of `callback_requests_total`.
    pub fn outcome(&self) -> &'static str {
        match self {
            Self::Forbidden(_) => "forbidden",
            Self::Body { .. } | Self::BadRequest(_) => "bad_request",
            Self::UnknownPayment { .. } => "unknown_payment",
            Self::Unavailable(_) => "unavailable",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        metrics::counter!("callback_requests_total", "outcome" => self.outcome()).increment(1);
        match &self {
            Self::Unavailable(cause) => {
                tracing::error!(error = format!("{cause:#}"), "callback not handled")
            }
            Self::Forbidden(ip) => tracing::warn!(client.ip = %ip, "callback refused"),
            other => tracing::info!(status = status.as_u16(), error = %other, "callback rejected"),
        }
        (status, Json(json!({ "error": self.to_string() }))).into_response()
    }
}
