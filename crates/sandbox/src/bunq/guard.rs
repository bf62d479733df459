//! The checks bunq makes before a handler runs (required headers, rate
//! limit, token, body signature, request id reuse) and the seal it puts on
//! every answer (server signature over the body, request id echo, response
//! id).

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::SIGNATURE_REQUIRED;
use super::{BunqError, BunqState};
use crate::faults::Injected;

/// Largest request or response body handled.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

const REQUEST_ID: &str = "x-bunq-client-request-id";
const AUTHENTICATION: &str = "x-bunq-client-authentication";
const CLIENT_SIGNATURE: &str = "x-bunq-client-signature";

/// Who is calling, once the token is checked. Handlers take it as an
/// `Extension`.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    /// The installation token behind the call.
    pub installation: String,
}

/// Which token an endpoint wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    /// `POST /installation`: no token.
    Installation,
    /// device-server: the installation token.
    Device,
    /// session-server: the installation token, and its own rate limit.
    Session,
    /// Everything else: a session token.
    Api,
}

impl Route {
    fn of(template: &str) -> Self {
        match template {
            "/v1/installation" => Self::Installation,
            "/v1/device-server" => Self::Device,
            "/v1/session-server" => Self::Session,
            _ => Self::Api,
        }
    }
}

/// Route middleware: every check a request must pass before its handler.
pub(crate) async fn check(
    State(state): State<Arc<BunqState>>,
    matched: MatchedPath,
    request: Request,
    next: Next,
) -> Response {
    match admit(&state, matched.as_str(), request).await {
        Ok(request) => next.run(request).await,
        Err(error) => {
            tracing::debug!(status = error.status, reason = %error.description, "bunq request refused");
            error.into_response()
        }
    }
}

async fn admit(state: &BunqState, template: &str, request: Request) -> Result<Request, BunqError> {
    let route = Route::of(template);
    required_headers(request.headers())?;
    rate_limit(state, request.method(), template, route)?;

    let (mut parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| BunqError::bad_request("The request body is too large."))?;
    if route == Route::Installation {
        return Ok(Request::from_parts(parts, Body::from(bytes)));
    }

    let expire = parts
        .extensions
        .get::<Injected>()
        .is_some_and(|i| i.0.expire_session);
    let caller = authenticate(state, route, &parts.headers, expire)?;
    verify_signature(state, &caller, &parts.method, &parts.headers, &bytes, route)?;
    let request_id = header(&parts.headers, REQUEST_ID).unwrap_or_default();
    if !state
        .store()
        .use_request_id(&caller.installation, request_id)
    {
        return Err(BunqError::bad_request(
            "The X-Bunq-Client-Request-Id header has already been used for this device.",
        ));
    }
    parts.extensions.insert(caller);
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// `User-Agent`, `Cache-Control` and a request id are required on every call.
fn required_headers(headers: &HeaderMap) -> Result<(), BunqError> {
    for name in ["User-Agent", "Cache-Control", "X-Bunq-Client-Request-Id"] {
        if header(headers, name).is_none() {
            return Err(BunqError::bad_request(format!(
                "The {name} header is required."
            )));
        }
    }
    Ok(())
}

fn rate_limit(
    state: &BunqState,
    method: &Method,
    template: &str,
    route: Route,
) -> Result<(), BunqError> {
    if !state.settings.rate_limits {
        return Ok(());
    }
    let limits = &state.settings.limits;
    let (calls, window) = match (route, method.as_str()) {
        (Route::Session, _) => (limits.session, limits.session_window),
        (_, "GET") => (limits.get, limits.window),
        (_, "PUT") => (limits.put, limits.window),
        _ => (limits.post, limits.window),
    };
    if state
        .limiter
        .admit(&format!("{method} {template}"), calls, window)
    {
        Ok(())
    } else {
        tracing::info!(http.method = %method, http.route = template, "bunq rate limit hit");
        Err(BunqError::too_many_requests(calls, window.as_secs().max(1)))
    }
}

/// Finds the installation (and session) behind the token the route wants.
fn authenticate(
    state: &BunqState,
    route: Route,
    headers: &HeaderMap,
    expire: bool,
) -> Result<Caller, BunqError> {
    let token = header(headers, AUTHENTICATION).ok_or_else(BunqError::unauthenticated)?;
    let mut store = state.store();
    if route != Route::Api {
        store
            .installation(token)
            .ok_or_else(BunqError::unauthenticated)?;
        return Ok(Caller {
            installation: token.to_owned(),
        });
    }
    if expire {
        store.expire(token);
    }
    let session = store
        .session(token, state.settings.session_timeout)
        .ok_or_else(BunqError::unauthenticated)?;
    Ok(Caller {
        installation: session.installation.clone(),
    })
}

/// Bodies must be signed with the installation's key: 466 when the
/// signature is missing on a call that sends data, 400 when it is wrong.
fn verify_signature(
    state: &BunqState,
    caller: &Caller,
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
    route: Route,
) -> Result<(), BunqError> {
    let sends_data = route == Route::Session || *method == Method::POST || *method == Method::PUT;
    let Some(signature) = header(headers, CLIENT_SIGNATURE) else {
        return if sends_data {
            Err(BunqError::new(
                SIGNATURE_REQUIRED,
                "The request signature is required.",
            ))
        } else {
            Ok(())
        };
    };
    let store = state.store();
    let installation = store
        .installation(&caller.installation)
        .ok_or_else(BunqError::unauthenticated)?;
    if installation.key.verifies(body, signature) {
        Ok(())
    } else {
        Err(BunqError::bad_request("The request signature is invalid."))
    }
}

/// Outer middleware: signs every answer's body with the server key and adds
/// bunq's response headers.
pub(crate) async fn seal(
    State(state): State<Arc<BunqState>>,
    request: Request,
    next: Next,
) -> Response {
    let request_id = request.headers().get(REQUEST_ID).cloned();
    let response = next.run(request).await;

    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return BunqError::internal().into_response();
    };
    let tampered = parts
        .extensions
        .get::<Injected>()
        .is_some_and(|i| i.0.bad_signature);
    let signed: &[u8] = if tampered {
        b"a body the client did not receive"
    } else {
        &bytes
    };
    let headers = &mut parts.headers;
    if let Ok(signature) = HeaderValue::from_str(&state.key.sign(signed)) {
        headers.insert("x-bunq-server-signature", signature);
    }
    if let Some(request_id) = request_id {
        headers.insert(REQUEST_ID, request_id);
    }
    if let Ok(response_id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        headers.insert("x-bunq-client-response-id", response_id);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Answer for paths bunq does not have.
pub(crate) async fn not_found() -> BunqError {
    BunqError::new(404, "Route not found.")
}

/// Answer for a known path with the wrong method.
pub(crate) async fn method_not_allowed() -> BunqError {
    BunqError::new(405, "Method not allowed.")
}
