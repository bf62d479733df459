//! Every endpoint against the V2 documents: MLServer's dataplane document
//! (paths, statuses and bodies, no undocumented fields) and the KServe V2
//! schemas.

use contract::{Dialect, Spec, Strictness};
use serde_json::{Value, json};

use crate::helpers::{BUDGET, TestServer, payment, small_model};

fn spec(file: &str) -> Spec {
    let path = contract::locate::spec_path(file).expect("specs folder");
    let mut document = contract::locate::read_document(&path).expect("readable");
    // Neither document names a server; ours answers at the root. KServe's
    // writes path parameters as `${NAME}`.
    document["servers"] = json!([{"url": "http://localhost"}]);
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        let renamed: serde_json::Map<String, Value> = std::mem::take(paths)
            .into_iter()
            .map(|(k, v)| (k.replace("${", "{"), v))
            .collect();
        *paths = renamed;
    }
    // MLServer's `TensorData` allows `type: bytes`, which is no JSON
    // Schema type (a schema compiler refuses it); base64 text is meant.
    if let Some(tensor) = document.pointer_mut("/components/schemas/TensorData/oneOf/1") {
        *tensor = json!({"type": "string"});
    }
    Spec::from_document(
        file,
        document,
        Dialect::Plain,
        Strictness::NoUndocumentedFields,
    )
    .expect("a usable document")
}

fn infer_body() -> Value {
    let (a, b) = (
        payment(1, "-4.50", "Bakkerij de Test"),
        payment(2, "2500.00", "Werkgever BV salaris"),
    );
    classifier::infer_request(&[&a, &b])
}

#[tokio::test]
async fn every_endpoint_answers_as_the_v2_documents_describe() {
    let server = TestServer::start().await;
    let version = server.promote(BUDGET, &small_model(false)).await;
    server.wait_for(BUDGET, version).await;
    let mlserver = spec("mlserver-dataplane.yaml");
    let kserve = spec("kserve-rest_predict_v2.yaml");
    let model = format!("/v2/models/{BUDGET}");
    let versioned = format!("{model}/versions/{version}");

    for path in [
        "/v2/health/live",
        "/v2/health/ready",
        &format!("{model}/ready"),
        &format!("{versioned}/ready"),
    ] {
        let (status, body) = server.get(path).await;
        assert_eq!(status, 200, "{path}");
        mlserver
            .validate_response("GET", path, status, &body)
            .expect(path);
    }
    let (status, body) = server.get("/v2").await;
    mlserver
        .validate_response("GET", "/v2", status, &body)
        .expect("server metadata");
    kserve
        .validate_schema("metadata_server_response", &body)
        .expect("kserve server metadata");
    for path in [&model, &versioned] {
        let (status, body) = server.get(path).await;
        assert_eq!(status, 200, "{path}");
        mlserver
            .validate_response("GET", path, status, &body)
            .expect(path);
        kserve
            .validate_schema("metadata_model_response", &body)
            .expect(path);
        assert_eq!(body["versions"], json!([version.to_string()]));
    }
    for path in [format!("{model}/infer"), format!("{versioned}/infer")] {
        mlserver
            .validate_schema("InferenceRequest", &infer_body())
            .expect("our request");
        kserve
            .validate_schema("inference_request", &infer_body())
            .expect("our request");
        let (status, body) = server.post(&path, &infer_body()).await;
        assert_eq!(status, 200, "{path}: {body}");
        mlserver
            .validate_response("POST", &path, status, &body)
            .expect(&path);
        kserve
            .validate_schema("inference_response", &body)
            .expect(&path);
        assert_eq!(body["model_version"], version.to_string());
    }

    server.stop().await;
}

#[tokio::test]
async fn errors_use_the_documented_error_bodies() {
    let server = TestServer::start().await;
    let version = server.promote(BUDGET, &small_model(false)).await;
    server.wait_for(BUDGET, version).await;
    let mlserver = spec("mlserver-dataplane.yaml");
    let kserve = spec("kserve-rest_predict_v2.yaml");

    let unknown = "/v2/models/no-such-budget";
    let (status, body) = server.get(unknown).await;
    assert_eq!(status, 404);
    mlserver
        .validate_error_response("GET", unknown, status, &body)
        .expect("404 body");
    let old = format!("/v2/models/{BUDGET}/versions/{}", version + 1);
    let (status, body) = server.get(&old).await;
    assert_eq!(status, 404);
    mlserver
        .validate_error_response("GET", &old, status, &body)
        .expect("404 body");

    let infer = format!("/v2/models/{BUDGET}/infer");
    let (status, body) = server.post(&infer, &json!({"inputs": []})).await;
    assert_eq!(status, 400);
    mlserver
        .validate_error_response("POST", &infer, status, &body)
        .expect("400 body");
    kserve
        .validate_schema("inference_error_response", &body)
        .expect("kserve error");
    assert_eq!(body, json!({"error": "the request has no inputs"}));
    let (status, _) = server.get(&format!("{}/ready", unknown)).await;
    assert_eq!(status, 404, "an unknown model is not ready");

    server.stop().await;
}

#[tokio::test]
async fn swagger_ui_and_metrics_are_served_by_the_binary() {
    let server = TestServer::start().await;
    let version = server.promote(BUDGET, &small_model(false)).await;
    server.wait_for(BUDGET, version).await;
    server
        .post(&format!("/v2/models/{BUDGET}/infer"), &infer_body())
        .await;

    let page = server
        .http
        .get(format!("{}/v2/docs/", server.url))
        .send()
        .await
        .expect("docs");
    let page_status = page.status().as_u16();
    let html = page.text().await.expect("text");
    let (_, document) = server.get("/v2/docs/openapi.json").await;
    let asset = server
        .http
        .get(format!("{}/v2/docs/swagger-ui-bundle.js", server.url))
        .send()
        .await
        .expect("asset");
    let metrics = server
        .http
        .get(format!("{}/metrics", server.url))
        .send()
        .await
        .expect("metrics");
    let metrics = metrics.text().await.expect("text");

    assert_eq!(page_status, 200);
    assert!(html.contains("swagger"), "{html}");
    assert_eq!(asset.status().as_u16(), 200, "assets are inside the binary");
    assert!(
        document["paths"]["/v2/models/{name}/infer"]["post"].is_object(),
        "{document}"
    );
    assert!(
        metrics.contains("model_server_http_requests_total"),
        "{metrics}"
    );
    assert!(
        metrics.contains("model_server_inference_rows_total"),
        "{metrics}"
    );

    server.stop().await;
}
