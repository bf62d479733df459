//! One documented operation (a method on a path template) and what the
//! document says about it: its parameters, request body and answers, each
//! resolved through `$ref`s to a JSON pointer the validators can use.

use serde_json::Value;

use crate::paths::{self, PathTemplate};
use crate::spec::escape;
use crate::{ContractError, Spec};

/// Methods an OpenAPI path item can hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A method on a path template, found for a concrete request.
#[derive(Debug)]
pub struct Operation<'s> {
    spec: &'s Spec,
    template: &'s PathTemplate,
    method: String,
    /// JSON pointer of the operation object.
    pointer: String,
    /// Path parameter values of the concrete path.
    pub(crate) path_values: Vec<(String, String)>,
}

/// A parameter as the document declares it.
#[derive(Debug)]
pub(crate) struct Parameter {
    pub(crate) name: String,
    /// `path`, `query`, `header` or `cookie`.
    pub(crate) location: String,
    pub(crate) required: bool,
    /// Pointer to its schema, when it has one.
    pub(crate) schema: Option<String>,
}

/// What the document says about a request body.
#[derive(Debug)]
pub(crate) struct RequestBody {
    pub(crate) required: bool,
    /// Media type → pointer to its schema (when it has one).
    pub(crate) content: Vec<(String, Option<String>)>,
}

impl Spec {
    /// The operation serving `method` on the concrete `path` (base path
    /// included, e.g. `/v1/user/1`).
    ///
    /// # Errors
    /// [`ContractError::UnknownPath`] or [`ContractError::UnknownMethod`].
    pub fn operation(&self, method: &str, path: &str) -> Result<Operation<'_>, ContractError> {
        let unknown = || ContractError::UnknownPath {
            spec: self.name.clone(),
            method: method.to_owned(),
            path: path.to_owned(),
        };
        let relative = paths::strip_base(path, &self.base_path).ok_or_else(unknown)?;
        let (template, path_values) = paths::find(&self.templates, relative).ok_or_else(unknown)?;
        let method = method.to_ascii_lowercase();
        let pointer = format!("/paths/{}/{method}", escape(&template.text));
        if !METHODS.contains(&method.as_str()) || self.document.pointer(&pointer).is_none() {
            return Err(ContractError::UnknownMethod {
                spec: self.name.clone(),
                method: method.to_ascii_uppercase(),
                template: template.text.clone(),
                path: path.to_owned(),
            });
        }
        Ok(Operation {
            spec: self,
            template,
            method,
            pointer,
            path_values,
        })
    }
}

impl Operation<'_> {
    /// The path template, as the document writes it.
    pub fn template(&self) -> &str {
        &self.template.text
    }

    /// `GET /user/{itemId}`.
    pub fn name(&self) -> String {
        format!(
            "{} {}",
            self.method.to_ascii_uppercase(),
            self.template.text
        )
    }

    /// Pointer to the schema of the answer with `status`: the exact status,
    /// else its class (`4XX`), else `default`. `Ok(None)` when that answer
    /// documents no JSON body.
    ///
    /// # Errors
    /// [`ContractError::UndocumentedStatus`] when none of them is listed.
    pub(crate) fn response_schema(&self, status: u16) -> Result<Option<String>, ContractError> {
        let spec = self.spec;
        let class = format!("{}XX", status / 100);
        let response = [status.to_string(), class, "default".to_owned()]
            .iter()
            .find_map(|key| spec.resolve(&format!("{}/responses/{key}", self.pointer)))
            .ok_or_else(|| ContractError::UndocumentedStatus {
                spec: spec.name.clone(),
                operation: self.name(),
                status,
            })?;
        let schema = format!("{}/content/application~1json/schema", response.1);
        Ok(spec.document.pointer(&schema).map(|_| schema))
    }

    /// Whether the operation lists `status` (exactly, by class or as
    /// `default`).
    pub fn documents_status(&self, status: u16) -> bool {
        self.response_schema(status).is_ok()
    }

    /// The path item's parameters, then the operation's (which win on the
    /// same name and location), `$ref`s resolved.
    pub(crate) fn parameters(&self) -> Vec<Parameter> {
        let spec = self.spec;
        let path_item = format!("/paths/{}", escape(&self.template.text));
        let mut parameters: Vec<Parameter> = Vec::new();
        for owner in [path_item, self.pointer.clone()] {
            let count = spec
                .document
                .pointer(&format!("{owner}/parameters"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            for index in 0..count {
                let Some(parameter) = read_parameter(spec, &format!("{owner}/parameters/{index}"))
                else {
                    continue;
                };
                parameters.retain(|p| p.name != parameter.name || p.location != parameter.location);
                parameters.push(parameter);
            }
        }
        parameters
    }

    /// The operation's request body, if it documents one.
    pub(crate) fn request_body(&self) -> Option<RequestBody> {
        let spec = self.spec;
        let (body, pointer) = spec.resolve(&format!("{}/requestBody", self.pointer))?;
        let required = body.get("required").and_then(Value::as_bool) == Some(true);
        let content = body
            .get("content")
            .and_then(Value::as_object)
            .map(|media| {
                media
                    .iter()
                    .map(|(kind, entry)| {
                        let schema = format!("{pointer}/content/{}/schema", escape(kind));
                        (kind.clone(), entry.get("schema").map(|_| schema))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(RequestBody { required, content })
    }

    /// The security requirements in force: the operation's, else the
    /// document's. Each entry is one alternative, listing scheme names.
    pub(crate) fn security(&self) -> Vec<Vec<String>> {
        let spec = self.spec;
        let own = spec.document.pointer(&format!("{}/security", self.pointer));
        let requirements = own.or_else(|| spec.document.get("security"));
        requirements
            .and_then(Value::as_array)
            .map(|alternatives| {
                alternatives
                    .iter()
                    .map(|alt| alt.as_object().map(|o| o.keys().cloned().collect()))
                    .map(Option::unwrap_or_default)
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn read_parameter(spec: &Spec, pointer: &str) -> Option<Parameter> {
    let (parameter, pointer) = spec.resolve(pointer)?;
    let location = parameter.get("in")?.as_str()?.to_owned();
    Some(Parameter {
        name: parameter.get("name")?.as_str()?.to_owned(),
        // Path parameters are always required.
        required: location == "path"
            || parameter.get("required").and_then(Value::as_bool) == Some(true),
        location,
        schema: parameter.get("schema").map(|_| format!("{pointer}/schema")),
    })
}
