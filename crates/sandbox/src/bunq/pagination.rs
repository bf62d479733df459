//! bunq's list paging: `count` (default 10, at most 200), `older_id` or
//! `newer_id`, items newest first, and a `Pagination` object whose
//! `older_url`, `newer_url` and `future_url` are relative `/v1/...` URLs.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::BunqError;

/// Items per page when `count` is absent.
const DEFAULT_COUNT: usize = 10;
/// The most items a page may hold.
const MAX_COUNT: usize = 200;

/// A parsed paging query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PageQuery {
    count: usize,
    older_id: Option<i64>,
    newer_id: Option<i64>,
}

impl PageQuery {
    /// Reads `count`, `older_id` and `newer_id`.
    pub(crate) fn parse(query: &HashMap<String, String>) -> Result<Self, BunqError> {
        let count = match query.get("count") {
            None => DEFAULT_COUNT,
            Some(text) => match text.parse::<usize>() {
                Ok(count) if (1..=MAX_COUNT).contains(&count) => count,
                _ => {
                    return Err(BunqError::bad_request(format!(
                        "The count {text:?} is invalid: it must be a number from 1 to {MAX_COUNT}."
                    )));
                }
            },
        };
        let id = |name: &str| -> Result<Option<i64>, BunqError> {
            query
                .get(name)
                .map(|text| {
                    text.parse::<i64>().map_err(|_| {
                        BunqError::bad_request(format!("The {name} {text:?} is not a valid id."))
                    })
                })
                .transpose()
        };
        let (older_id, newer_id) = (id("older_id")?, id("newer_id")?);
        if older_id.is_some() && newer_id.is_some() {
            return Err(BunqError::bad_request(
                "Use either older_id or newer_id, not both.",
            ));
        }
        Ok(Self {
            count,
            older_id,
            newer_id,
        })
    }

    /// The page of `items` (ascending by id) this query asks for, newest
    /// first, and the `Pagination` object for it; `path` is the request path.
    pub(crate) fn page<'a, T>(
        &self,
        items: &'a [T],
        id_of: impl Fn(&T) -> i64,
        path: &str,
    ) -> (Vec<&'a T>, Value) {
        let slice: &[T] = match (self.older_id, self.newer_id) {
            (Some(older), _) => {
                let end = items.partition_point(|item| id_of(item) < older);
                &items[end.saturating_sub(self.count)..end]
            }
            (None, Some(newer)) => {
                let start = items.partition_point(|item| id_of(item) <= newer);
                &items[start..(start + self.count).min(items.len())]
            }
            (None, None) => &items[items.len().saturating_sub(self.count)..],
        };
        let url = |key: &str, id: i64| json!(format!("{path}?count={}&{key}={id}", self.count));

        let pagination = match (slice.first(), slice.last()) {
            (Some(oldest), Some(newest)) => {
                let (oldest, newest) = (id_of(oldest), id_of(newest));
                let has_older = items.first().is_some_and(|first| id_of(first) < oldest);
                let has_newer = items.last().is_some_and(|last| id_of(last) > newest);
                json!({
                    "future_url": if has_newer { Value::Null } else { url("newer_id", newest) },
                    "newer_url": if has_newer { url("newer_id", newest) } else { Value::Null },
                    "older_url": if has_older { url("older_id", oldest) } else { Value::Null },
                })
            }
            _ => {
                // An empty page: polling for the future continues from the
                // id the client already has, if any.
                let future = self.newer_id.map_or(Value::Null, |id| url("newer_id", id));
                json!({"future_url": future, "newer_url": null, "older_url": null})
            }
        };
        (slice.iter().rev().collect(), pagination)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> Result<PageQuery, BunqError> {
        PageQuery::parse(
            &pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn the_first_page_holds_the_newest_items_and_links_to_older_ones() {
        let items: Vec<i64> = (1..=25).collect();
        let page = query(&[("count", "10")]).expect("valid");

        let (ids, pagination) = page.page(&items, |i| *i, "/v1/x");

        assert_eq!(ids.first().copied(), Some(&25));
        assert_eq!(ids.last().copied(), Some(&16));
        assert_eq!(pagination["older_url"], "/v1/x?count=10&older_id=16");
        assert_eq!(pagination["newer_url"], Value::Null);
        assert_eq!(pagination["future_url"], "/v1/x?count=10&newer_id=25");
    }

    #[test]
    fn the_last_page_has_no_older_url_and_newer_pages_link_back() {
        let items: Vec<i64> = (1..=25).collect();

        let (ids, last) = query(&[("count", "10"), ("older_id", "6")])
            .expect("valid")
            .page(&items, |i| *i, "/v1/x");
        let (newer, middle) = query(&[("count", "10"), ("newer_id", "5")])
            .expect("valid")
            .page(&items, |i| *i, "/v1/x");

        assert_eq!(ids.len(), 5);
        assert_eq!(last["older_url"], Value::Null);
        assert_eq!(newer.first().copied(), Some(&15));
        assert_eq!(middle["newer_url"], "/v1/x?count=10&newer_id=15");
        assert_eq!(middle["future_url"], Value::Null);
    }

    #[test]
    fn count_above_two_hundred_or_malformed_ids_are_refused() {
        assert_eq!(query(&[("count", "201")]).map_err(|e| e.status), Err(400));
        assert_eq!(query(&[("count", "0")]).map_err(|e| e.status), Err(400));
        assert_eq!(
            query(&[("older_id", "abc")]).map_err(|e| e.status),
            Err(400)
        );
        assert!(query(&[("count", "200")]).is_ok());
    }
}
