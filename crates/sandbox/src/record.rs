//! Every request the two halves receive, kept for tests: method, path,
//! query, headers and JSON body with secrets redacted, plus counters per
//! endpoint and of the 429s sent. Contract tests validate the clients'
//! requests against the OpenAPI documents from this record.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use crate::faults::Side;

/// Requests kept per recorder; older ones are dropped first.
const MAX_RECORDED: usize = 20_000;

/// Largest request body recorded and passed on.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Headers whose values are credentials.
const SECRET_HEADERS: [&str; 2] = ["authorization", "x-bunq-client-authentication"];

/// Written in place of a secret.
const REDACTED: &str = "<redacted>";

/// One request as a client sent it.
#[derive(Clone, Debug, Serialize)]
pub struct RecordedRequest {
    /// Which half received it.
    pub side: Side,
    /// HTTP method.
    pub method: String,
    /// Path, without the query.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Header names (lower case) and values, credentials redacted (a
    /// bearer token keeps its scheme word: `Bearer <redacted>`).
    pub headers: BTreeMap<String, String>,
    /// The body as JSON (`null` when empty, a string when not JSON), with
    /// any `secret` field redacted.
    pub body: Value,
    /// The status answered.
    pub status: u16,
}

/// Counters of one side.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SideStats {
    /// Requests received.
    pub total: u64,
    /// Requests per `METHOD /path/{id}` template.
    pub requests: BTreeMap<String, u64>,
    /// 429 answers sent.
    pub too_many_requests: u64,
}

#[derive(Default)]
struct Log {
    requests: VecDeque<RecordedRequest>,
    bunq: SideStats,
    ynab: SideStats,
}

/// The shared record of both halves.
#[derive(Default)]
pub struct Recorder {
    log: Mutex<Log>,
}

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Recorded requests, oldest first, of one side or both.
    pub fn requests(&self, side: Option<Side>) -> Vec<RecordedRequest> {
        let log = self.lock();
        log.requests
            .iter()
            .filter(|r| side.is_none_or(|s| r.side == s))
            .cloned()
            .collect()
    }

    /// Forgets the recorded requests of one side or both (counters stay).
    pub fn clear(&self, side: Option<Side>) {
        self.lock()
            .requests
            .retain(|r| side.is_some_and(|s| r.side != s));
    }

    /// The counters of a side.
    pub fn stats(&self, side: Side) -> SideStats {
        let log = self.lock();
        match side {
            Side::Bunq => log.bunq.clone(),
            Side::Ynab => log.ynab.clone(),
        }
    }

    fn push(&self, request: RecordedRequest) {
        let mut log = self.lock();
        let stats = match request.side {
            Side::Bunq => &mut log.bunq,
            Side::Ynab => &mut log.ynab,
        };
        stats.total += 1;
        *stats
            .requests
            .entry(template(&request.method, &request.path))
            .or_default() += 1;
        if request.status == 429 {
            stats.too_many_requests += 1;
        }
        if log.requests.len() >= MAX_RECORDED {
            log.requests.pop_front();
        }
        log.requests.push_back(request);
    }
}

/// The state of the recording middleware.
#[derive(Clone)]
pub struct Recording {
    /// Where requests go.
    pub recorder: Arc<Recorder>,
    /// Which half this is.
    pub side: Side,
}

/// The middleware: records the request and the status answered.
pub async fn record(State(recording): State<Recording>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let mut recorded = RecordedRequest {
        side: recording.side,
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: redacted_headers(&parts.headers),
        body: redacted_body(&bytes),
        status: 0,
    };

    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    recorded.status = response.status().as_u16();
    recording.recorder.push(recorded);
    response
}

fn redacted_headers(headers: &HeaderMap) -> BTreeMap<String, String> {
    headers
        .iter()
        .map(|(name, value)| {
            let name = name.as_str().to_owned();
            let value = if SECRET_HEADERS.contains(&name.as_str()) {
                redacted_credential(value.as_bytes())
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name, value)
        })
        .collect()
}

/// A credential with its value hidden. The scheme word of `Bearer <token>`
/// is kept, so contract tests can check that the scheme was right.
fn redacted_credential(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    match text.trim().split_once(' ') {
        Some((scheme, _)) if scheme.eq_ignore_ascii_case("bearer") => {
            format!("{scheme} {REDACTED}")
        }
        _ => REDACTED.to_owned(),
    }
}

fn redacted_body(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(mut json) => {
            redact_secrets(&mut json);
            json
        }
        Err(_) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
    }
}

fn redact_secrets(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if key == "secret" {
                    *inner = Value::String(REDACTED.to_owned());
                } else {
                    redact_secrets(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        _ => {}
    }
}

/// `GET /v1/user/{id}/monetary-account/{id}`: ids and UUIDs folded, so that
/// counts group by endpoint.
pub fn template(method: &str, path: &str) -> String {
    let folded: Vec<&str> = path
        .split('/')
        .map(|segment| {
            let numeric = !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit());
            let uuid = segment.len() == 36 && segment.bytes().filter(|b| *b == b'-').count() == 4;
            if numeric || uuid { "{id}" } else { segment }
        })
        .collect();
    format!("{method} {}", folded.join("/"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn ids_and_uuids_fold_into_the_template() {
        let path = "/v1/user/12/monetary-account/345/payment";
        assert_eq!(
            template("GET", path),
            "GET /v1/user/{id}/monetary-account/{id}/payment"
        );
        let plan = "/v1/plans/0b7f3c1e-1234-4cde-8f00-123456789abc/transactions";
        assert_eq!(template("POST", plan), "POST /v1/plans/{id}/transactions");
    }

    #[test]
    fn secrets_in_bodies_and_headers_are_redacted() {
        let body = redacted_body(br#"{"secret":"api-key","description":"x"}"#);
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Bearer token".parse().expect("header"));
        headers.insert("user-agent", "test".parse().expect("header"));

        let headers = redacted_headers(&headers);

        assert_eq!(body, json!({"secret": REDACTED, "description": "x"}));
        assert_eq!(headers["authorization"], format!("Bearer {REDACTED}"));
        assert_eq!(headers["user-agent"], "test");
    }
}
