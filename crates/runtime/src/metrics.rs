//! Prometheus metrics for every service: one process-wide recorder behind
//! the `metrics` facade, rendered in the text format from its handle, and a
//! small router with `/health` and `/metrics`. Always-on services merge the
//! router into their own; batch services serve it on a side listener
//! (`METRICS_PORT`) while `serve` runs.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::env;

/// The default port of the side listener of batch services.
pub const DEFAULT_METRICS_PORT: u16 = 9100;

/// Histogram buckets, in seconds, of every `*_duration_seconds` metric:
/// from a quick sync of one payment to a long training run.
const DURATION_BUCKETS: &[f64] = &[
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0,
];

/// Buckets of confidence-valued histograms (`*_confidence`).
const CONFIDENCE_BUCKETS: &[f64] = &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/// Work done right before each scrape, such as reading queue depths or a
/// client's request counters into gauges.
pub type Refresh = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// How often the recorder's buffered histogram samples are folded into
/// their histograms and summaries. The recorder keeps every raw sample
/// until then; a scrape folds them too, but most installations never
/// scrape, and a busy model server records a sample per request.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// Installs the process-wide recorder once and returns its handle; later
/// calls (several services or tests in one process) get the same handle.
///
/// # Errors
/// When another recorder was installed first.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle.clone());
    }
    let builder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), DURATION_BUCKETS)
        .and_then(|b| {
            b.set_buckets_for_metric(Matcher::Suffix("confidence".into()), CONFIDENCE_BUCKETS)
        })
        .context("invalid histogram buckets")?;
    let recorder = builder.build_recorder();
    let handle = recorder.handle();
    // Two threads racing here: the loser's recorder is refused, and it
    // uses the winner's handle.
    if ::metrics::set_global_recorder(recorder).is_ok() {
        let _ = HANDLE.set(handle.clone());
        keep_up(handle);
    }
    HANDLE
        .get()
        .cloned()
        .context("another metrics recorder is installed in this process")
}

/// Folds buffered samples every [`UPKEEP_INTERVAL`] on a small thread of
/// its own, for the life of the process (the recorder is process-wide).
fn keep_up(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".to_owned())
        .stack_size(256 * 1024)
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_INTERVAL);
                handle.run_upkeep();
            }
        });
    if let Err(error) = spawned {
        // Metrics still work: samples are then folded at each scrape only.
        tracing::warn!(error = %error, "could not start the metrics upkeep thread");
    }
}

/// What `/health` and `/metrics` need.
#[derive(Clone)]
struct Exporter {
    service: &'static str,
    handle: PrometheusHandle,
    refresh: Option<Refresh>,
}

/// A router with `GET /health` (`{"status":"ok","service":...}`) and
/// `GET /metrics` (Prometheus text), running `refresh` before each scrape.
///
/// # Errors
/// When the recorder cannot be installed.
pub fn router(service: &'static str, refresh: Option<Refresh>) -> anyhow::Result<Router> {
    let exporter = Exporter {
        service,
        handle: install()?,
        refresh,
    };
    Ok(Router::new()
        .route("/health", get(health))
        .route("/metrics", get(scrape))
        .with_state(exporter))
}

async fn health(State(exporter): State<Exporter>) -> impl IntoResponse {
    axum::Json(serde_json::json!({ "status": "ok", "service": exporter.service }))
}

async fn scrape(State(exporter): State<Exporter>) -> impl IntoResponse {
    if let Some(refresh) = &exporter.refresh {
        refresh().await;
    }
    exporter.handle.run_upkeep();
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        exporter.handle.render(),
    )
}

/// Where a batch service's side listener binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricsConfig {
    /// `0.0.0.0:METRICS_PORT` (default 9100; 0 picks a free port).
    pub address: SocketAddr,
}

impl MetricsConfig {
    /// Reads `METRICS_PORT`.
    ///
    /// # Errors
    /// When it is not a port number.
    pub fn from_env() -> anyhow::Result<Self> {
        let port: u16 = env::parsed_or("METRICS_PORT", DEFAULT_METRICS_PORT)?;
        Ok(Self {
            address: SocketAddr::from(([0, 0, 0, 0], port)),
        })
    }
}

/// Binds the side listener and serves `/health` and `/metrics` in a
/// background task until the process ends. Returns the bound address.
///
/// # Errors
/// When the port cannot be bound or the recorder cannot be installed.
pub async fn spawn_side_listener(
    config: MetricsConfig,
    service: &'static str,
    refresh: Option<Refresh>,
) -> anyhow::Result<SocketAddr> {
    let app = router(service, refresh)?;
    let listener = tokio::net::TcpListener::bind(config.address)
        .await
        .with_context(|| format!("could not bind METRICS_PORT at {}", config.address))?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::warn!(error = %error, "the metrics listener stopped");
        }
    });
    tracing::info!(metrics.address = %address, "serving /health and /metrics");
    Ok(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_side_listener_serves_health_and_counters_moved_by_the_facade() {
        let config = MetricsConfig {
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let address = spawn_side_listener(config, "test", None)
            .await
            .expect("listener");
        ::metrics::counter!("bunqynab_test_things_total").increment(3);

        let health = http_get(address, "/health").await;
        let metrics = http_get(address, "/metrics").await;

        assert!(health.contains("\"status\":\"ok\""), "{health}");
        assert!(
            metrics.contains("bunqynab_test_things_total 3"),
            "{metrics}"
        );
    }

    /// A plain HTTP/1.0 GET over TCP, so that `runtime` needs no HTTP client.
    async fn http_get(address: SocketAddr, path: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect");
        let request = format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.expect("read");
        answer
    }
}
