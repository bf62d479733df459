//! The model server: serves each YNAB budget's promoted category model over
//! the Open Inference Protocol (V2 REST), under the budget id, and swaps in
//! newly promoted versions within seconds, without a restart.
//!
//! - [`app`] builds the router (for `oneshot` tests), [`serve`] runs it
//!   with the live-reload watcher on a bound listener, [`run`] does both
//!   on `MODEL_SERVER_PORT` until a stop signal;
//! - [`codec`] decodes requests, [`registry`] holds the models,
//!   [`watch`] keeps them in step with MongoDB.
#![doc = include_str!("../README.md")]

pub mod codec;
pub mod config;
pub mod error;
pub mod openapi;
pub mod protocol;
pub mod registry;
pub mod routes;
pub mod watch;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use tokio::net::TcpListener;

pub use config::ServerConfig;
use error::ApiError;
use registry::{LoadedModel, Registry};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The models being served.
    pub registry: Arc<Registry>,
    /// The request body limit, for the 413 message.
    pub max_body_bytes: usize,
}

impl AppState {
    /// A state over `registry` with a body limit of `max_body_bytes`.
    pub fn new(registry: Arc<Registry>, max_body_bytes: usize) -> Self {
        Self {
            registry,
            max_body_bytes,
        }
    }

    /// The model served as `name`, if `version` (when given) is the one
    /// loaded.
    ///
    /// # Errors
    /// [`ApiError::NotFound`] naming the model or the version.
    pub fn model(&self, name: &str, version: Option<&str>) -> Result<Arc<LoadedModel>, ApiError> {
        let model = self
            .registry
            .get(name)
            .ok_or_else(|| ApiError::unknown_model(name))?;
        match version {
            Some(v) if v != model.version_label => Err(ApiError::unknown_version(name, v)),
            _ => Ok(model),
        }
    }
}

/// The router: V2 endpoints, Swagger UI at `/v2/docs`, and the project's
/// `/health` and `/metrics` (Prometheus) from `runtime::metrics`.
pub fn app(state: AppState) -> Router {
    let limit = state.max_body_bytes;
    let v2 = Router::new()
        .route("/v2", get(routes::metadata::server))
        .route("/v2/", get(routes::metadata::server))
        .route("/v2/health/live", get(routes::health::live))
        .route("/v2/health/ready", get(routes::health::ready))
        .route("/v2/models/{name}", get(routes::metadata::model))
        .route("/v2/models/{name}/ready", get(routes::health::model_ready))
        .route("/v2/models/{name}/infer", post(routes::infer::model))
        .route(
            "/v2/models/{name}/versions/{version}",
            get(routes::metadata::version),
        )
        .route(
            "/v2/models/{name}/versions/{version}/ready",
            get(routes::health::version_ready),
        )
        .route(
            "/v2/models/{name}/versions/{version}/infer",
            post(routes::infer::version),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(count_requests))
        .with_state(state);
    let v2 = v2.merge(openapi::swagger_ui());
    match runtime::metrics::router("model-server", None) {
        Ok(metrics) => v2.merge(metrics),
        Err(error) => {
            tracing::warn!(
                error = format!("{error:#}"),
                "no /metrics: the recorder could not be installed"
            );
            v2
        }
    }
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("no endpoint at {}", uri.path()))
}

/// Counts each request by route and status, and times it.
async fn count_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("model_server_http_requests_total", "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("model_server_http_request_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Serves on `listener` until `shutdown` resolves, loading models from the
/// configured MongoDB in the background: the server answers (live, not
/// ready) before MongoDB does.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: TcpListener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let registry = Arc::new(Registry::new());
    let state = AppState::new(Arc::clone(&registry), config.max_body_bytes);
    let watcher = tokio::spawn(watch_forever(config.clone(), registry));

    let address = listener.local_addr().context("listener has no address")?;
    tracing::info!(http.address = %address, poll_secs = config.poll_interval.as_secs(), max_body_bytes = config.max_body_bytes, "model server listening");
    let served = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
        .context("the HTTP server failed");
    watcher.abort();
    tracing::info!("model server stopped");
    served
}

/// Connects to MongoDB (retrying until it answers), then keeps the
/// registry in step with it.
async fn watch_forever(config: ServerConfig, registry: Arc<Registry>) {
    let store = connect(&config.mongo, config.poll_interval).await;
    let watcher = watch::Watcher::new(store, registry);
    watcher
        .run(config.poll_interval, std::future::pending())
        .await;
}

async fn connect(mongo: &store::MongoConfig, retry: Duration) -> store::Store {
    loop {
        match store::Store::connect(mongo).await {
            Ok(store) => return store,
            Err(error) => {
                tracing::warn!(
                    error = format!("{error:#}"),
                    retry_secs = retry.as_secs(),
                    "MongoDB unreachable; no models yet, retrying"
                );
                tokio::time::sleep(retry).await;
            }
        }
    }
}

/// Binds `MODEL_SERVER_PORT` on all interfaces and serves until Ctrl-C or
/// SIGTERM.
///
/// # Errors
/// When the port cannot be bound or the server fails.
pub async fn run(config: ServerConfig) -> anyhow::Result<()> {
    let listener = TcpListener::bind(("0.0.0.0", config.port))
        .await
        .with_context(|| format!("could not bind port {}", config.port))?;
    serve(listener, config, runtime::shutdown::signal()).await
}
