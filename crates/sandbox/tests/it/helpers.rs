//! A deliberately small bunq client for the sandbox's own tests: it signs
//! bodies with its own RSA key, walks the context flow, and hands back raw
//! answers so tests can check statuses, headers and signatures.

use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};
use sha2::Sha256;

/// The API key the default config accepts.
pub const API_KEY: &str = "sandbox-api-key";

/// One client key per test binary: generating RSA keys is slow.
fn client_key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("client key"))
}

/// A sandbox with limits that do not get in a test's way.
pub async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::without_rate_limits())
        .await
        .expect("sandbox starts")
}

/// A raw answer.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    /// `Error[0].error_description`.
    pub fn error(&self) -> String {
        self.json()["Error"][0]["error_description"]
            .as_str()
            .expect("bunq error")
            .to_owned()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// Talks to the bunq half like a careful client.
pub struct Bunq {
    http: reqwest::Client,
    base: String,
    pub token: Option<String>,
    pub server_key: Option<RsaPublicKey>,
    pub user_id: i64,
    sign: bool,
}

impl Bunq {
    pub fn new(sandbox: &Sandbox) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client");
        Self {
            http,
            base: sandbox.bunq_url(),
            token: None,
            server_key: None,
            user_id: 0,
            sign: true,
        }
    }

    /// Installation, device-server and session-server; keeps the session token.
    pub async fn connect(sandbox: &Sandbox) -> Self {
        let mut bunq = Self::new(sandbox);
        let installation = bunq.install().await;
        bunq.token = Some(installation);
        assert_eq!(
            bunq.post("/device-server", &device_body(API_KEY))
                .await
                .status,
            200
        );
        let session = bunq
            .post("/session-server", &json!({"secret": API_KEY}))
            .await;
        assert_eq!(
            session.status,
            200,
            "{}",
            String::from_utf8_lossy(&session.body)
        );
        let body = session.json();
        bunq.token = Some(
            body["Response"][1]["Token"]["token"]
                .as_str()
                .expect("token")
                .to_owned(),
        );
        bunq.user_id = body["Response"][2]["UserPerson"]["id"]
            .as_i64()
            .expect("user id");
        bunq
    }

    /// `POST /installation`; remembers the server key, returns the token.
    pub async fn install(&mut self) -> String {
        let pem = RsaPublicKey::from(client_key())
            .to_public_key_pem(LineEnding::LF)
            .expect("pem");
        let answer = self
            .post("/installation", &json!({"client_public_key": pem}))
            .await;
        assert_eq!(
            answer.status,
            200,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        let body = answer.json();
        let server = body["Response"][2]["ServerPublicKey"]["server_public_key"]
            .as_str()
            .expect("key");
        self.server_key = Some(RsaPublicKey::from_public_key_pem(server).expect("server key"));
        body["Response"][1]["Token"]["token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// Stops signing request bodies.
    pub fn unsigned(mut self) -> Self {
        self.sign = false;
        self
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(
            reqwest::Method::GET,
            path,
            None,
            &uuid::Uuid::new_v4().to_string(),
        )
        .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(
            reqwest::Method::POST,
            path,
            Some(body),
            &uuid::Uuid::new_v4().to_string(),
        )
        .await
    }

    /// Any request with a chosen request id.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        request_id: &str,
    ) -> Answer {
        let url = if path.starts_with("/v1/") {
            format!("{}{}", self.base.trim_end_matches("/v1"), path)
        } else {
            format!("{}{path}", self.base)
        };
        let mut request = self
            .http
            .request(method, url)
            .header("User-Agent", "sandbox-tests")
            .header("Cache-Control", "no-cache")
            .header("X-Bunq-Client-Request-Id", request_id)
            .header("X-Bunq-Geolocation", "0 0 0 0 NL")
            .header("X-Bunq-Language", "en_US")
            .header("X-Bunq-Region", "nl_NL");
        if let Some(token) = &self.token {
            request = request.header("X-Bunq-Client-Authentication", token);
        }
        if let Some(body) = body {
            let text = serde_json::to_vec(body).expect("json");
            if self.sign {
                request = request.header("X-Bunq-Client-Signature", sign(&text));
            }
            request = request
                .header("Content-Type", "application/json")
                .body(text);
        }
        let response = request.send().await.expect("request sent");
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.bytes().await.expect("body").to_vec(),
        }
    }

    /// Whether the answer's server signature verifies with the server key.
    pub fn verifies(&self, answer: &Answer) -> bool {
        let key = VerifyingKey::<Sha256>::new(self.server_key.clone().expect("installed"));
        let Some(header) = answer.header("x-bunq-server-signature") else {
            return false;
        };
        let bytes = STANDARD.decode(header).expect("base64");
        let signature = Signature::try_from(bytes.as_slice()).expect("signature");
        key.verify(&answer.body, &signature).is_ok()
    }

    /// Path of the user's resources.
    pub fn user_path(&self, rest: &str) -> String {
        format!("/user/{}{rest}", self.user_id)
    }
}

/// A device-server body with an API key.
pub fn device_body(api_key: &str) -> Value {
    json!({"description": "sandbox tests", "secret": api_key, "permitted_ips": ["*"]})
}

/// base64 PKCS#1 v1.5 SHA-256 signature with the client key.
pub fn sign(body: &[u8]) -> String {
    STANDARD.encode(
        SigningKey::<Sha256>::new(client_key().clone())
            .sign(body)
            .to_bytes(),
    )
}

/// POSTs JSON to an admin endpoint on a port root and returns the status.
pub async fn admin_post(root: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{root}{path}"))
        .json(body)
        .send()
        .await
        .expect("admin");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// GETs JSON from an admin endpoint.
pub async fn admin_get(root: &str, path: &str) -> Value {
    reqwest::get(format!("{root}{path}"))
        .await
        .expect("admin")
        .json()
        .await
        .expect("json")
}
