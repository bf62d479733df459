//! Liveness and readiness of the server and of each model. Per the V2
//! protocol a 200 with an empty body means yes; "not ready" is 400 for a
//! model (as MLServer answers) and 503 for the whole server, so that
//! orchestrators see it as unavailable.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::AppState;
use crate::error::ApiError;

/// `GET /v2/health/live`: the process answers.
#[utoipa::path(get, path = "/v2/health/live", tag = "health",
    responses((status = 200, description = "The server is live")))]
pub async fn live() -> StatusCode {
    StatusCode::OK
}

/// `GET /v2/health/ready`: at least one model is loaded.
#[utoipa::path(get, path = "/v2/health/ready", tag = "health", responses(
    (status = 200, description = "At least one model is loaded"),
    (status = 503, description = "No model is loaded yet")))]
pub async fn ready(State(state): State<AppState>) -> StatusCode {
    if state.registry.is_empty() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    }
}

/// `GET /v2/models/{name}/ready`: the model is loaded.
#[utoipa::path(get, path = "/v2/models/{name}/ready", tag = "health",
    params(("name" = String, Path, description = "The YNAB budget id")),
    responses((status = 200, description = "Loaded"),
        (status = 404, description = "Not loaded", body = crate::error::ErrorBody)))]
pub async fn model_ready(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.model(&name, None).map(|_| StatusCode::OK)
}

/// `GET /v2/models/{name}/versions/{version}/ready`: that version is the
/// loaded one.
#[utoipa::path(get, path = "/v2/models/{name}/versions/{version}/ready", tag = "health",
    params(("name" = String, Path, description = "The YNAB budget id"),
        ("version" = String, Path, description = "The model version")),
    responses((status = 200, description = "Loaded"),
        (status = 404, description = "Not loaded", body = crate::error::ErrorBody)))]
pub async fn version_ready(
    State(state): State<AppState>,
    Path((name, version)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state.model(&name, Some(&version)).map(|_| StatusCode::OK)
}
