//! Finding the documented path for a concrete one: the servers' base path
//! (`/v1`) comes off first, then each template (`/user/{userID}/payment`)
//! is matched segment by segment. When several match, the one with the
//! most literal segments wins, as OpenAPI asks (`/transactions/import`
//! before `/transactions/{transaction_id}`).

use serde_json::Value;

/// One documented path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PathTemplate {
    /// As written in the document, e.g. `/user/{userID}`.
    pub(crate) text: String,
    segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter(String),
}

impl PathTemplate {
    /// Reads a template; a segment that is exactly `{name}` is a parameter.
    pub(crate) fn parse(text: &str) -> Self {
        let segments = split(text)
            .map(
                |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Parameter(name.to_owned()),
                    None => Segment::Literal(segment.to_owned()),
                },
            )
            .collect();
        Self {
            text: text.to_owned(),
            segments,
        }
    }

    /// The parameter values when `path` (base path removed) matches.
    pub(crate) fn capture(&self, path: &str) -> Option<Vec<(String, String)>> {
        let concrete: Vec<&str> = split(path).collect();
        if concrete.len() != self.segments.len() {
            return None;
        }
        let mut values = Vec::new();
        for (segment, value) in self.segments.iter().zip(concrete) {
            match segment {
                Segment::Literal(literal) if literal == value => {}
                Segment::Literal(_) => return None,
                Segment::Parameter(_) if value.is_empty() => return None,
                Segment::Parameter(name) => values.push((name.clone(), value.to_owned())),
            }
        }
        Some(values)
    }

    fn literals(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.trim_matches('/').split('/').filter(|s| !s.is_empty())
}

/// Every path of the document, most literal segments first.
pub(crate) fn templates(document: &Value) -> Vec<PathTemplate> {
    let mut templates: Vec<PathTemplate> = document
        .get("paths")
        .and_then(Value::as_object)
        .map(|paths| paths.keys().map(|p| PathTemplate::parse(p)).collect())
        .unwrap_or_default();
    templates.sort_by_key(|t| std::cmp::Reverse(t.literals()));
    templates
}

/// The best matching template and its parameter values.
pub(crate) fn find<'t>(
    templates: &'t [PathTemplate],
    path: &str,
) -> Option<(&'t PathTemplate, Vec<(String, String)>)> {
    templates
        .iter()
        .find_map(|t| t.capture(path).map(|values| (t, values)))
}

/// The path part of the first server's URL, with `{variables}` replaced
/// by their defaults: `/v1` for both bunq and YNAB.
pub(crate) fn base_path(document: &Value) -> Option<String> {
    let server = document.get("servers")?.as_array()?.first()?;
    let mut url = server.get("url")?.as_str()?.to_owned();
    if let Some(variables) = server.get("variables").and_then(Value::as_object) {
        for (name, variable) in variables {
            let default = variable.get("default").and_then(Value::as_str)?;
            url = url.replace(&format!("{{{name}}}"), default);
        }
    }
    let after_scheme = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
    let path = after_scheme
        .find('/')
        .map_or("", |slash| &after_scheme[slash..]);
    Some(path.trim_end_matches('/').to_owned())
}

/// `path` without `base`, or `None` when it is not under it.
pub(crate) fn strip_base<'p>(path: &'p str, base: &str) -> Option<&'p str> {
    if base.is_empty() {
        return Some(path);
    }
    let rest = path.strip_prefix(base)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_bunq_template_matches_its_concrete_path_and_captures_the_ids() {
        let template =
            PathTemplate::parse("/user/{userID}/monetary-account/{monetary-accountID}/payment");

        let values = template.capture("/user/1/monetary-account/2/payment");

        assert_eq!(
            values,
            Some(vec![
                ("userID".to_owned(), "1".to_owned()),
                ("monetary-accountID".to_owned(), "2".to_owned())
            ])
        );
        assert_eq!(template.capture("/user/1/monetary-account/2"), None);
        assert_eq!(
            template.capture("/user/1/monetary-account-bank/2/payment"),
            None
        );
    }

    #[test]
    fn a_literal_segment_wins_over_a_parameter() {
        let document = json!({"paths": {
            "/plans/{plan_id}/transactions/{transaction_id}": {},
            "/plans/{plan_id}/transactions/import": {},
        }});
        let templates = templates(&document);

        let (import, _) = find(&templates, "/plans/p/transactions/import").expect("import");
        let (one, values) = find(&templates, "/plans/p/transactions/t1").expect("one");

        assert_eq!(import.text, "/plans/{plan_id}/transactions/import");
        assert_eq!(one.text, "/plans/{plan_id}/transactions/{transaction_id}");
        assert_eq!(values[1], ("transaction_id".to_owned(), "t1".to_owned()));
    }

    #[test]
    fn the_base_path_comes_from_the_first_server_with_its_variables() {
        let bunq = json!({"servers": [{"url": "https://api.example/{basePath}",
                                       "variables": {"basePath": {"default": "v1"}}}]});
        let ynab = json!({"servers": [{"url": "https://api.ynab.com/v1"}]});

        assert_eq!(base_path(&bunq).as_deref(), Some("/v1"));
        assert_eq!(base_path(&ynab).as_deref(), Some("/v1"));
        assert_eq!(strip_base("/v1/user/1", "/v1"), Some("/user/1"));
        assert_eq!(strip_base("/v10/user", "/v1"), None);
    }
}
