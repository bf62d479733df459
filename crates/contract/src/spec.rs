//! A loaded OpenAPI document, ready to check bodies: translated to JSON
//! Schema 2020-12, registered once as a `jsonschema` resource (so every
//! `$ref` resolves against the whole document), with validators compiled on
//! first use and kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Value, json};

use crate::paths::{self, PathTemplate};
use crate::{ContractError, corrections, locate, translate};

/// The URI the document is registered under; `$ref`s inside it resolve
/// against it. It is never fetched.
const SPEC_URI: &str = "https://contract.invalid/openapi.json";

/// The longest a single problem line gets; schema errors quote the
/// offending value, which can be a whole object.
const MAX_PROBLEM_CHARS: usize = 400;

/// bunq's swagger.
pub const BUNQ_SPEC: &str = "bunq-openapi-swagger.json";
/// YNAB's current document (`/plans` paths, OpenAPI 3.1).
pub const YNAB_PLANS_SPEC: &str = "ynab-openapi-1.85.0.yaml";
/// YNAB's older document (`/budgets` paths, OpenAPI 3.0).
pub const YNAB_BUDGETS_SPEC: &str = "ynab-openapi-1.76.0-budgets.yaml";

/// How a service wraps its JSON answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// The body is what the answer's schema describes (YNAB).
    Plain,
    /// bunq: `{"Response": [{"<Type>": {...}}, ...], "Pagination": {...}}`,
    /// with the schemas describing the wrapped objects; see the README.
    /// Also applies the corrections to bunq's swagger listed there.
    BunqEnvelope,
}

/// How strictly objects are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strictness {
    /// The schemas as written: a field they do not describe is allowed.
    AsWritten,
    /// Every object schema with `properties` is closed: a field the
    /// document does not describe is an error. Catches misspelt and
    /// invented fields that open schemas let through.
    NoUndocumentedFields,
}

/// One OpenAPI document, loaded and translated.
pub struct Spec {
    pub(crate) name: String,
    pub(crate) dialect: Dialect,
    pub(crate) document: Value,
    pub(crate) base_path: String,
    pub(crate) templates: Vec<PathTemplate>,
    pub(crate) general_error: Option<String>,
    registry: Registry,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec")
            .field("name", &self.name)
            .field("dialect", &self.dialect)
            .field("base_path", &self.base_path)
            .finish_non_exhaustive()
    }
}

impl Spec {
    /// bunq's swagger, enveloped and with no undocumented fields allowed.
    ///
    /// # Errors
    /// See [`Spec::load`].
    pub fn bunq() -> Result<Self, ContractError> {
        Self::load(
            BUNQ_SPEC,
            Dialect::BunqEnvelope,
            Strictness::NoUndocumentedFields,
        )
    }

    /// YNAB 1.85 (`/plans`), with no undocumented fields allowed.
    ///
    /// # Errors
    /// See [`Spec::load`].
    pub fn ynab_plans() -> Result<Self, ContractError> {
        Self::load(
            YNAB_PLANS_SPEC,
            Dialect::Plain,
            Strictness::NoUndocumentedFields,
        )
    }

    /// YNAB 1.76 (`/budgets`), as written: the same server answers both
    /// path families and sends the fields later versions added (1.85's
    /// `_formatted`/`_currency` pairs) on `/budgets` too, which 1.76 cannot
    /// know. Undocumented fields are caught on the `/plans` side, which
    /// shares every object with this one.
    ///
    /// # Errors
    /// See [`Spec::load`].
    pub fn ynab_budgets() -> Result<Self, ContractError> {
        Self::load(YNAB_BUDGETS_SPEC, Dialect::Plain, Strictness::AsWritten)
    }

    /// Reads `file` from the specs folder (see [`locate::specs_dir`]).
    ///
    /// # Errors
    /// [`ContractError::SpecsDirMissing`] without the folder; otherwise
    /// the errors of [`locate::read_document`] and [`Spec::from_document`].
    pub fn load(
        file: &str,
        dialect: Dialect,
        strictness: Strictness,
    ) -> Result<Self, ContractError> {
        let path = locate::spec_path(file)?;
        let document = locate::read_document(&path)?;
        Self::from_document(file, document, dialect, strictness)
    }

    /// A spec from a document already in memory.
    ///
    /// # Errors
    /// [`ContractError::BadSpec`] when the document has no server URL or
    /// cannot be registered as a schema resource.
    pub fn from_document(
        name: &str,
        mut document: Value,
        dialect: Dialect,
        strictness: Strictness,
    ) -> Result<Self, ContractError> {
        let bad = |reason: String| ContractError::BadSpec {
            spec: name.to_owned(),
            reason,
        };
        if dialect == Dialect::BunqEnvelope {
            corrections::apply_bunq(&mut document);
        }
        if translate::is_openapi_30(&document) {
            translate::nullable_to_null_type(&mut document);
        }
        if strictness == Strictness::NoUndocumentedFields {
            translate::close_objects(&mut document);
        }

        let base_path = paths::base_path(&document)
            .ok_or_else(|| bad("it has no usable servers[0].url".to_owned()))?;
        let resource = Draft::Draft202012.create_resource(document.clone());
        let registry = Registry::try_new(SPEC_URI, resource).map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            name: name.to_owned(),
            dialect,
            templates: paths::templates(&document),
            general_error: general_error(&document),
            base_path,
            document,
            registry,
            validators: Mutex::default(),
        })
    }

    /// The document's file name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The servers' base path, e.g. `/v1`.
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// Checks `value` against the component schema `name`
    /// (`#/components/schemas/<name>`).
    ///
    /// # Errors
    /// [`ContractError::Violations`] listing each problem;
    /// [`ContractError::BadSpec`] when there is no such schema.
    pub fn validate_schema(&self, name: &str, value: &Value) -> Result<(), ContractError> {
        let pointer = format!("/components/schemas/{}", escape(name));
        if self.document.pointer(&pointer).is_none() {
            return Err(ContractError::BadSpec {
                spec: self.name.clone(),
                reason: format!("it has no component schema {name:?}"),
            });
        }
        let mut problems = crate::error::Problems::default();
        problems.extend(self.check(&pointer, value, "")?);
        problems.finish(&self.name, format!("the value checked as {name}"))
    }

    /// Every problem of `value` against the schema at `pointer` (a JSON
    /// pointer into the document), each line prefixed by `at` and the
    /// location inside `value`.
    pub(crate) fn check(
        &self,
        pointer: &str,
        value: &Value,
        at: &str,
    ) -> Result<Vec<String>, ContractError> {
        let validator = self.validator(pointer)?;
        Ok(validator
            .iter_errors(value)
            .map(|error| {
                let location = format!("{at}{}", error.instance_path);
                let location = if location.is_empty() {
                    "(body)"
                } else {
                    &location
                };
                shorten(format!("{location}: {error}"))
            })
            .collect())
    }

    fn validator(&self, pointer: &str) -> Result<Arc<Validator>, ContractError> {
        let mut cache = self
            .validators
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(validator) = cache.get(pointer) {
            return Ok(validator.clone());
        }
        let root = json!({ "$ref": format!("{SPEC_URI}#{}", fragment(pointer)) });
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .with_registry(self.registry.clone())
            .build(&root)
            .map_err(|e| ContractError::BadSpec {
                spec: self.name.clone(),
                reason: format!("the schema at #{pointer} does not compile: {e}"),
            })?;
        let validator = Arc::new(validator);
        cache.insert(pointer.to_owned(), validator.clone());
        Ok(validator)
    }

    /// Follows `$ref`s from the value at `pointer` to the value they name,
    /// returning it and its pointer.
    pub(crate) fn resolve(&self, pointer: &str) -> Option<(&Value, String)> {
        let mut pointer = pointer.to_owned();
        // A chain longer than this is a loop.
        for _ in 0..16 {
            let value = self.document.pointer(&pointer)?;
            match value.get("$ref").and_then(Value::as_str) {
                Some(target) if target.starts_with('#') => pointer = target[1..].to_owned(),
                _ => return Some((value, pointer)),
            }
        }
        None
    }
}

/// The schema every error answer of the document shares, if it has one:
/// bunq's `GenericError` answer or YNAB's `ErrorResponse`.
fn general_error(document: &Value) -> Option<String> {
    let bunq = "/components/responses/GenericError/content/application~1json/schema";
    let ynab = "/components/schemas/ErrorResponse";
    [bunq, ynab]
        .into_iter()
        .find(|pointer| document.pointer(pointer).is_some())
        .map(str::to_owned)
}

/// A JSON pointer token: `~` and `/` escaped.
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer as a URI fragment: characters a fragment may not hold
/// (`{`, `}`, spaces, ...) percent-encoded.
fn fragment(pointer: &str) -> String {
    let mut encoded = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

fn shorten(mut line: String) -> String {
    if line.chars().count() > MAX_PROBLEM_CHARS {
        line = line.chars().take(MAX_PROBLEM_CHARS).collect();
        line.push_str(" …");
    }
    line
}
