//! Live reload: a promotion during a stream of requests switches versions
//! with no failed request; a budget's first model is picked up; with
//! MongoDB gone the loaded models keep serving.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use test_support::TestDb;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::helpers::{BUDGET, TestServer, payment, small_model};

fn bakery_request() -> Value {
    classifier::infer_request(&[&payment(1, "-4.50", "Bakkerij de Test")])
}

/// What one client loop saw: (version, category) per answer, and failures.
#[derive(Default)]
struct Seen {
    answers: Vec<(String, String)>,
    failures: Vec<String>,
}

async fn client_loop(server: Arc<TestServer>, stop: Arc<AtomicBool>) -> Seen {
    let mut seen = Seen::default();
    let path = format!("/v2/models/{BUDGET}/infer");
    while !stop.load(Ordering::Relaxed) {
        let (status, body) = server.post(&path, &bakery_request()).await;
        if status != 200 {
            seen.failures.push(format!("{status} {body}"));
            continue;
        }
        let version = body["model_version"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let category = body["outputs"][0]["data"][0]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        seen.answers.push((version, category));
    }
    seen
}

#[tokio::test]
async fn a_promotion_during_a_stream_of_requests_switches_versions_with_no_failures() {
    let server = Arc::new(TestServer::start().await);
    let first = server.promote(BUDGET, &small_model(false)).await;
    server.wait_for(BUDGET, first).await;
    let newer = small_model(true);
    let stop = Arc::new(AtomicBool::new(false));
    let loops: Vec<_> = (0..8)
        .map(|_| tokio::spawn(client_loop(Arc::clone(&server), Arc::clone(&stop))))
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let promoted_at = Instant::now();
    let second = server.promote(BUDGET, &newer).await;
    let switched = server.wait_for(BUDGET, second).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for handle in loops {
        all.push(handle.await.expect("loop"));
    }

    assert!(
        switched < Duration::from_secs(5),
        "switched after {:?}",
        promoted_at.elapsed()
    );
    let (first, second) = (first.to_string(), second.to_string());
    for seen in &all {
        assert!(
            seen.failures.is_empty(),
            "failed requests: {:?}",
            seen.failures
        );
        // Each loop sees the old version, then only the new one.
        let switch = seen
            .answers
            .iter()
            .position(|(v, _)| *v == second)
            .expect("new version seen");
        assert!(
            seen.answers[..switch]
                .iter()
                .all(|(v, c)| *v == first && c == "cat-groceries")
        );
        assert!(
            seen.answers[switch..]
                .iter()
                .all(|(v, c)| *v == second && c == "cat-eating-out")
        );
        assert!(switch > 0, "the old version answered first");
    }
    Arc::try_unwrap(server)
        .ok()
        .expect("loops ended")
        .stop()
        .await;
}

#[tokio::test]
async fn a_budgets_first_model_is_served_without_a_restart() {
    let server = TestServer::start().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (not_ready, _) = server.get("/v2/health/ready").await;
    let (no_model, _) = server.get(&format!("/v2/models/{BUDGET}/ready")).await;
    let (live, _) = server.get("/v2/health/live").await;

    let version = server.promote(BUDGET, &small_model(false)).await;
    let waited = server.wait_for(BUDGET, version).await;
    let (ready, _) = server.get("/v2/health/ready").await;

    assert_eq!((live, not_ready, no_model), (200, 503, 404));
    assert_eq!(ready, 200);
    assert!(waited < Duration::from_secs(5), "took {waited:?}");
    server.stop().await;
}

/// A TCP proxy to MongoDB that can be cut, to play an outage.
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let cut = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(Mutex::new(Vec::new()));
        let (flag, held) = (Arc::clone(&cut), Arc::clone(&connections));
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if flag.load(Ordering::Relaxed) {
                    continue;
                }
                let target = target.clone();
                held.lock().await.push(tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                }));
            }
        });
        Self {
            port,
            cut,
            connections,
        }
    }

    async fn cut(&self) {
        self.cut.store(true, Ordering::Relaxed);
        for connection in self.connections.lock().await.drain(..) {
            connection.abort();
        }
    }
}

/// `host:port` of the first host of a MongoDB URI.
fn first_host(uri: &str) -> String {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(',').next().unwrap_or(host);
    if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:27017")
    }
}

#[tokio::test]
async fn with_mongodb_gone_the_loaded_models_keep_serving() {
    let db = TestDb::new().await;
    let proxy = Proxy::start(first_host(db.uri())).await;
    let through = format!("mongodb://127.0.0.1:{}/?directConnection=true", proxy.port);
    let server = TestServer::on(db, Some(through)).await;
    let version = server.promote(BUDGET, &small_model(false)).await;
    server.wait_for(BUDGET, version).await;

    proxy.cut().await;
    // Promoted while the server cannot see it: it must keep the old one.
    server.promote(BUDGET, &small_model(true)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (status, body) = server
        .post(&format!("/v2/models/{BUDGET}/infer"), &bakery_request())
        .await;
    let (ready, _) = server.get("/v2/health/ready").await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["model_version"], version.to_string());
    assert_eq!(ready, 200, "still ready with a model loaded");
    server.stop().await;
}
