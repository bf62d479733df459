//! A pass-through HTTP proxy that keeps every answer it relays. The
//! sandbox records requests but not answers; putting this between the real
//! bunq client and the sandbox captures the answers the client actually
//! got (signed bodies untouched) without re-implementing bunq's signing.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Largest body relayed.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Headers a hop must not copy.
const HOP_HEADERS: [&str; 4] = ["host", "content-length", "transfer-encoding", "connection"];

/// One relayed exchange.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub body: Value,
}

#[derive(Clone)]
struct Relay {
    target: String,
    http: reqwest::Client,
    log: Arc<Mutex<Vec<Exchange>>>,
}

/// A running proxy.
pub struct RecordingProxy {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Exchange>>>,
    task: JoinHandle<()>,
}

impl RecordingProxy {
    /// Relays to `target` (`http://127.0.0.1:P`) from a fresh port.
    pub async fn start(target: String) -> Self {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .expect("the proxy binds");
        let addr = listener.local_addr().expect("a local address");
        let log = Arc::new(Mutex::new(Vec::new()));
        let relay = Relay {
            target,
            http: super::helpers::http(),
            log: log.clone(),
        };
        let app = Router::new().fallback(forward).with_state(relay);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, log, task }
    }

    /// The proxied bunq base URL, `http://127.0.0.1:X/v1`.
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every exchange so far, oldest first.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().expect("the log").clone()
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward(State(relay): State<Relay>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut outgoing = relay
        .http
        .request(
            parts.method.clone(),
            format!("{}{path_and_query}", relay.target),
        )
        .body(bytes);
    for (name, value) in &parts.headers {
        if !HOP_HEADERS.contains(&name.as_str()) {
            outgoing = outgoing.header(name, value);
        }
    }
    let Ok(answer) = outgoing.send().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };

    let status = answer.status();
    let headers = answer.headers().clone();
    let Ok(bytes) = answer.bytes().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    relay.log.lock().expect("the log").push(Exchange {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        status: status.as_u16(),
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    });
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    for (name, value) in &headers {
        if !HOP_HEADERS.contains(&name.as_str()) {
            response.headers_mut().append(name, value.clone());
        }
    }
    response
}
