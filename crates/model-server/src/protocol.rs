//! The Open Inference Protocol (V2) REST objects this server reads and
//! writes: inference request and response, server and model metadata.
//! Field names and optionality follow the V2 document.

use std::borrow::Cow;
use std::fmt;

use learning::PaymentFields;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// Free-form parameters of a request, an input or an output.
pub type Parameters = Map<String, Value>;

/// `POST .../infer` body. Strings are borrowed from the body where JSON
/// escapes allow, and tensor data is read straight into [`Tensor`]s.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InferenceRequest<'a> {
    /// An identifier echoed in the response.
    #[serde(default)]
    pub id: Option<String>,
    /// Request parameters; `content_type: "pd"` marks the pandas codec.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Parameters>,
    /// One tensor per payment field (pandas codec), or one `payment`
    /// tensor of JSON-encoded bunq payments.
    #[serde(borrow)]
    pub inputs: Vec<RequestInput<'a>>,
    /// The outputs wanted; all three when absent.
    #[serde(default)]
    pub outputs: Option<Vec<RequestOutput>>,
}

/// One input tensor.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RequestInput<'a> {
    /// The payment field it carries (`amount`, `created`, ...).
    #[serde(borrow)]
    #[schema(value_type = String)]
    pub name: Cow<'a, str>,
    /// `[rows, 1]` or `[rows]`.
    pub shape: Vec<i64>,
    /// `BYTES`, `INT64`, `FP64`, `BOOL`, ...
    #[serde(borrow)]
    #[schema(value_type = String)]
    pub datatype: Cow<'a, str>,
    /// `content_type`: `str`, or `pd_json` for JSON-encoded objects.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Parameters>,
    /// The values, row-major, flat or nested.
    #[serde(borrow)]
    #[schema(value_type = Vec<Object>)]
    pub data: Tensor<'a>,
}

/// The values of an input tensor, nested arrays flattened in row-major
/// order. Data that is not an array, or nested too deeply, is kept as a
/// `problem` for the decoder to report with the input's name.
#[derive(Debug, Default)]
pub struct Tensor<'a> {
    /// The values.
    pub values: Vec<Element<'a>>,
    /// Why the data is not a tensor, if it is not.
    pub problem: Option<String>,
}

/// One tensor value.
#[derive(Debug)]
pub enum Element<'a> {
    /// A string (`BYTES`).
    Text(Cow<'a, str>),
    /// A whole number.
    Integer,
    /// A number with a fraction or exponent.
    Float,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
    /// An object: read as a payment (the plain form's values).
    Object(Box<PaymentFields<'a>>),
}

/// How deep arrays may nest inside `data`.
const MAX_DEPTH: usize = 8;

impl<'de: 'a, 'a> Deserialize<'de> for Tensor<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut tensor = Tensor::default();
        let seed = Flatten {
            out: &mut tensor.values,
            problem: &mut tensor.problem,
            depth: 0,
        };
        seed.deserialize(deserializer)?;
        Ok(tensor)
    }
}

/// Appends the values of one JSON value (recursing into arrays) to `out`.
struct Flatten<'v, 'a> {
    out: &'v mut Vec<Element<'a>>,
    problem: &'v mut Option<String>,
    depth: usize,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for Flatten<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Flatten<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tensor data")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        self.push(Element::Text(Cow::Borrowed(v)));
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.push(Element::Text(Cow::Owned(v.to_owned())));
        Ok(())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<(), E> {
        self.push(Element::Text(Cow::Owned(v)));
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.push(Element::Integer);
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.push(Element::Integer);
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.push(Element::Float);
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.push(Element::Bool);
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.push(Element::Null);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let fields = PaymentFields::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.push(Element::Object(Box::new(fields)));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.depth >= MAX_DEPTH {
            if self.problem.is_none() {
                *self.problem = Some(format!("nested deeper than {MAX_DEPTH} levels"));
            }
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        while seq
            .next_element_seed(Flatten {
                out: &mut *self.out,
                problem: &mut *self.problem,
                depth: self.depth + 1,
            })?
            .is_some()
        {}
        Ok(())
    }
}

impl<'a> Flatten<'_, 'a> {
    /// Adds a scalar: a value inside an array, a problem at the top.
    fn push(self, element: Element<'a>) {
        if self.depth == 0 {
            if self.problem.is_none() {
                *self.problem = Some("not an array".to_owned());
            }
        } else {
            self.out.push(element);
        }
    }
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
