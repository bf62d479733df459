//! The operations dashboard: the run history of every job, the payment
//! queue with a retry button per failed payment, how bunq accounts link to
//! YNAB, the models per budget, the schedules with their next run, and
//! buttons for the manual runs, which call the same library code as the
//! CLIs and are recorded in `runs` with trigger `manual`. Server-rendered
//! HTML behind a password; `/health` and `/metrics` stay open for probes
//! and Prometheus.
#![doc = include_str!("../README.md")]

pub mod actions;
pub mod auth;
pub mod config;
pub mod error;
pub mod pages;
pub mod templates;

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::middleware;
use axum::response::Redirect;
use axum::routing::get;
use chrono_tz::Tz;
use runtime::schedule::Schedule;
use secrecy::{ExposeSecret, SecretString};
use store::Store;

pub use actions::Actions;
pub use config::DashboardConfig;

/// A job as the schedules page shows it.
#[derive(Clone, Debug)]
pub struct ScheduledJob {
    /// The job name in `runs` (`ingest`, `sync`, `train`, `restart`).
    pub job: String,
    /// The service (container) that runs it.
    pub service: String,
    /// When it runs, in words.
    pub description: String,
    /// Its cron schedule, for jobs that have one.
    pub schedule: Option<Schedule>,
}

/// What every handler shares; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    store: Store,
    password: [u8; 32],
    csrf: String,
    actions: Actions,
    schedules: Vec<ScheduledJob>,
    zone: Tz,
}

impl AppState {
    /// The state over a store, the password, the manual-run jobs and the
    /// schedules to show, with times shown in `zone`. A fresh CSRF token
    /// is drawn for the life of the process.
    pub fn new(
        store: Store,
        password: &SecretString,
        actions: Actions,
        schedules: Vec<ScheduledJob>,
        zone: Tz,
    ) -> Self {
        let csrf: [u8; 32] = rand::random();
        Self {
            inner: Arc::new(Shared {
                store,
                password: auth::digest(password.expose_secret().as_bytes()),
                csrf: csrf.iter().map(|b| format!("{b:02x}")).collect(),
                actions,
                schedules,
                zone,
            }),
        }
    }

    /// MongoDB.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The jobs manual runs start.
    pub fn actions(&self) -> &Actions {
        &self.inner.actions
    }

    /// The jobs and their schedules.
    pub fn schedules(&self) -> &[ScheduledJob] {
        &self.inner.schedules
    }

    /// The zone times are shown in.
    pub fn zone(&self) -> Tz {
        self.inner.zone
    }

    /// The token every form carries.
    pub fn csrf_token(&self) -> &str {
        &self.inner.csrf
    }

    pub(crate) fn password_digest(&self) -> &[u8; 32] {
        &self.inner.password
    }
}

/// The dashboard's routes: the pages and actions behind the password,
/// `/health` and `/metrics` open.
pub fn app(state: AppState) -> Router {
    let guarded = Router::new()
        .route("/", get(|| async { Redirect::to("/runs") }))
        .route("/runs", get(pages::runs::show))
        .route("/queue", get(pages::queue::show))
        .route("/accounts", get(pages::accounts::show))
        .route("/models", get(pages::models::show))
        .route("/schedules", get(pages::schedules::show))
        .route("/actions", get(pages::actions::show))
        .merge(actions::routes())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_password,
        ))
        .with_state(state.clone());
    match runtime::metrics::router("dashboard", Some(pages::queue::refresh_gauges(state))) {
        Ok(ops) => guarded.merge(ops),
        Err(error) => {
            tracing::warn!(
                error = format!("{error:#}"),
                "no /metrics: the recorder is taken"
            );
            guarded
        }
    }
}

/// Connects, builds the jobs and serves until SIGTERM or Ctrl-C.
///
/// # Errors
/// When MongoDB cannot be reached, a client cannot be built or the port
/// cannot be bound.
pub async fn run(config: DashboardConfig) -> anyhow::Result<()> {
    tracing::info!(
        address = %config.address,
        timezone = %config.timezone,
        notify.enabled = config.notify.url.is_some(),
        "dashboard configured"
    );
    let notifier = notify::Notifier::new(config.notify.clone())?;
    let observer = Arc::new(notify::OpsObserver::new(notifier));
    let schedules = schedules(&config);
    let store = Store::connect(&config.ingest.mongo)
        .await
        .context("could not connect to MongoDB")?
        .with_observer(observer.clone());
    let actions = Actions::connect(config.ingest, config.sync, config.trainer, observer).await?;
    let state = AppState::new(store, &config.password, actions, schedules, config.timezone);

    let listener = tokio::net::TcpListener::bind(config.address)
        .await
        .with_context(|| format!("could not bind DASHBOARD_PORT at {}", config.address))?;
    tracing::info!(address = %config.address, "dashboard serving");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(runtime::shutdown::signal())
        .await
        .context("the dashboard server failed")?;
    tracing::info!("dashboard stopped");
    Ok(())
}

/// The schedules page's jobs, from each service's own configuration.
fn schedules(config: &DashboardConfig) -> Vec<ScheduledJob> {
    let job =
        |job: &str, service: &str, description: String, schedule: Option<Schedule>| ScheduledJob {
            job: job.into(),
            service: service.into(),
            description,
            schedule,
        };
    let prefix = &config.restarter_label_prefix;
    vec![
        job(
            "ingest",
            "ingest",
            "INGEST_SCHEDULE; the sync worker drains right after".into(),
            Some(config.ingest.schedule.clone()),
        ),
        job(
            "sync",
            "sync-worker",
            format!(
                "continuously: woken by new queue entries, polling every {} ms",
                config.sync.queue.poll_interval.as_millis()
            ),
            None,
        ),
        job(
            "train",
            "trainer",
            "TRAINER_SCHEDULE".into(),
            Some(config.trainer.schedule.clone()),
        ),
        job(
            "restart",
            "restarter",
            format!(
                "per container label {prefix}.restart.schedule; at once when a container labelled {prefix}.autoheal=true turns unhealthy"
            ),
            None,
        ),
    ]
}
