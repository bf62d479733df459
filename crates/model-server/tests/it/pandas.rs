//! The old system's request (MLServer's pandas codec over the 13 bunq
//! payment fields) gives a prediction, and the sync worker's client reads
//! this server's answers as the model itself predicts.

use classifier::{ClassifierClient, ClassifierConfig};
use learning::PaymentFeatures;
use serde_json::json;

use crate::helpers::{BUDGET, TestServer, payment, small_model};

/// One row exactly as the predecessor's MLServer client encoded it.
fn old_system_request() -> serde_json::Value {
    let bytes = |name: &str, value: &str, content_type: Option<&str>| {
        let mut input =
            json!({"name": name, "shape": [1, 1], "datatype": "BYTES", "data": [value]});
        if let Some(content_type) = content_type {
            input["parameters"] = json!({"content_type": content_type});
        }
        input
    };
    let int = |name: &str, value: i64| json!({"name": name, "shape": [1, 1], "datatype": "INT64", "data": [value]});
    json!({"parameters": {"content_type": "pd"}, "inputs": [
        int("id", 123),
        bytes("alias", r#"{"iban":"NL91ABNA0417164300","display_name":"Me"}"#, Some("pd_json")),
        bytes("amount", r#"{"value":"-4.50","currency":"EUR"}"#, Some("pd_json")),
        bytes("attachment", "[]", Some("pd_json")),
        bytes("balance_after_mutation", r#"{"value":"95.50","currency":"EUR"}"#, Some("pd_json")),
        bytes("counterparty_alias", r#"{"iban":null,"display_name":"Bakkerij de Test"}"#, Some("pd_json")),
        bytes("created", "2024-05-01T10:11:12.123456", None),
        bytes("description", "Bakkerij de Test", Some("str")),
        int("monetary_account_id", 42),
        bytes("request_reference_split_the_bill", "[]", Some("pd_json")),
        bytes("sub_type", "PAYMENT", Some("str")),
        bytes("type", "MASTERCARD", Some("str")),
        bytes("updated", "2024-05-01T10:11:12.123456", None),
    ]})
}

#[tokio::test]
async fn the_old_systems_pandas_request_gets_a_prediction() {
    let server = TestServer::start().await;
    let version = server.promote(BUDGET, &small_model(false)).await;
    server.wait_for(BUDGET, version).await;

    let (status, body) = server
        .post(&format!("/v2/models/{BUDGET}/infer"), &old_system_request())
        .await;

    assert_eq!(status, 200, "{body}");
    let outputs = body["outputs"].as_array().expect("outputs");
    let by_name = |name: &str| outputs.iter().find(|o| o["name"] == name).expect(name);
    assert_eq!(by_name("category_id")["data"], json!(["cat-groceries"]));
    assert_eq!(by_name("category_name")["data"], json!(["Groceries"]));
    assert_eq!(by_name("confidence")["datatype"], "FP64");
    assert_eq!(body["model_name"], BUDGET);

    server.stop().await;
}

#[tokio::test]
async fn the_classifier_client_reads_what_the_model_predicts() {
    let server = TestServer::start().await;
    let model = small_model(false);
    let version = server.promote(BUDGET, &model).await;
    server.wait_for(BUDGET, version).await;
    let payments = [
        payment(1, "-4.50", "Bakkerij de Test"),
        payment(2, "-61.20", "Albert Heijn 1234"),
        payment(3, "2500.00", "Werkgever BV salaris"),
        payment(4, "-13.00", "Something never seen"),
    ];
    let refs: Vec<_> = payments.iter().collect();
    let client =
        ClassifierClient::new(ClassifierConfig::new(Some(server.url.clone()))).expect("client");

    let prediction = client.predict(BUDGET, &refs).await.expect("an answer");

    let features: Vec<_> = payments.iter().map(PaymentFeatures::from_payment).collect();
    let expected = model.predict(&features);
    assert_eq!(prediction.model_version, Some(version.to_string()));
    assert_eq!(prediction.rows.len(), expected.len());
    for (got, want) in prediction.rows.iter().zip(&expected) {
        assert_eq!(got.category_id, want.category_id);
        assert_eq!(got.category_name, want.category_name);
        assert!((got.confidence - want.confidence).abs() < 1e-12);
    }
    let unknown = client.predict("no-such-budget", &refs).await.unwrap_err();
    assert!(
        unknown.is_unavailable(),
        "a missing model is 'no model': {unknown}"
    );

    server.stop().await;
}
