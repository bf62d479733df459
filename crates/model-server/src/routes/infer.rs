//! `POST /v2/models/{name}[/versions/{version}]/infer`: decode the rows,
//! predict with the model held for the whole request, answer one category
//! id, name and confidence per row.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::codec::decode;
use crate::error::{ApiError, ErrorBody};
use crate::protocol::{InferenceRequest, InferenceResponse, ResponseOutput};
use crate::registry::LoadedModel;

/// Batches above this many rows are predicted on a blocking thread, so a
/// large request does not hold up the async workers.
const INLINE_ROWS: usize = 64;

/// `POST /v2/models/{name}/infer`: the served version.
#[utoipa::path(post, path = "/v2/models/{name}/infer", tag = "inference",
    params(("name" = String, Path, description = "The YNAB budget id")),
    request_body = InferenceRequest<'_>,
    responses((status = 200, body = InferenceResponse),
        (status = 400, description = "Malformed or undecodable tensors", body = ErrorBody),
        (status = 404, description = "No such model", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Not an inference request", body = ErrorBody)))]
pub async fn model(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<InferenceResponse>, ApiError> {
    let model = state.model(&name, None)?;
    answer(model, body, state.max_body_bytes).await
}

/// `POST /v2/models/{name}/versions/{version}/infer`: only while that
/// version is served.
#[utoipa::path(post, path = "/v2/models/{name}/versions/{version}/infer", tag = "inference",
    params(("name" = String, Path, description = "The YNAB budget id"),
        ("version" = String, Path, description = "The model version")),
    request_body = InferenceRequest<'_>,
    responses((status = 200, body = InferenceResponse),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn version(
    State(state): State<AppState>,
    Path((name, version)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<InferenceResponse>, ApiError> {
    let model = state.model(&name, Some(&version))?;
    answer(model, body, state.max_body_bytes).await
}

async fn answer(
    model: Arc<LoadedModel>,
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<Json<InferenceResponse>, ApiError> {
    let started = Instant::now();
    let bytes = read(body, limit)?;
    let request = parse(&bytes)?;
    let wanted = wanted_outputs(&request)?;
    let rows = decode(&request)?;

    let count = rows.len();
    let predictions = if count <= INLINE_ROWS {
        model.model.predict(&rows)
    } else {
        let held = Arc::clone(&model);
        tokio::task::spawn_blocking(move || held.model.predict(&rows))
            .await
            .map_err(|e| ApiError::Internal(format!("prediction task failed: {e}")))?
    };

    let outputs = columns(&predictions, &wanted);
    metrics::counter!("model_server_inference_rows_total").increment(count as u64);
    metrics::histogram!("model_server_inference_seconds").record(started.elapsed().as_secs_f64());
    tracing::debug!(budget.id = %model.name, model.version = model.version, rows = count, "inference answered");
    Ok(Json(InferenceResponse {
        model_name: model.name.clone(),
        model_version: model.version_label.clone(),
        id: request.id,
        parameters: content_type("pd"),
        outputs,
    }))
}

/// The body, or why it could not be read: too large (413) or cut short
/// (400).
fn read(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge { limit },
        _ => ApiError::BadRequest(format!(
            "could not read the body: {}",
            rejection.body_text()
        )),
    })
}

/// The request, or why it is not one: not JSON (400) or JSON of the wrong
/// shape (422).
fn parse(bytes: &[u8]) -> Result<InferenceRequest<'_>, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        if e.is_data() {
            ApiError::Unprocessable(format!("not an inference request: {e}"))
        } else {
            ApiError::BadRequest(format!("the body is not JSON: {e}"))
        }
    })
}

/// The outputs the request asks for, all three by default.
fn wanted_outputs(request: &InferenceRequest<'_>) -> Result<Vec<&'static str>, ApiError> {
    const ALL: [&str; 3] = ["category_id", "category_name", "confidence"];
    let Some(asked) = &request.outputs else {
        return Ok(ALL.to_vec());
    };
    asked
        .iter()
        .map(|o| {
            ALL.iter()
                .find(|name| **name == o.name)
                .copied()
                .ok_or_else(|| ApiError::BadRequest(format!("unknown output {:?}", o.name)))
        })
        .collect()
}

fn columns(predictions: &[learning::Prediction], wanted: &[&'static str]) -> Vec<ResponseOutput> {
    wanted
        .iter()
        .map(|&name| {
            let (datatype, kind, data): (_, _, Vec<Value>) = match name {
                "category_id" => ("BYTES", "str", text(predictions, |p| &p.category_id)),
                "category_name" => ("BYTES", "str", text(predictions, |p| &p.category_name)),
                _ => (
                    "FP64",
                    "np",
                    predictions.iter().map(|p| json!(p.confidence)).collect(),
                ),
            };
            ResponseOutput {
                name,
                shape: vec![predictions.len()],
                datatype,
                parameters: content_type(kind),
                data,
            }
        })
        .collect()
}

fn text(
    predictions: &[learning::Prediction],
    field: fn(&learning::Prediction) -> &String,
) -> Vec<Value> {
    predictions
        .iter()
        .map(|p| Value::String(field(p).clone()))
        .collect()
}

fn content_type(kind: &str) -> Map<String, Value> {
    let mut parameters = Map::new();
    parameters.insert("content_type".to_owned(), Value::String(kind.to_owned()));
    parameters
}
