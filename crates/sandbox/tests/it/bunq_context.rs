//! The context flow and the checks bunq makes on every call: signatures
//! both ways, tokens, API key, request ids and required headers.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{API_KEY, Bunq, device_body, sandbox};

#[tokio::test]
async fn the_context_flow_gives_a_session_and_every_answer_is_signed_by_the_server() {
    let sandbox = sandbox().await;

    let bunq = Bunq::connect(&sandbox).await;
    let users = bunq.get("/user").await;
    let missing = bunq
        .get(&bunq.user_path("/monetary-account/1/payment"))
        .await;

    assert_eq!(users.status, 200);
    assert!(bunq.verifies(&users));
    assert_eq!(
        users.json()["Response"][0]["UserPerson"]["id"],
        bunq.user_id
    );
    assert_eq!(missing.status, 404);
    assert!(bunq.verifies(&missing), "error answers are signed too");
    assert!(users.header("x-bunq-client-response-id").is_some());
}

#[tokio::test]
async fn the_request_id_is_echoed_and_a_reused_one_is_refused() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;

    let first = bunq.send(Method::GET, "/user", None, "request-1").await;
    let again = bunq.send(Method::GET, "/user", None, "request-1").await;

    assert_eq!(first.status, 200);
    assert_eq!(
        first.header("x-bunq-client-request-id").as_deref(),
        Some("request-1")
    );
    assert_eq!(again.status, 400);
    assert!(
        again.error().contains("already been used"),
        "{}",
        again.error()
    );
}

#[tokio::test]
async fn an_unsigned_session_server_call_gets_466() {
    let sandbox = sandbox().await;
    let mut bunq = Bunq::new(&sandbox);
    let token = bunq.install().await;
    bunq.token = Some(token);
    assert_eq!(
        bunq.post("/device-server", &device_body(API_KEY))
            .await
            .status,
        200
    );

    let bunq = bunq.unsigned();
    let answer = bunq
        .post("/session-server", &json!({"secret": API_KEY}))
        .await;

    assert_eq!(answer.status, 466);
    assert!(answer.error().contains("signature"), "{}", answer.error());
}

#[tokio::test]
async fn a_wrong_signature_is_refused_with_400() {
    let sandbox = sandbox().await;
    let mut bunq = Bunq::new(&sandbox);
    bunq.token = Some(bunq.install().await);
    let body = serde_json::to_vec(&device_body(API_KEY)).expect("json");

    let answer = reqwest::Client::new()
        .post(format!("{}/device-server", sandbox.bunq_url()))
        .header("User-Agent", "t")
        .header("Cache-Control", "no-cache")
        .header("X-Bunq-Client-Request-Id", "r1")
        .header(
            "X-Bunq-Client-Authentication",
            bunq.token.clone().expect("token"),
        )
        .header(
            "X-Bunq-Client-Signature",
            crate::helpers::sign(b"another body"),
        )
        .body(body)
        .send()
        .await
        .expect("sent");

    assert_eq!(answer.status().as_u16(), 400);
}

#[tokio::test]
async fn a_wrong_api_key_is_refused_with_bunqs_words() {
    let sandbox = sandbox().await;
    let mut bunq = Bunq::new(&sandbox);
    bunq.token = Some(bunq.install().await);

    let answer = bunq
        .post("/device-server", &device_body("not-the-key"))
        .await;

    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.error(),
        "User credentials are incorrect. Incorrect API key or IP address."
    );
}

#[tokio::test]
async fn calls_without_a_valid_session_token_are_unauthenticated() {
    let sandbox = sandbox().await;
    let mut bunq = Bunq::new(&sandbox);
    let installation = bunq.install().await;

    let none = bunq.get("/user").await;
    bunq.token = Some(installation);
    let installation_token = bunq.get("/user").await;
    bunq.token = Some("made-up".to_owned());
    let unknown = bunq.get("/user").await;

    for answer in [none, installation_token, unknown] {
        assert_eq!(answer.status, 401);
        assert_eq!(answer.error(), "Insufficient authentication.");
    }
}

#[tokio::test]
async fn an_expired_session_is_unauthenticated_until_a_new_one_is_opened() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;

    sandbox.bunq().expire_sessions();
    let expired = bunq.get("/user").await;

    assert_eq!(expired.status, 401);
    assert_eq!(sandbox.bunq().open_sessions(), 0);
}

#[tokio::test]
async fn a_call_without_cache_control_is_refused() {
    let sandbox = sandbox().await;

    let answer = reqwest::Client::new()
        .get(format!("{}/user", sandbox.bunq_url()))
        .header("User-Agent", "t")
        .header("X-Bunq-Client-Request-Id", "r1")
        .send()
        .await
        .expect("sent");

    assert_eq!(answer.status().as_u16(), 400);
    let body: serde_json::Value = answer.json().await.expect("json");
    assert!(
        body["Error"][0]["error_description"]
            .as_str()
            .expect("text")
            .contains("Cache-Control")
    );
}

#[tokio::test]
async fn session_server_answers_with_the_configured_kind_of_user() {
    let config = sandbox::SandboxConfig {
        user_kind: sandbox::household::UserKind::ApiKey,
        ..sandbox::SandboxConfig::without_rate_limits()
    };
    let sandbox = sandbox::Sandbox::start(config).await.expect("sandbox");
    let mut bunq = Bunq::new(&sandbox);
    bunq.token = Some(bunq.install().await);
    assert_eq!(
        bunq.post("/device-server", &device_body(API_KEY))
            .await
            .status,
        200
    );

    let session = bunq
        .post("/session-server", &json!({"secret": API_KEY}))
        .await
        .json();

    let user = &session["Response"][2]["UserApiKey"];
    assert_eq!(user["id"], sandbox.household().user.id);
    assert_eq!(
        user["requested_by_user"]["UserPerson"]["session_timeout"],
        3600
    );
}
