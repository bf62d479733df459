//! Server metadata (`GET /v2`) and model metadata
//! (`GET /v2/models/{name}[/versions/{version}]`).

use axum::Json;
use axum::extract::{Path, State};

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::protocol::{MetadataTensor, ModelMetadata, ServerMetadata};
use crate::registry::LoadedModel;

/// The server's name in its metadata.
pub const SERVER_NAME: &str = "bunq-ynab-connect-model-server";

/// `GET /v2`.
#[utoipa::path(get, path = "/v2", tag = "metadata",
    responses((status = 200, body = ServerMetadata)))]
pub async fn server() -> Json<ServerMetadata> {
    Json(ServerMetadata {
        name: SERVER_NAME,
        version: env!("CARGO_PKG_VERSION"),
        extensions: Vec::new(),
    })
}

/// `GET /v2/models/{name}`: the served version's metadata.
#[utoipa::path(get, path = "/v2/models/{name}", tag = "metadata",
    params(("name" = String, Path, description = "The YNAB budget id")),
    responses((status = 200, body = ModelMetadata), (status = 404, body = ErrorBody)))]
pub async fn model(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<ModelMetadata>, ApiError> {
    state.model(&name, None).map(|m| Json(describe(&m)))
}

/// `GET /v2/models/{name}/versions/{version}`.
#[utoipa::path(get, path = "/v2/models/{name}/versions/{version}", tag = "metadata",
    params(("name" = String, Path, description = "The YNAB budget id"),
        ("version" = String, Path, description = "The model version")),
    responses((status = 200, body = ModelMetadata), (status = 404, body = ErrorBody)))]
pub async fn version(
    State(state): State<AppState>,
    Path((name, version)): Path<(String, String)>,
) -> Result<Json<ModelMetadata>, ApiError> {
    state
        .model(&name, Some(&version))
        .map(|m| Json(describe(&m)))
}

fn describe(model: &LoadedModel) -> ModelMetadata {
    ModelMetadata {
        name: model.name.clone(),
        versions: vec![model.version_label.clone()],
        platform: format!("learning-{}", model.model.algorithm),
        inputs: inputs(),
        outputs: outputs(),
    }
}

/// The payment fields a model reads, as the pandas codec sends them.
fn inputs() -> Vec<MetadataTensor> {
    let tensor = |name, datatype| MetadataTensor {
        name,
        datatype,
        shape: vec![-1, 1],
    };
    vec![
        tensor("amount", "BYTES"),
        tensor("created", "BYTES"),
        tensor("description", "BYTES"),
        tensor("counterparty_alias", "BYTES"),
        tensor("type", "BYTES"),
        tensor("sub_type", "BYTES"),
    ]
}

/// The three outputs, one value per row.
fn outputs() -> Vec<MetadataTensor> {
    let tensor = |name, datatype| MetadataTensor {
        name,
        datatype,
        shape: vec![-1],
    };
    vec![
        tensor("category_id", "BYTES"),
        tensor("category_name", "BYTES"),
        tensor("confidence", "FP64"),
    ]
}
