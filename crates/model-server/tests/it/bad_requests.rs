//! Bad input: malformed, wrong-shaped, oversize and unknown-model requests
//! get the right 4xx with a V2 error body, and a generated set of broken
//! requests never gets a 5xx.

use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::helpers::{BUDGET, payment, small_model, state_with};

const LIMIT: usize = 64 * 1024;

async fn spawn_app() -> (String, reqwest::Client) {
    let app = model_server::app(state_with(small_model(false), LIMIT));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, reqwest::Client::new())
}

fn valid() -> Value {
    let (a, b) = (
        payment(1, "-4.50", "Bakkerij de Test"),
        payment(2, "-61.20", "Albert Heijn"),
    );
    classifier::infer_request(&[&a, &b])
}

/// Posts raw bytes; returns the status and the parsed body.
async fn post(client: &reqwest::Client, url: &str, body: Vec<u8>) -> (u16, Value) {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn assert_v2_error(status: u16, body: &Value, what: &str) {
    let fields = body.as_object().map(|o| o.len());
    assert!(
        body["error"].is_string() && fields == Some(1),
        "{what}: {status} with {body}"
    );
}

#[tokio::test]
async fn each_kind_of_bad_request_gets_its_status_and_an_error_body() {
    let (url, client) = spawn_app().await;
    let infer = format!("{url}/v2/models/{BUDGET}/infer");
    let mut wrong_shape = valid();
    wrong_shape["inputs"][0]["shape"] = json!([1, 2]);
    let mut uneven = valid();
    uneven["inputs"][1]["shape"] = json!([1, 1]);
    uneven["inputs"][1]["data"] = json!([uneven["inputs"][1]["data"][0]]);
    let mut bad_json_cell = valid();
    bad_json_cell["inputs"][2]["data"][0] = json!("{not json");
    let mut id_number = valid();
    id_number["id"] = json!(5);
    let cases: Vec<(&str, String, Vec<u8>, u16)> = vec![
        ("not JSON", infer.clone(), b"hello".to_vec(), 400),
        ("empty body", infer.clone(), Vec::new(), 400),
        (
            "truncated",
            infer.clone(),
            valid().to_string().as_bytes()[..40].to_vec(),
            400,
        ),
        ("an array", infer.clone(), b"[1,2]".to_vec(), 422),
        ("no inputs member", infer.clone(), b"{}".to_vec(), 422),
        (
            "a numeric id",
            infer.clone(),
            id_number.to_string().into_bytes(),
            422,
        ),
        (
            "wrong shape",
            infer.clone(),
            wrong_shape.to_string().into_bytes(),
            400,
        ),
        (
            "uneven rows",
            infer.clone(),
            uneven.to_string().into_bytes(),
            400,
        ),
        (
            "bad pd_json",
            infer.clone(),
            bad_json_cell.to_string().into_bytes(),
            400,
        ),
        ("oversize", infer.clone(), vec![b' '; LIMIT + 1], 413),
        (
            "unknown model",
            format!("{url}/v2/models/nope/infer"),
            valid().to_string().into_bytes(),
            404,
        ),
        (
            "unknown version",
            format!("{url}/v2/models/{BUDGET}/versions/9/infer"),
            valid().to_string().into_bytes(),
            404,
        ),
        ("unknown path", format!("{url}/v2/nothing"), Vec::new(), 404),
    ];

    for (what, target, body, expected) in cases {
        let (status, answer) = post(&client, &target, body).await;

        assert_eq!(status, expected, "{what}: {answer}");
        assert_v2_error(status, &answer, what);
    }
}

/// A tiny deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn oddity(rng: &mut Rng) -> Value {
    let palette = [
        json!(null),
        json!(1),
        json!(-1),
        json!(1.5e308),
        json!("x"),
        json!(""),
        json!([]),
        json!({}),
        json!([[[[1]]]]),
        json!(true),
        json!([1, 2, 3]),
        json!(["{", "}"]),
        json!([-5, 1]),
        json!([0]),
        json!([1_000_000_000_000i64, 1]),
        json!("INT64"),
        json!("BYTES"),
        json!({"content_type": "pd_json"}),
        json!(u64::MAX),
    ];
    palette[rng.below(palette.len())].clone()
}

/// A broken variant of a valid request: cut, a byte changed, or one member
/// of one input (or of the request) replaced by an odd value.
fn mutate(rng: &mut Rng) -> Vec<u8> {
    let mut request = valid();
    match rng.below(4) {
        0 => {
            let text = request.to_string().into_bytes();
            text[..rng.below(text.len())].to_vec()
        }
        1 => {
            let mut text = request.to_string().into_bytes();
            let at = rng.below(text.len());
            let bytes = b"{}[]\",:0aZ\\ ";
            text[at] = bytes[rng.below(bytes.len())];
            text
        }
        2 => {
            let input = rng.below(13);
            let member = ["name", "shape", "datatype", "data", "parameters"][rng.below(5)];
            request["inputs"][input][member] = oddity(rng);
            request.to_string().into_bytes()
        }
        _ => {
            let member = ["inputs", "outputs", "parameters", "id"][rng.below(4)];
            request[member] = oddity(rng);
            request.to_string().into_bytes()
        }
    }
}

#[tokio::test]
async fn a_generated_set_of_broken_requests_never_gets_a_server_error() {
    let (url, client) = spawn_app().await;
    let infer = format!("{url}/v2/models/{BUDGET}/infer");
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut refused = 0;

    for case in 0..400 {
        let body = mutate(&mut rng);
        let shown = String::from_utf8_lossy(&body)
            .chars()
            .take(300)
            .collect::<String>();

        let (status, answer) = post(&client, &infer, body).await;

        assert!(status < 500, "case {case}: {status} {answer} for {shown}");
        if status != 200 {
            assert!(
                [400, 404, 413, 422].contains(&status),
                "case {case}: {status} for {shown}"
            );
            assert_v2_error(status, &answer, &shown);
            refused += 1;
        }
    }
    assert!(refused > 200, "most mutations are refused, {refused} were");
}
