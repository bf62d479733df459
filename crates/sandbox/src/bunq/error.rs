//! bunq's error answers: a status code and
//! `{"Error":[{"error_description": ..., "error_description_translated": ...}]}`,
//! with the texts bunq uses where they are known.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// bunq's non-standard "request signature required" status.
pub(crate) const SIGNATURE_REQUIRED: u16 = 466;

/// One error answer of the bunq half.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BunqError {
    /// HTTP status.
    pub status: u16,
    /// `error_description` (also used translated).
    pub description: String,
}

impl BunqError {
    /// An error with any status.
    pub fn new(status: u16, description: impl Into<String>) -> Self {
        Self {
            status,
            description: description.into(),
        }
    }

    /// 400 with a description.
    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(400, description)
    }

    /// 401: no, an unknown or an expired token.
    pub fn unauthenticated() -> Self {
        Self::new(401, "Insufficient authentication.")
    }

    /// 403: a token that may not see this user.
    pub fn unauthorised() -> Self {
        Self::new(403, "Insufficient authorisation.")
    }

    /// 404 for an object of a kind (`Payment`, `MonetaryAccount`, ...).
    pub fn not_found(kind: &str) -> Self {
        Self::new(404, format!("{kind} not found."))
    }

    /// 429 with the limit that was hit.
    pub fn too_many_requests(calls: u32, window_secs: u64) -> Self {
        Self::new(
            429,
            format!(
                "Too many requests. You can do a maximum of {calls} calls per {window_secs} \
                 second to this endpoint."
            ),
        )
    }

    /// 500, as bunq answers an internal failure.
    pub fn internal() -> Self {
        Self::new(
            500,
            "Something went wrong on our end. Please try again later.",
        )
    }

    /// The wrong API key on device-server or session-server.
    pub fn bad_credentials() -> Self {
        Self::bad_request("User credentials are incorrect. Incorrect API key or IP address.")
    }

    /// The error body as bunq writes it.
    pub fn body(&self) -> serde_json::Value {
        json!({"Error": [{
            "error_description": self.description,
            "error_description_translated": self.description,
        }]})
    }
}

impl IntoResponse for BunqError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(self.body())).into_response()
    }
}
