//! bunq's envelope, checked by hand because the swagger's answer schemas
//! describe what is inside it. A success body is
//! `{"Response": [item, ...]}` (plus `Pagination` on listings), and each
//! item wraps one object under its type name, e.g. `{"Payment": {...}}`.
//! The swagger describes an item in one of two ways:
//!
//! - by its possible wrappers (`InstallationCreate` lists `Id`, `Token`,
//!   `ServerPublicKey`; `UserRead` lists `UserPerson`, `UserCompany`, ...):
//!   every property name starts with a capital. Each item must hold exactly
//!   one of them, and its value is checked against that property's schema.
//! - by the wrapped object itself (`PaymentListing`, `DeviceServerCreate`):
//!   each item must hold exactly the wrapper its name implies (`Payment`
//!   for `Payment{Listing,Read}`; `Id` for a `*Create`, as the swagger's
//!   own signing example `{"Response":[{"Id":{"id":1561}}]}` shows), and its
//!   value is checked against the schema.
//!
//! Error bodies are `{"Error": [{"error_description": ..., ...}]}` and the
//! swagger's `GenericError` describes the whole body.

use serde_json::Value;

use crate::error::Problems;
use crate::spec::escape;
use crate::{ContractError, Spec};

/// The members of a `Pagination` object.
const PAGINATION_URLS: [&str; 3] = ["future_url", "newer_url", "older_url"];

/// How the items of one answer wrap their objects.
enum Wrapping {
    /// One of these property names of the item schema.
    ByProperty(Vec<String>),
    /// Exactly this name, around an object the item schema describes.
    Under(String),
}

/// Checks a success body against the answer schema at `schema`; `method`
/// decides whether a list is paged (GET listings are, a POST's list is not).
pub(crate) fn check_success(
    spec: &Spec,
    method: &str,
    schema: &str,
    body: &Value,
    problems: &mut Problems,
) -> Result<(), ContractError> {
    let Some(envelope) = body.as_object() else {
        problems.push("(body): a bunq answer is a JSON object");
        return Ok(());
    };
    for key in envelope
        .keys()
        .filter(|k| *k != "Response" && *k != "Pagination")
    {
        problems.push(format!("/{key}: not part of bunq's envelope"));
    }
    let Some(items) = envelope.get("Response").and_then(Value::as_array) else {
        problems.push("/Response: missing or not an array");
        return Ok(());
    };

    let (described, _) = resolved(spec, schema)?;
    let listing = described.get("type").and_then(Value::as_str) == Some("array");
    let item = if listing {
        format!("{schema}/items")
    } else {
        schema.to_owned()
    };
    let (item_schema, item_pointer) = resolved(spec, &item)?;
    let name = item_pointer
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();

    let paged = listing && method.eq_ignore_ascii_case("GET");
    match (envelope.get("Pagination"), paged) {
        (Some(pagination), true) => check_pagination(&spec.base_path, pagination, problems),
        (Some(_), false) => problems.push("/Pagination: only a GET listing is paged"),
        (None, true) => problems.push("/Pagination: missing on a listing"),
        (None, false) => {}
    }
    if !listing && name.ends_with("Read") && items.len() != 1 {
        problems.push(format!(
            "/Response: reading one object answers one item, not {}",
            items.len()
        ));
    }
    let wrapping = wrapping(item_schema, &name);
    for (index, item) in items.iter().enumerate() {
        check_item(spec, &wrapping, &item_pointer, index, item, problems)?;
    }
    Ok(())
}

fn resolved<'s>(spec: &'s Spec, pointer: &str) -> Result<(&'s Value, String), ContractError> {
    spec.resolve(pointer).ok_or_else(|| ContractError::BadSpec {
        spec: spec.name.clone(),
        reason: format!("#{pointer} names no schema"),
    })
}

fn wrapping(item_schema: &Value, name: &str) -> Wrapping {
    let properties: Vec<String> = item_schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    let capitalised = |p: &String| p.chars().next().is_some_and(char::is_uppercase);
    if !properties.is_empty() && properties.iter().all(capitalised) {
        return Wrapping::ByProperty(properties);
    }
    let wrapper = if name.ends_with("Create") {
        "Id"
    } else {
        name.strip_suffix("Listing")
            .or_else(|| name.strip_suffix("Read"))
            .unwrap_or(name)
    };
    Wrapping::Under(wrapper.to_owned())
}

fn check_item(
    spec: &Spec,
    wrapping: &Wrapping,
    item_pointer: &str,
    index: usize,
    item: &Value,
    problems: &mut Problems,
) -> Result<(), ContractError> {
    let at = format!("/Response/{index}");
    let keys: Vec<&String> = item
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    let [key] = keys.as_slice() else {
        problems.push(format!(
            "{at}: an item wraps exactly one object, found keys {keys:?}"
        ));
        return Ok(());
    };
    let schema = match wrapping {
        Wrapping::ByProperty(names) if names.contains(key) => {
            format!("{item_pointer}/properties/{}", escape(key))
        }
        Wrapping::ByProperty(names) => {
            problems.push(format!("{at}: wrapper {key:?} is not one of {names:?}"));
            return Ok(());
        }
        Wrapping::Under(expected) if *key == expected => item_pointer.to_owned(),
        Wrapping::Under(expected) => {
            problems.push(format!(
                "{at}: wrapper {key:?} where {expected:?} is expected"
            ));
            return Ok(());
        }
    };
    problems.extend(spec.check(&schema, &item[key.as_str()], &format!("{at}/{key}"))?);
    Ok(())
}

/// `Pagination` holds the three URLs, each `null` or a path under the
/// base path (bunq's Pagination section).
fn check_pagination(base_path: &str, pagination: &Value, problems: &mut Problems) {
    let Some(urls) = pagination.as_object() else {
        problems.push("/Pagination: not an object");
        return;
    };
    for key in urls
        .keys()
        .filter(|k| !PAGINATION_URLS.contains(&k.as_str()))
    {
        problems.push(format!("/Pagination/{key}: not a pagination URL"));
    }
    for name in PAGINATION_URLS {
        match urls.get(name) {
            Some(Value::Null) => {}
            Some(Value::String(url)) if url.starts_with(&format!("{base_path}/")) => {}
            Some(other) => problems.push(format!(
                "/Pagination/{name}: {other} is neither null nor a path under {base_path}"
            )),
            None => problems.push(format!("/Pagination/{name}: missing")),
        }
    }
}

/// An error body is `{"Error": [...]}` with at least one entry, each with
/// an `error_description` text.
pub(crate) fn check_error(body: &Value, problems: &mut Problems) {
    let Some(envelope) = body.as_object() else {
        problems.push("(body): a bunq error is a JSON object");
        return;
    };
    for key in envelope.keys().filter(|k| *k != "Error") {
        problems.push(format!("/{key}: not part of bunq's error envelope"));
    }
    match envelope.get("Error").and_then(Value::as_array) {
        Some(entries) if !entries.is_empty() => {
            for (index, entry) in entries.iter().enumerate() {
                if !entry.get("error_description").is_some_and(Value::is_string) {
                    problems.push(format!("/Error/{index}: no error_description text"));
                }
            }
        }
        _ => problems.push("/Error: missing, empty or not an array"),
    }
}
