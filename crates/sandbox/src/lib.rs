//! The sandbox plays bunq and YNAB over real HTTP, as strictly as the real
//! services (signatures, sessions, rate limits, pagination, validation),
//! serving a seeded household history, so that every part of the suite
//! runs and is tested without credentials.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let sandbox = sandbox::Sandbox::start(sandbox::SandboxConfig::with_seed(7)).await?;
//! println!("bunq at {}, YNAB at {}", sandbox.bunq_url(), sandbox.ynab_url());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Each port also serves test controls under `/_sandbox/` (see [`admin`]).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::middleware::from_fn_with_state;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub mod admin;
pub mod bunq;
pub mod callbacks;
pub mod cli;
pub mod config;
pub mod faults;
pub mod household;
pub mod rate_limit;
pub mod record;
pub mod ynab;

pub use config::{BunqLimits, CallbackRetry, SandboxConfig};
pub use household::{Household, HouseholdParams};

use admin::{AdminState, Shared};
use bunq::{BunqSettings, BunqState};
use callbacks::{CallbackSettings, Callbacks};
use faults::{FaultSet, Side};
use record::{Recorder, Recording};
use ynab::{YnabSettings, YnabState};

/// A running sandbox: both halves listening, until [`Sandbox::shutdown`]
/// or drop.
pub struct Sandbox {
    bunq_addr: SocketAddr,
    ynab_addr: SocketAddr,
    household: Arc<Household>,
    bunq: Arc<BunqState>,
    ynab: Arc<YnabState>,
    recorder: Arc<Recorder>,
    callbacks: Arc<Callbacks>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Starts both halves on the given listeners.
///
/// # Errors
/// When the server key cannot be made or a listener has no local address.
pub async fn spawn(
    config: SandboxConfig,
    bunq: TcpListener,
    ynab: TcpListener,
) -> anyhow::Result<Sandbox> {
    let (bunq_addr, ynab_addr) = (bunq.local_addr()?, ynab.local_addr()?);
    let callbacks = Arc::new(Callbacks::new(CallbackSettings {
        retry: config.callback_retry,
        source: config.callback_source,
        over_http: config.callback_over_http,
    })?);
    // Generation and the first RSA key take a moment of CPU: keep them off
    // the async workers.
    let (household, bunq_state, ynab_state) = tokio::task::spawn_blocking(move || build(&config))
        .await
        .context("the household generator panicked")??;

    let household = Arc::new(household);
    let shared = Arc::new(Shared {
        bunq: Arc::new(bunq_state),
        recorder: Arc::new(Recorder::default()),
        household: household.clone(),
        callbacks: callbacks.clone(),
    });
    let ynab_state = Arc::new(ynab_state);
    let (bunq_app, ynab_app) = apps(&shared, &ynab_state);

    let (stop, stopped) = watch::channel(false);
    let tasks = vec![
        serve(bunq, bunq_app, stopped.clone()),
        serve(ynab, ynab_app, stopped),
    ];
    tracing::info!(%bunq_addr, %ynab_addr, payments = household.payments.len(), "sandbox listening");
    Ok(Sandbox {
        bunq_addr,
        ynab_addr,
        household,
        bunq: shared.bunq.clone(),
        ynab: ynab_state,
        recorder: shared.recorder.clone(),
        callbacks,
        stop,
        tasks,
    })
}

/// Generates the household and both halves' state.
fn build(config: &SandboxConfig) -> anyhow::Result<(Household, BunqState, YnabState)> {
    let mut household = household::generate(&config.household);
    household.user.kind = config.user_kind;
    let bunq = BunqState::new(&household, bunq_settings(config))?;
    let ynab = YnabState::new(&household, ynab_settings(config));
    Ok((household, bunq, ynab))
}

fn bunq_settings(config: &SandboxConfig) -> BunqSettings {
    BunqSettings {
        api_key: config.bunq_api_key.clone(),
        session_timeout: std::time::Duration::from_secs(config.session_timeout_secs),
        user_kind: config.user_kind,
        limits: config.bunq_limits,
        rate_limits: config.rate_limits,
    }
}

fn ynab_settings(config: &SandboxConfig) -> YnabSettings {
    YnabSettings {
        hourly_limit: config.ynab_hourly_limit,
        enforce_rate_limit: config.rate_limits,
        clock: config.ynab_clock.clone(),
        ..YnabSettings::new(config.ynab_token.clone())
    }
}

/// Both ports' routers: each half with fault injection and recording,
/// plus the admin routes.
fn apps(shared: &Arc<Shared>, ynab_state: &Arc<YnabState>) -> (Router, Router) {
    let bunq_faults = Arc::new(FaultSet::new(Side::Bunq));
    let bunq_app = bunq::router(shared.bunq.clone(), bunq_faults.clone());
    let ynab_faults = Arc::new(FaultSet::new(Side::Ynab));
    // The YNAB router has no signing layer, so faults wrap it directly.
    let ynab_app = ynab::router(ynab_state.clone())
        .layer(from_fn_with_state(ynab_faults.clone(), faults::inject));
    (
        finish(bunq_app, Side::Bunq, bunq_faults, shared),
        finish(ynab_app, Side::Ynab, ynab_faults, shared),
    )
}

/// Adds recording around a half's API and the admin routes beside it.
fn finish(api: Router, side: Side, faults: Arc<FaultSet>, shared: &Arc<Shared>) -> Router {
    let recording = Recording {
        recorder: shared.recorder.clone(),
        side,
    };
    let admin = admin::router(AdminState {
        side,
        faults,
        shared: shared.clone(),
    });
    api.layer(from_fn_with_state(recording, record::record))
        .merge(admin)
}

fn serve(listener: TcpListener, app: Router, mut stopped: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let shutdown = async move {
            // Either a stop signal or the sender going away ends serving.
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        if let Err(error) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(%error, "sandbox listener failed");
        }
    })
}

impl Sandbox {
    /// Binds both halves to ephemeral ports on 127.0.0.1 and starts them.
    ///
    /// # Errors
    /// When binding fails or [`spawn`] does.
    pub async fn start(config: SandboxConfig) -> anyhow::Result<Self> {
        let localhost = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let bunq = TcpListener::bind(localhost)
            .await
            .context("binding the bunq port")?;
        let ynab = TcpListener::bind(localhost)
            .await
            .context("binding the YNAB port")?;
        spawn(config, bunq, ynab).await
    }

    /// bunq's base URL, `http://127.0.0.1:P/v1`.
    pub fn bunq_url(&self) -> String {
        format!("http://{}/v1", self.bunq_addr)
    }

    /// YNAB's base URL, `http://127.0.0.1:Q/v1`.
    pub fn ynab_url(&self) -> String {
        format!("http://{}/v1", self.ynab_addr)
    }

    /// The bunq port's root (for `/_sandbox/...`), `http://127.0.0.1:P`.
    pub fn bunq_root(&self) -> String {
        format!("http://{}", self.bunq_addr)
    }

    /// The YNAB port's root (for `/_sandbox/...`), `http://127.0.0.1:Q`.
    pub fn ynab_root(&self) -> String {
        format!("http://{}", self.ynab_addr)
    }

    /// The household as generated at start (ground truth for tests).
    pub fn household(&self) -> &Household {
        &self.household
    }

    /// The live bunq half (payments added at run time, sessions, filters).
    pub fn bunq(&self) -> &Arc<BunqState> {
        &self.bunq
    }

    /// The live YNAB half (transactions created by clients, knowledge).
    pub fn ynab(&self) -> &Arc<YnabState> {
        &self.ynab
    }

    /// The record of requests of both halves.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// Callback deliveries (payments created through the admin API).
    pub fn callbacks(&self) -> &Arc<Callbacks> {
        &self.callbacks
    }

    /// Stops listening and waits for open connections to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
