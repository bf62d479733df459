//! The callback service: bunq posts a MUTATION callback, this service
//! checks where it comes from, fetches the payment bunq names, stores and
//! enqueues it, answers, and syncs it to YNAB at once through the sync
//! worker's own queue claim. `run` serves until shut down; `app` builds the
//! router over a ready [`AppState`] (tests use both).
#![doc = include_str!("../README.md")]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use bunq::BunqClient;
use store::Store;
use store::context::ContextRepo;
use sync_worker::SyncWorker;
use tokio::net::TcpListener;

pub mod config;
pub mod error;
pub mod notification;
pub mod openapi;
pub mod registration;
pub mod routes;
pub mod sync;
pub mod trust;

pub use config::CallbackConfig;

use sync::Syncer;
use trust::Trust;

/// How long shutdown waits for syncs in progress.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// What the handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    bunq: BunqClient,
    trust: Trust,
    body_limit: usize,
    syncer: Syncer,
}

impl AppState {
    /// Connects to MongoDB, builds the bunq, YNAB and model-server clients
    /// and starts the sync tasks.
    ///
    /// # Errors
    /// When MongoDB cannot be reached or a client cannot be built.
    pub async fn connect(config: CallbackConfig) -> anyhow::Result<Self> {
        let mut worker = SyncWorker::connect(config.sync).await?;
        // Payment outcomes, predictions and runs reach the metrics and the
        // failure webhook exactly as in the sync worker.
        sync_worker::ops::observe(&mut worker, config.notify)?;
        let store = worker.store.clone();
        let contexts = ContextRepo::new(store.database());
        let bunq = BunqClient::with_rate_limits(config.bunq, contexts, config.bunq_rate_limits)
            .context("could not build the bunq client")?;
        let syncer = Syncer::start(Arc::new(worker), config.sync_queue, config.sync_concurrency);
        tracing::info!(
            callback.host = %config.host, allowed = %config.trust.allowed,
            trusted_proxies = %config.trust.proxies, body_limit = config.body_limit,
            sync_queue = config.sync_queue, sync_concurrency = config.sync_concurrency,
            "callback service configured"
        );
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                bunq,
                trust: config.trust,
                body_limit: config.body_limit,
                syncer,
            }),
        })
    }

    /// MongoDB.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The bunq client.
    pub fn bunq(&self) -> &BunqClient {
        &self.inner.bunq
    }

    /// The source networks and trusted proxies.
    pub fn trust(&self) -> &Trust {
        &self.inner.trust
    }

    /// The largest body accepted, in bytes.
    pub fn body_limit(&self) -> usize {
        self.inner.body_limit
    }

    /// The sync tasks.
    pub fn syncer(&self) -> &Syncer {
        &self.inner.syncer
    }
}

/// The whole router: callbacks, `/health`, `/metrics`, `/openapi.json`
/// and `/docs`. Serve it with connection info
/// (`into_make_service_with_connect_info::<SocketAddr>()`): without it
/// every callback is refused.
///
/// # Errors
/// When the metrics recorder cannot be installed.
pub fn app(state: AppState) -> anyhow::Result<Router> {
    let syncer_state = state.clone();
    let refresh: runtime::metrics::Refresh = Arc::new(move || {
        let waiting = syncer_state.syncer().waiting();
        Box::pin(async move {
            metrics::gauge!("callback_syncs_waiting").set(waiting as f64);
        })
    });
    Ok(routes::callbacks(state)
        .merge(runtime::metrics::router("callback", Some(refresh))?)
        .merge(openapi::router()))
}

/// Binds `0.0.0.0:CALLBACK_PORT` and serves until `shutdown` resolves.
///
/// # Errors
/// As [`serve`], or when the port cannot be bound.
pub async fn run(
    config: CallbackConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let address = SocketAddr::from(([0, 0, 0, 0], config.port));
    let listener = TcpListener::bind(address)
        .await
        .with_context(|| format!("could not bind CALLBACK_PORT at {address}"))?;
    serve(config, listener, shutdown).await
}

/// Connects, registers the callback URL with bunq, and serves on
/// `listener` until `shutdown` resolves; then lets running syncs finish.
///
/// # Errors
/// When start-up fails: MongoDB, the clients, or registration (bunq's
/// limit of two MUTATION callbacks, bunq unreachable, no API context).
pub async fn serve(
    config: CallbackConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let url = config.callback_url();
    let state = AppState::connect(config).await?;
    registration::register(state.bunq(), state.store().database(), &url)
        .await
        .context("callback registration failed")?;

    let router = app(state.clone())?;
    let address = listener.local_addr()?;
    tracing::info!(%address, callback.url = %url, "callback service listening");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("the callback listener failed")?;

    state.syncer().shutdown(SHUTDOWN_GRACE).await;
    tracing::info!("callback service stopped");
    Ok(())
}
