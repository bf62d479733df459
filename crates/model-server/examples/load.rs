//! A small load generator for the model-server benchmark
//! (`scripts/bench/model-server`): posts one JSON body to one loopback URL
//! from `concurrency` keep-alive connections, bounded by a request count
//! and a time limit, and prints throughput and latency percentiles as JSON.
//!
//! ```text
//! cargo run --release -p model-server --example load -- \
//!   URL BODY_FILE CONCURRENCY REQUESTS MAX_SECONDS
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::sync::Barrier;

/// Requests each connection sends before measuring starts.
const WARMUP_PER_CONNECTION: usize = 20;

struct Plan {
    url: String,
    body: Vec<u8>,
    concurrency: usize,
    requests: usize,
    limit: Duration,
}

fn plan() -> anyhow::Result<Plan> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, body, concurrency, requests, seconds] = args.as_slice() else {
        bail!("usage: load URL BODY_FILE CONCURRENCY REQUESTS MAX_SECONDS");
    };
    let loopback = ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"];
    if !loopback.iter().any(|prefix| url.starts_with(prefix)) {
        bail!("only loopback URLs are allowed, not {url}");
    }
    Ok(Plan {
        url: url.clone(),
        body: std::fs::read(body).with_context(|| format!("reading {body}"))?,
        concurrency: concurrency.parse().context("CONCURRENCY")?,
        requests: requests.parse().context("REQUESTS")?,
        limit: Duration::from_secs(seconds.parse().context("MAX_SECONDS")?),
    })
}

async fn send(client: &reqwest::Client, plan: &Plan) -> bool {
    let sent = client
        .post(&plan.url)
        .header("content-type", "application/json")
        .body(plan.body.clone())
        .send()
        .await;
    match sent {
        Ok(response) => {
            let ok = response.status().is_success();
            ok && response.bytes().await.is_ok()
        }
        Err(_) => false,
    }
}

/// One connection: warms up, waits for the others, then sends until the
/// shared budget or the time limit is used up; returns its latencies and
/// error count.
async fn connection(
    plan: Arc<Plan>,
    left: Arc<AtomicUsize>,
    ready: Arc<Barrier>,
) -> (Vec<Duration>, usize) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(1)
        .build()
        .unwrap_or_default();
    for _ in 0..WARMUP_PER_CONNECTION {
        send(&client, &plan).await;
    }
    ready.wait().await;
    let deadline = Instant::now() + plan.limit;
    let (mut latencies, mut errors) = (Vec::new(), 0);
    while Instant::now() < deadline
        && left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok()
    {
        let started = Instant::now();
        if send(&client, &plan).await {
            latencies.push(started.elapsed());
        } else {
            errors += 1;
        }
    }
    (latencies, errors)
}

fn percentile(sorted: &[Duration], share: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 * share).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let plan = Arc::new(plan()?);
    let left = Arc::new(AtomicUsize::new(plan.requests));
    // The connections and this task meet once every warm-up is done.
    let ready = Arc::new(Barrier::new(plan.concurrency + 1));
    let tasks: Vec<_> = (0..plan.concurrency)
        .map(|_| {
            let (plan, left, ready) = (Arc::clone(&plan), Arc::clone(&left), Arc::clone(&ready));
            tokio::spawn(connection(plan, left, ready))
        })
        .collect();
    ready.wait().await;
    let started = Instant::now();
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for task in tasks {
        let (l, e) = task.await.context("a connection task failed")?;
        latencies.extend(l);
        errors += e;
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let report = serde_json::json!({
        "requests": latencies.len(),
        "errors": errors,
        "concurrency": plan.concurrency,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "throughput_rps": (latencies.len() as f64 / seconds).round(),
        "p50_ms": (percentile(&latencies, 0.50) * 1000.0).round() / 1000.0,
        "p99_ms": (percentile(&latencies, 0.99) * 1000.0).round() / 1000.0,
    });
    println!("{report}");
    Ok(())
}
