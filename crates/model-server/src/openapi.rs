//! The OpenAPI document of the V2 endpoints, generated from the handlers,
//! and Swagger UI at `/v2/docs` with its assets compiled into the binary.

use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ErrorBody;
use crate::protocol::{
    InferenceRequest, InferenceResponse, MetadataTensor, ModelMetadata, RequestInput,
    RequestOutput, ResponseOutput, ServerMetadata,
};
use crate::routes::{health, infer, metadata};

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/v2/docs/openapi.json";

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "bunq-ynab-connect model server",
        description = "Category models per YNAB budget over the Open Inference Protocol (V2). Model name = budget id; version = the model's version number."
    ),
    paths(
        metadata::server,
        health::live,
        health::ready,
        health::model_ready,
        health::version_ready,
        metadata::model,
        metadata::version,
        infer::model,
        infer::version
    ),
    components(schemas(
        InferenceRequest<'_>,
        RequestInput<'_>,
        RequestOutput,
        InferenceResponse,
        ResponseOutput,
        ServerMetadata,
        ModelMetadata,
        MetadataTensor,
        ErrorBody
    ))
)]
pub struct ApiDoc;

/// Swagger UI at `/v2/docs`, reading [`DOCUMENT_PATH`].
pub fn swagger_ui() -> SwaggerUi {
    SwaggerUi::new("/v2/docs").url(DOCUMENT_PATH, ApiDoc::openapi())
}
