//! Fault injection for tests: rules registered through
//! `POST /_sandbox/faults` make the next matching requests fail, stall or
//! come back damaged. One middleware serves both halves; the bunq half
//! reads the [`Injected`] marker to expire a session or spoil a signature.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::bunq::BunqError;

/// Largest response body a fault rewrites (larger bodies are left alone).
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Which service a port plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The bunq API.
    Bunq,
    /// The YNAB API.
    Ynab,
}

/// One registered fault: which requests it hits, how often, and what it does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// HTTP method to match (`GET`); `None` matches every method.
    #[serde(default)]
    pub method: Option<String>,
    /// Path prefix to match (`/v1/user`); empty matches every path.
    #[serde(default)]
    pub path_prefix: String,
    /// How many requests it hits; `None` means until cleared.
    #[serde(default)]
    pub times: Option<u32>,
    /// What happens to them.
    pub action: FaultAction,
}

/// What a fault does. Fields combine: a delay runs first, then the rest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultAction {
    /// Answer with this status (and the service's error body, unless
    /// `body` is set) instead of handling the request.
    #[serde(default)]
    pub status: Option<u16>,
    /// Wait this long, then go on.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Handle the request, then replace the body with this text verbatim
    /// (status `status`, default 200).
    #[serde(default)]
    pub body: Option<String>,
    /// Handle the request, then cut the body in half.
    #[serde(default)]
    pub truncate: bool,
    /// Handle the request, then wait this long before answering: the
    /// change is made, but the caller sees it late (or never, if it dies
    /// or gives up meanwhile).
    #[serde(default)]
    pub delay_after_ms: Option<u64>,
    /// bunq only: sign the response with a wrong signature.
    #[serde(default)]
    pub bad_signature: bool,
    /// bunq only: expire the caller's session before handling the request.
    #[serde(default)]
    pub expire_session: bool,
}

/// The marker a hit leaves in the request and response extensions.
#[derive(Clone, Debug)]
pub struct Injected(pub FaultAction);

/// The rules of one side.
#[derive(Debug)]
pub struct FaultSet {
    side: Side,
    rules: Mutex<Vec<FaultRule>>,
}

impl FaultSet {
    /// An empty set for a side.
    pub fn new(side: Side) -> Self {
        Self {
            side,
            rules: Mutex::new(Vec::new()),
        }
    }

    /// Adds a rule; earlier rules win when several match.
    pub fn add(&self, rule: FaultRule) {
        self.lock().push(rule);
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The rules still in force.
    pub fn rules(&self) -> Vec<FaultRule> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FaultRule>> {
        self.rules
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes one hit of the first rule that matches, if any.
    fn take(&self, method: &str, path: &str) -> Option<FaultAction> {
        let mut rules = self.lock();
        let index = rules.iter().position(|rule| {
            rule.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && path.starts_with(&rule.path_prefix)
                && rule.times != Some(0)
        })?;
        let action = rules[index].action.clone();
        if let Some(times) = rules[index].times.as_mut() {
            *times -= 1;
            if *times == 0 {
                rules.remove(index);
            }
        }
        Some(action)
    }

    /// The service's own error body for a status.
    fn error_response(&self, status: u16) -> Response {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match self.side {
            Side::Bunq => {
                let error = match status {
                    429 => BunqError::too_many_requests(3, 3),
                    500 => BunqError::internal(),
                    other => BunqError::new(other, "Something went wrong."),
                };
                (code, axum::Json(error.body())).into_response()
            }
            Side::Ynab => {
                let (id, name, detail) = match status {
                    429 => ("429", "too_many_requests", "Too many requests"),
                    401 => ("401", "unauthorized", "Unauthorized"),
                    404 => ("404.2", "resource_not_found", "Resource not found"),
                    503 => ("503", "service_unavailable", "Service unavailable"),
                    _ => ("500", "internal_server_error", "Internal server error"),
                };
                let body = json!({"error": {"id": id, "name": name, "detail": detail}});
                (code, axum::Json(body)).into_response()
            }
        }
    }
}

/// The middleware: applies the first matching rule to a request.
pub async fn inject(
    State(faults): State<Arc<FaultSet>>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let Some(action) = faults.take(request.method().as_str(), &path) else {
        return next.run(request).await;
    };
    tracing::info!(http.path = %path, ?action, "injecting a fault");

    if let Some(delay) = action.delay_ms {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if let (Some(status), None) = (action.status, &action.body)
        && status >= 400
    {
        let mut response = faults.error_response(status);
        response.extensions_mut().insert(Injected(action));
        return response;
    }

    request.extensions_mut().insert(Injected(action.clone()));
    let response = next.run(request).await;
    if let Some(delay) = action.delay_after_ms {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let mut response = damage(response, &action).await;
    response.extensions_mut().insert(Injected(action));
    response
}

/// Replaces or truncates a handled response's body as the action says.
async fn damage(response: Response, action: &FaultAction) -> Response {
    if action.body.is_none() && !action.truncate {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let new_body = match &action.body {
        Some(text) => {
            let status = action.status.and_then(|s| StatusCode::from_u16(s).ok());
            parts.status = status.unwrap_or(StatusCode::OK);
            text.clone().into_bytes()
        }
        None => bytes[..bytes.len() / 2].to_vec(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    if let Ok(length) = HeaderValue::from_str(&new_body.len().to_string()) {
        parts.headers.insert(header::CONTENT_LENGTH, length);
    }
    Response::from_parts(parts, Body::from(new_body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(method: Option<&str>, prefix: &str, times: Option<u32>) -> FaultRule {
        FaultRule {
            method: method.map(str::to_owned),
            path_prefix: prefix.to_owned(),
            times,
            action: FaultAction {
                status: Some(500),
                ..FaultAction::default()
            },
        }
    }

    #[test]
    fn a_rule_hits_as_many_times_as_asked_and_then_goes_away() {
        let set = FaultSet::new(Side::Bunq);
        set.add(rule(Some("get"), "/v1/user", Some(2)));

        let hits: Vec<bool> = (0..3)
            .map(|_| set.take("GET", "/v1/user/1/monetary-account").is_some())
            .collect();

        assert_eq!(hits, [true, true, false]);
        assert!(set.rules().is_empty());
    }

    #[test]
    fn method_and_prefix_must_both_match() {
        let set = FaultSet::new(Side::Ynab);
        set.add(rule(Some("POST"), "/v1/plans", None));

        assert!(set.take("GET", "/v1/plans").is_none());
        assert!(set.take("POST", "/v1/user").is_none());
        assert!(set.take("POST", "/v1/plans/x/transactions").is_some());
        assert!(set.take("POST", "/v1/plans/x/transactions").is_some());
    }
}
