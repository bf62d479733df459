//! The few places where bunq's generated swagger contradicts itself or
//! bunq's own documentation, corrected before validation. Each correction
//! says where the truth comes from; the crate README lists them. Nothing
//! else in the document is changed.

use serde_json::{Map, Value, json};

const SCHEMAS: &str = "/components/schemas";

/// Applies every bunq correction.
pub(crate) fn apply_bunq(document: &mut Value) {
    installation_needs_no_token(document);
    listings_take_pagination_parameters(document);
    notification_filters_hold_filters(document);
    notification_filter_answers_list_filters(document);
}

/// `POST /installation` lists `X-Bunq-Client-Authentication` as required,
/// while its own description says it is "the only API call that does not
/// require" that header (there is no token before it). The parameter is
/// removed from that one operation.
fn installation_needs_no_token(document: &mut Value) {
    let Some(Value::Array(parameters)) =
        document.pointer_mut("/paths/~1installation/post/parameters")
    else {
        return;
    };
    parameters.retain(|p| {
        p.get("$ref").and_then(Value::as_str)
            != Some("#/components/parameters/X-Bunq-Client-Authentication")
    });
}

/// The swagger lists no query parameters at all, yet its Pagination
/// section (in `info.description`) documents `count` (at most 200),
/// `older_id` and `newer_id` on every listing, and its Pagination URLs use
/// them. They are added to every GET whose answer is a list.
fn listings_take_pagination_parameters(document: &mut Value) {
    let Some(Value::Object(paths)) = document.get_mut("paths") else {
        return;
    };
    for operations in paths.values_mut() {
        let Some(get) = operations.get_mut("get") else {
            continue;
        };
        let lists = get
            .pointer("/responses/200/content/application~1json/schema/type")
            .and_then(Value::as_str)
            == Some("array");
        if let (true, Some(Value::Array(parameters))) = (lists, get.get_mut("parameters")) {
            parameters.extend(pagination_parameters());
        }
    }
}

fn pagination_parameters() -> [Value; 3] {
    let query = |name: &str, schema: Value| json!({"in": "query", "name": name, "required": false, "schema": schema});
    [
        query(
            "count",
            json!({"type": "integer", "minimum": 1, "maximum": 200}),
        ),
        query("older_id", json!({"type": "integer"})),
        query("newer_id", json!({"type": "integer"})),
    ]
}

/// `NotificationFilterUrl*.notification_filters` lists items of
/// `NotificationFilterUrl` itself, a self-reference that describes nothing;
/// the items are the filters bunq documents (`category`,
/// `notification_target`), which the swagger calls `NotificationFilter`.
fn notification_filters_hold_filters(document: &mut Value) {
    for name in filter_url_schemas(document) {
        let pointer = format!("{SCHEMAS}/{name}/properties/notification_filters/items");
        if let Some(items) = document.pointer_mut(&pointer) {
            *items = json!({"$ref": "#/components/schemas/NotificationFilter"});
        }
    }
}

/// bunq answers both the listing and the POST of notification filters with
/// one `NotificationFilterUrl` item per filter (`id`, `created`, `updated`,
/// `category`, `notification_target`): bunq's Python SDK reads the POST
/// answer that way (`create_with_list_response`), and peer clients read
/// `category` straight off each listed item. The swagger describes the
/// listing item with only `notification_filters`, and the POST answer as a
/// bare `Id`. The listing schemas gain the per-filter fields (the
/// swagger's form stays valid), and the POST answers are that list.
fn notification_filter_answers_list_filters(document: &mut Value) {
    let filter_fields = document
        .pointer(&format!("{SCHEMAS}/NotificationFilter/properties"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for listing in [
        "NotificationFilterUrlListing",
        "NotificationFilterUrlMonetaryAccountListing",
    ] {
        let pointer = format!("{SCHEMAS}/{listing}/properties");
        if let Some(Value::Object(properties)) = document.pointer_mut(&pointer) {
            add_filter_fields(properties, &filter_fields);
        }
    }
    let posts = [
        (
            "/paths/~1user~1{userID}~1notification-filter-url/post",
            "NotificationFilterUrlListing",
        ),
        (
            "/paths/~1user~1{userID}~1monetary-account~1{monetary-accountID}~1notification-filter-url/post",
            "NotificationFilterUrlMonetaryAccountListing",
        ),
    ];
    for (operation, listing) in posts {
        let pointer = format!("{operation}/responses/200/content/application~1json/schema");
        if let Some(schema) = document.pointer_mut(&pointer) {
            *schema = json!({"type": "array",
                             "items": {"$ref": format!("#/components/schemas/{listing}")}});
        }
    }
}

fn add_filter_fields(properties: &mut Map<String, Value>, filter_fields: &Map<String, Value>) {
    properties.insert("id".to_owned(), json!({"type": "integer"}));
    properties.insert("created".to_owned(), json!({"type": "string"}));
    properties.insert("updated".to_owned(), json!({"type": "string"}));
    for (name, schema) in filter_fields {
        properties
            .entry(name.clone())
            .or_insert_with(|| schema.clone());
    }
}

fn filter_url_schemas(document: &Value) -> Vec<String> {
    document
        .pointer(SCHEMAS)
        .and_then(Value::as_object)
        .map(|schemas| {
            schemas
                .keys()
                .filter(|name| name.starts_with("NotificationFilterUrl"))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Value {
        json!({
            "paths": {
                "/installation": {"post": {"parameters": [
                    {"$ref": "#/components/parameters/User-Agent"},
                    {"$ref": "#/components/parameters/X-Bunq-Client-Authentication"}]}},
                "/user": {"get": {"parameters": [], "responses": {"200": {"content": {
                    "application/json": {"schema": {"type": "array", "items": {}}}}}}}},
                "/user/{itemId}": {"get": {"parameters": [], "responses": {"200": {"content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/UserRead"}}}}}}},
            },
            "components": {"schemas": {
                "NotificationFilter": {"properties": {"category": {"type": "string"}}},
                "NotificationFilterUrl": {"properties": {"notification_filters": {
                    "type": "array", "items": {"$ref": "#/components/schemas/NotificationFilterUrl"}}}},
            }},
        })
    }

    #[test]
    fn installation_loses_only_the_token_header() {
        let mut document = document();

        apply_bunq(&mut document);

        let parameters = &document["paths"]["/installation"]["post"]["parameters"];
        assert_eq!(parameters.as_array().map(Vec::len), Some(1));
        assert_eq!(parameters[0]["$ref"], "#/components/parameters/User-Agent");
    }

    #[test]
    fn only_listings_gain_the_pagination_parameters() {
        let mut document = document();

        apply_bunq(&mut document);

        let list = &document["paths"]["/user"]["get"]["parameters"];
        let read = &document["paths"]["/user/{itemId}"]["get"]["parameters"];
        let names: Vec<&str> = list
            .as_array()
            .expect("parameters")
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert_eq!(names, ["count", "older_id", "newer_id"]);
        assert_eq!(read.as_array().map(Vec::len), Some(0));
    }

    #[test]
    fn notification_filter_items_are_filters_not_the_wrapper_again() {
        let mut document = document();

        apply_bunq(&mut document);

        let items = document
            .pointer(
                "/components/schemas/NotificationFilterUrl/properties/notification_filters/items",
            )
            .expect("items");
        assert_eq!(items["$ref"], "#/components/schemas/NotificationFilter");
    }
}
