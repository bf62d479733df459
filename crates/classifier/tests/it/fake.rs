//! A stand-in model server on port 0 for the classifier tests.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// How the fake answers.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Valid outputs; category `cat-<row>` with these confidences.
    Answer { confidences: Vec<f64> },
    /// This status with an error body.
    Status(u16),
    /// A valid answer, after this long.
    Slow(Duration),
    /// 200 with a body that is not an inference response.
    Malformed,
}

#[derive(Clone)]
struct Shared {
    behaviour: Behaviour,
    seen: Arc<Mutex<Vec<(String, Value)>>>,
}

pub struct FakeModelServer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<(String, Value)>>>,
}

impl FakeModelServer {
    pub async fn start(behaviour: Behaviour) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            behaviour,
            seen: seen.clone(),
        };
        let app = Router::new()
            .route("/v2/models/{model}/infer", post(infer))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, seen }
    }

    /// A URL on which nothing listens.
    pub async fn closed_port() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        format!("http://{addr}")
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn last_request(&self) -> Option<Value> {
        self.seen
            .lock()
            .expect("lock")
            .last()
            .map(|(_, body)| body.clone())
    }

    pub fn last_path(&self) -> Option<String> {
        self.seen
            .lock()
            .expect("lock")
            .last()
            .map(|(path, _)| path.clone())
    }
}

async fn infer(State(shared): State<Shared>, uri: Uri, body: axum::body::Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let rows = request["inputs"][0]["data"].as_array().map_or(0, Vec::len);
    shared
        .seen
        .lock()
        .expect("lock")
        .push((uri.path().to_owned(), request));

    match &shared.behaviour {
        Behaviour::Answer { confidences } => answer(confidences).into_response(),
        Behaviour::Status(status) => {
            let code = StatusCode::from_u16(*status).expect("valid status");
            (code, axum::Json(json!({"error": "boom"}))).into_response()
        }
        Behaviour::Slow(delay) => {
            tokio::time::sleep(*delay).await;
            answer(&vec![0.99; rows]).into_response()
        }
        Behaviour::Malformed => (StatusCode::OK, "{\"outputs\": \"nope\"").into_response(),
    }
}

fn answer(confidences: &[f64]) -> axum::Json<Value> {
    let ids: Vec<String> = (0..confidences.len()).map(|i| format!("cat-{i}")).collect();
    axum::Json(
        json!({"model_name": "m", "model_version": "v3", "outputs": [
        {"name": "category_id", "shape": [ids.len()], "datatype": "BYTES", "data": ids},
        {"name": "category_name", "shape": [ids.len()], "datatype": "BYTES", "data": ids},
        {"name": "confidence", "shape": [confidences.len()], "datatype": "FP64", "data": confidences}]}),
    )
}
