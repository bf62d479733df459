//! [`DashboardError`]: what a page or an action can fail with, and the
//! page the user sees then. 4xx answers say what was wrong; 5xx answers
//! say only that something failed, and the cause is logged once.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::templates::esc;

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// MongoDB failed.
    #[error("the store failed")]
    Store(#[from] store::StoreError),
    /// A form field is missing or malformed.
    #[error("invalid input: {0}")]
    BadInput(String),
    /// The form's CSRF token or origin does not match.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The job is running already.
    #[error("a {0} run is in progress already; wait for it to finish")]
    Busy(&'static str),
    /// Something else failed.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl DashboardError {
    fn status(&self) -> StatusCode {
        match self {
            Self::BadInput(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Busy(_) => StatusCode::CONFLICT,
            Self::Store(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for DashboardError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(
                error = format!("{:#}", anyhow::Error::from(self)),
                "dashboard request failed"
            );
            return (
                status,
                Html(error_page(
                    status,
                    "Something failed; see the dashboard's log.",
                )),
            )
                .into_response();
        }
        (status, Html(error_page(status, &self.to_string()))).into_response()
    }
}

fn error_page(status: StatusCode, message: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{status}</title></head>\
         <body><h1>{status}</h1><p class=\"error\">{}</p><p><a href=\"/runs\">Back to the dashboard</a></p></body></html>",
        esc(message)
    )
}
