//! Turning an OpenAPI document's schemas into JSON Schema 2020-12 that
//! `jsonschema` can check, and optionally closing every object so that
//! fields the document does not describe are caught.
//!
//! OpenAPI 3.0 differs from JSON Schema where these documents use it in one
//! keyword: `nullable: true`, which becomes a `null` type (or an `anyOf`
//! with `null` where there is no `type`). Every other 3.0 keyword they use
//! (`readOnly`, `writeOnly`, `format`, `example`, `$ref` with siblings)
//! means the same or is a mere annotation in 2020-12. 3.1 documents are
//! 2020-12 already and are left as written.

use serde_json::{Map, Value, json};

/// Where [`close_objects`] keeps the open copy of each component schema.
pub(crate) const OPEN_COPIES: &str = "x-contract-open";

const COMPONENT_PREFIX: &str = "#/components/schemas/";

/// Whether the document says `openapi: 3.0.x`.
pub(crate) fn is_openapi_30(document: &Value) -> bool {
    document
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|version| version.starts_with("3.0"))
}

/// Rewrites every `nullable: true` as JSON Schema's `null` type. Only a
/// boolean `nullable` is the keyword: a property named `nullable` holds an
/// object and is left alone.
pub(crate) fn nullable_to_null_type(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Bool(nullable)) = map.get("nullable").cloned() {
                map.remove("nullable");
                if nullable {
                    allow_null(map);
                }
            }
            map.values_mut().for_each(nullable_to_null_type);
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_to_null_type),
        _ => {}
    }
}

fn allow_null(map: &mut Map<String, Value>) {
    if let Some(Value::Array(values)) = map.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    match map.get("type").cloned() {
        Some(Value::String(kind)) => {
            map.insert("type".to_owned(), json!([kind, "null"]));
        }
        Some(Value::Array(mut kinds)) => {
            if !kinds.contains(&json!("null")) {
                kinds.push(json!("null"));
            }
            map.insert("type".to_owned(), Value::Array(kinds));
        }
        Some(_) => {}
        None => {
            let inner = std::mem::take(map);
            map.insert(
                "anyOf".to_owned(),
                json!([Value::Object(inner), {"type": "null"}]),
            );
        }
    }
}

/// Adds `unevaluatedProperties: false` to every object schema that lists
/// `properties` (or composes them with `allOf`), so that an undescribed
/// field is an error.
///
/// Members of an `allOf` must stay open, or each would refuse the fields
/// the others add: they are walked open, and `$ref`s to component schemas
/// in that position are pointed at an open copy of the component kept
/// under [`OPEN_COPIES`]. The composing schema itself is closed, and
/// 2020-12 counts the fields its members evaluated.
pub(crate) fn close_objects(document: &mut Value) {
    let Some(schemas) = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
    else {
        close_operation_schemas(document);
        return;
    };

    let mut open = Map::new();
    let mut closed = Map::new();
    for (name, schema) in schemas {
        let mut open_copy = schema.clone();
        close(&mut open_copy, false);
        open.insert(name.clone(), open_copy);
        let mut closed_copy = schema;
        close(&mut closed_copy, true);
        closed.insert(name, closed_copy);
    }
    if let Some(slot) = document.pointer_mut("/components/schemas") {
        *slot = Value::Object(closed);
    }
    if let Some(root) = document.as_object_mut() {
        root.insert(OPEN_COPIES.to_owned(), Value::Object(open));
    }
    close_operation_schemas(document);
}

/// Closes the schemas written inline in operations, responses and
/// parameters (every value of a `schema` field outside the components'
/// schemas).
fn close_operation_schemas(document: &mut Value) {
    for section in ["paths", "components"] {
        if let Some(value) = document.get_mut(section) {
            close_schema_fields(value, section == "components");
        }
    }
}

fn close_schema_fields(value: &mut Value, at_components: bool) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if at_components && key == "schemas" {
                    continue;
                }
                if key == "schema" {
                    close(inner, true);
                } else {
                    close_schema_fields(inner, false);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| close_schema_fields(item, false)),
        _ => {}
    }
}

/// Closes (or, with `closed` false, leaves open) one schema node and walks
/// its subschemas.
fn close(schema: &mut Value, closed: bool) {
    let Value::Object(map) = schema else {
        return;
    };
    if !closed {
        point_at_open_copy(map);
    }
    let has_properties = map.contains_key("properties");
    let composes = map.contains_key("allOf")
        || (has_properties && (map.contains_key("anyOf") || map.contains_key("oneOf")));
    let already_decided =
        map.contains_key("additionalProperties") || map.contains_key("unevaluatedProperties");
    if closed && (has_properties || composes) && !already_decided {
        map.insert("unevaluatedProperties".to_owned(), Value::Bool(false));
    }

    for key in ["properties", "patternProperties", "$defs"] {
        if let Some(Value::Object(children)) = map.get_mut(key) {
            children.values_mut().for_each(|child| close(child, true));
        }
    }
    for key in ["items", "additionalProperties", "not", "contains"] {
        match map.get_mut(key) {
            Some(Value::Array(children)) => children.iter_mut().for_each(|c| close(c, true)),
            Some(child @ Value::Object(_)) => close(child, true),
            _ => {}
        }
    }
    if let Some(Value::Array(members)) = map.get_mut("allOf") {
        members.iter_mut().for_each(|member| close(member, false));
    }
    // A bare `anyOf`/`oneOf` picks one alternative, which must itself be
    // closed; alongside `properties` the alternatives add to them, so they
    // stay open like `allOf` members.
    let alternatives_closed = closed && !composes;
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(members)) = map.get_mut(key) {
            members
                .iter_mut()
                .for_each(|member| close(member, alternatives_closed));
        }
    }
}

/// In an open position, a `$ref` to a component schema means its open copy.
fn point_at_open_copy(map: &mut Map<String, Value>) {
    if let Some(Value::String(target)) = map.get_mut("$ref")
        && let Some(name) = target.strip_prefix(COMPONENT_PREFIX)
    {
        *target = format!("#/{OPEN_COPIES}/{name}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_adds_null_to_the_type_and_the_enum() {
        let mut schema = json!({"type": "string", "enum": ["a"], "nullable": true});

        nullable_to_null_type(&mut schema);

        assert_eq!(
            schema,
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
    }

    #[test]
    fn nullable_without_a_type_becomes_an_any_of_with_null() {
        let mut schema = json!({"$ref": "#/components/schemas/X", "nullable": true});

        nullable_to_null_type(&mut schema);

        assert_eq!(
            schema,
            json!({"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]})
        );
    }

    #[test]
    fn a_property_named_nullable_is_not_the_keyword() {
        let mut schema = json!({"properties": {"nullable": {"type": "boolean"}}});
        let before = schema.clone();

        nullable_to_null_type(&mut schema);

        assert_eq!(schema, before);
    }

    #[test]
    fn closing_keeps_all_of_members_open_and_points_them_at_open_copies() {
        let mut document = json!({"components": {"schemas": {
            "Base": {"type": "object", "properties": {"a": {"type": "string"}}},
            "Detail": {"allOf": [{"$ref": "#/components/schemas/Base"},
                                 {"type": "object", "properties": {"b": {"type": "string"}}}]},
        }}});

        close_objects(&mut document);

        let detail = &document["components"]["schemas"]["Detail"];
        assert_eq!(detail["unevaluatedProperties"], false);
        assert_eq!(detail["allOf"][0]["$ref"], "#/x-contract-open/Base");
        assert!(detail["allOf"][1].get("unevaluatedProperties").is_none());
        assert_eq!(
            document["components"]["schemas"]["Base"]["unevaluatedProperties"],
            false
        );
        assert!(
            document[OPEN_COPIES]["Base"]
                .get("unevaluatedProperties")
                .is_none()
        );
    }

    #[test]
    fn inline_operation_schemas_are_closed_too() {
        let mut document = json!({"paths": {"/x": {"get": {"responses": {"200": {"content": {
            "application/json": {"schema": {"type": "object", "properties": {"a": {}}}}}}}}}}});

        close_objects(&mut document);

        let schema = document
            .pointer("/paths/~1x/get/responses/200/content/application~1json/schema")
            .expect("schema");
        assert_eq!(schema["unevaluatedProperties"], false);
    }
}
