//! The Open Inference Protocol (V2) REST objects this server reads and
//! writes: inference request and response, server and model metadata.
//! Field names and optionality follow the V2 document.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// Free-form parameters of a request, an input or an output.
pub type Parameters = Map<String, Value>;

/// `POST .../infer` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InferenceRequest {
    /// An identifier echoed in the response.
    #[serde(default)]
    pub id: Option<String>,
    /// Request parameters; `content_type: "pd"` marks the pandas codec.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Parameters>,
    /// One tensor per payment field (pandas codec), or one `payment`
    /// tensor of JSON-encoded bunq payments.
    pub inputs: Vec<RequestInput>,
    /// The outputs wanted; all three when absent.
    #[serde(default)]
    pub outputs: Option<Vec<RequestOutput>>,
}

/// One input tensor.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RequestInput {
    /// The payment field it carries (`amount`, `created`, ...).
    pub name: String,
    /// `[rows, 1]` or `[rows]`.
    pub shape: Vec<i64>,
    /// `BYTES`, `INT64`, `FP64`, `BOOL`, ...
    pub datatype: String,
    /// `content_type`: `str`, or `pd_json` for JSON-encoded objects.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Parameters>,
    /// The values, row-major, flat or nested.
    #[schema(value_type = Vec<Object>)]
    pub data: Value,
}

/// An output asked for by name.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RequestOutput {
    /// `category_id`, `category_name` or `confidence`.
    pub name: String,
    /// Ignored.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Parameters>,
}

/// `POST .../infer` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct InferenceResponse {
    /// The model: the budget id.
    pub model_name: String,
    /// The version that answered.
    pub model_version: String,
    /// The request's `id`, when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `content_type: "pd"`: the outputs are data frame columns.
    #[schema(value_type = Object)]
    pub parameters: Parameters,
    /// `category_id` and `category_name` (`BYTES`) and `confidence`
    /// (`FP64`), one value per row.
    pub outputs: Vec<ResponseOutput>,
}

/// One output tensor.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseOutput {
    /// Its name.
    pub name: &'static str,
    /// `[rows]`.
    pub shape: Vec<usize>,
    /// `BYTES` or `FP64`.
    pub datatype: &'static str,
    /// `content_type` of the column.
    #[schema(value_type = Object)]
    pub parameters: Parameters,
    /// One value per row.
    #[schema(value_type = Vec<Object>)]
    pub data: Vec<Value>,
}

/// `GET /v2` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServerMetadata {
    /// `bunq-ynab-connect-model-server`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
    /// Protocol extensions supported: none.
    pub extensions: Vec<String>,
}

/// A tensor in model metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetadataTensor {
    /// Its name.
    pub name: &'static str,
    /// Its datatype.
    pub datatype: &'static str,
    /// Its shape; `-1` is any number of rows.
    pub shape: Vec<i64>,
}

/// `GET /v2/models/{name}[/versions/{version}]` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelMetadata {
    /// The budget id.
    pub name: String,
    /// The loaded version.
    pub versions: Vec<String>,
    /// The model family: `learning-<algorithm>`.
    pub platform: String,
    /// The payment fields read.
    pub inputs: Vec<MetadataTensor>,
    /// The three outputs.
    pub outputs: Vec<MetadataTensor>,
}
