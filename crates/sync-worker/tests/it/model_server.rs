//! A stand-in model server on port 0 (the sandbox does not play one):
//! answers with a category of the budget, a 500, late, or garbage.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// How the fake answers.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Every row gets `category_id` with `confidence`.
    Answer {
        category_id: String,
        confidence: f64,
    },
    /// 500 with an error body.
    Fail,
    /// A valid answer after this long.
    Slow(Duration),
    /// 200 with a body that is no inference response.
    Malformed,
}

pub async fn start(behaviour: Behaviour) -> String {
    let app = Router::new().route(
        "/v2/models/{model}/infer",
        post(move |body: axum::body::Bytes| answer(behaviour.clone(), body)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// A URL on which nothing listens.
pub async fn closed() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}

async fn answer(behaviour: Behaviour, body: axum::body::Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let rows = request["inputs"][0]["data"].as_array().map_or(0, Vec::len);
    match behaviour {
        Behaviour::Answer {
            category_id,
            confidence,
        } => outputs(&category_id, confidence, rows),
        Behaviour::Fail => (StatusCode::INTERNAL_SERVER_ERROR, "model crashed").into_response(),
        Behaviour::Slow(delay) => {
            tokio::time::sleep(delay).await;
            outputs("late", 0.99, rows)
        }
        Behaviour::Malformed => (StatusCode::OK, "{\"outputs\": [{\"name\": 1}]}").into_response(),
    }
}

fn outputs(category_id: &str, confidence: f64, rows: usize) -> Response {
    axum::Json(json!({"model_name": "m", "model_version": "2024-w19", "outputs": [
        {"name": "category_id", "shape": [rows], "datatype": "BYTES", "data": vec![category_id; rows]},
        {"name": "category_name", "shape": [rows], "datatype": "BYTES", "data": vec!["Groceries"; rows]},
        {"name": "confidence", "shape": [rows], "datatype": "FP64", "data": vec![confidence; rows]}]}))
    .into_response()
}
