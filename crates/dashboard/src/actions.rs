//! Manual runs: ingest now, drain the queue now, train now, sync one
//! payment, re-sync an account over dates, and retry one failed payment.
//! Each calls the same library code as the CLI (`Ingest::run`,
//! `SyncWorker::{drain, sync_payment, sync_account}`, `Trainer::run`),
//! which records the run in `runs` with trigger `manual`. Runs start in a
//! background task; the answer redirects to the runs page at once. One run
//! per job at a time: a second click while one runs is refused.

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::Redirect;
use axum::routing::post;
use chrono::{NaiveDate, Utc};
use domain::Iban;
use domain::run::Trigger;
use ingest::{Ingest, IngestConfig};
use serde::Deserialize;
use store::StoreObserver;
use sync_worker::{SyncConfig, SyncWorker};
use tokio::sync::{Mutex, OwnedMutexGuard};
use trainer::{Trainer, TrainerConfig};

use crate::AppState;
use crate::auth::check_form;
use crate::error::DashboardError;

/// The jobs a manual run starts, each with a lock so only one runs at once.
#[derive(Clone)]
pub struct Actions {
    /// The ingest job.
    pub ingest: Arc<Ingest>,
    /// The sync worker (one payment, an account, or a whole drain).
    pub sync: Arc<SyncWorker>,
    /// The trainer.
    pub trainer: Arc<Trainer>,
    ingest_lock: Arc<Mutex<()>>,
    sync_lock: Arc<Mutex<()>>,
    train_lock: Arc<Mutex<()>>,
}

impl Actions {
    /// Actions over ready-made jobs (tests build them on the sandbox).
    pub fn new(ingest: Ingest, sync: SyncWorker, trainer: Trainer) -> Self {
        Self {
            ingest: Arc::new(ingest),
            sync: Arc::new(sync),
            trainer: Arc::new(trainer),
            ingest_lock: Arc::default(),
            sync_lock: Arc::default(),
            train_lock: Arc::default(),
        }
    }

    /// Connects each job as its CLI does, its store reporting to
    /// `observer` (metrics and failure notices).
    ///
    /// # Errors
    /// When MongoDB cannot be reached or a client cannot be built.
    pub async fn connect(
        ingest: IngestConfig,
        sync: SyncConfig,
        trainer: TrainerConfig,
        observer: Arc<dyn StoreObserver>,
    ) -> anyhow::Result<Self> {
        let mut ingest = Ingest::connect(ingest).await.context("ingest")?;
        ingest.store = ingest.store.clone().with_observer(observer.clone());
        let mut sync = SyncWorker::connect(sync).await.context("sync worker")?;
        sync.store = sync.store.clone().with_observer(observer.clone());
        let mut trainer = Trainer::connect(trainer).await.context("trainer")?;
        trainer.store = trainer.store.clone().with_observer(observer);
        Ok(Self::new(ingest, sync, trainer))
    }
}

/// The POST routes of the manual runs.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/actions/ingest", post(ingest_now))
        .route("/actions/drain", post(drain_now))
        .route("/actions/train", post(train_now))
        .route("/actions/sync-payment", post(sync_payment))
        .route("/actions/sync-account", post(sync_account))
        .route("/queue/{payment_id}/retry", post(retry_payment))
}

/// A form with nothing but its token.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    csrf: String,
}

/// Train now, for every budget or one.
#[derive(Debug, Deserialize)]
pub struct TrainForm {
    csrf: String,
    #[serde(default)]
    budget: String,
}

/// Sync one payment.
#[derive(Debug, Deserialize)]
pub struct PaymentForm {
    csrf: String,
    payment_id: String,
    #[serde(default)]
    force: Option<String>,
}

/// Re-sync an account over dates.
#[derive(Debug, Deserialize)]
pub struct AccountForm {
    csrf: String,
    iban: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// Takes a job's lock, or says the job is busy.
fn take(lock: &Arc<Mutex<()>>, job: &'static str) -> Result<OwnedMutexGuard<()>, DashboardError> {
    lock.clone()
        .try_lock_owned()
        .map_err(|_| DashboardError::Busy(job))
}

/// Runs `work` in the background, holding `guard`, logging its failure
/// (the run itself is recorded by the job).
fn spawn<F>(job: &'static str, guard: OwnedMutexGuard<()>, work: F)
where
    F: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    tokio::spawn(async move {
        let _guard = guard;
        match work.await {
            Ok(()) => tracing::info!(job, "manual run finished"),
            Err(error) => tracing::warn!(job, error = format!("{error:#}"), "manual run failed"),
        }
    });
}

async fn ingest_now(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Result<Redirect, DashboardError> {
    check_form(&state, &headers, &form.csrf)?;
    let actions = state.actions().clone();
    let guard = take(&actions.ingest_lock, "ingest")?;
    spawn("ingest", guard, async move {
        actions.ingest.run(Trigger::Manual).await?;
        // As after a scheduled ingest: drain what it enqueued.
        let _sync = actions.sync_lock.lock().await;
        actions.sync.drain(Trigger::Manual).await.map(|_| ())
    });
    Ok(Redirect::to("/runs?started=ingest"))
}

async fn drain_now(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Result<Redirect, DashboardError> {
    check_form(&state, &headers, &form.csrf)?;
    let actions = state.actions().clone();
    let guard = take(&actions.sync_lock, "sync")?;
    spawn("sync", guard, async move {
        actions.sync.drain(Trigger::Manual).await.map(|_| ())
    });
    Ok(Redirect::to("/runs?started=sync"))
}

async fn train_now(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<TrainForm>,
) -> Result<Redirect, DashboardError> {
    check_form(&state, &headers, &form.csrf)?;
    let budget = Some(form.budget.trim().to_owned()).filter(|b| !b.is_empty());
    let actions = state.actions().clone();
    let guard = take(&actions.train_lock, "train")?;
    spawn("train", guard, async move {
        actions
            .trainer
            .run(Trigger::Manual, budget.as_deref())
            .await
            .map(|_| ())
    });
    Ok(Redirect::to("/runs?started=train"))
}

async fn sync_payment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<PaymentForm>,
) -> Result<Redirect, DashboardError> {
    check_form(&state, &headers, &form.csrf)?;
    let payment_id = parse_payment_id(&form.payment_id)?;
    let force = form.force.is_some();
    let guard = take(&state.actions().sync_lock, "sync")?;
    start_payment_sync(&state, guard, payment_id, force);
    Ok(Redirect::to("/runs?started=sync"))
}

async fn retry_payment(
    State(state): State<AppState>,
    Path(payment_id): Path<i64>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Result<Redirect, DashboardError> {
    check_form(&state, &headers, &form.csrf)?;
    let guard = take(&state.actions().sync_lock, "sync")?;
    // Back to pending with fresh attempts, then synced now, as a
    // `sync-worker sync-payment` would.
    let requeued = state.store().requeue(&[payment_id], Utc::now()).await?;
    if requeued == 0 {
        return Err(DashboardError::BadInput(format!(
            "payment {payment_id} has no queue entry that can be retried now"
        )));
    }
    tracing::info!(
        payment.id = payment_id,
        "payment retried from the dashboard"
    );
    start_payment_sync(&state, guard, payment_id, false);
    Ok(Redirect::to("/queue?retried=1"))
}

fn start_payment_sync(state: &AppState, guard: OwnedMutexGuard<()>, payment_id: i64, force: bool) {
    let actions = state.actions().clone();
    spawn("sync", guard, async move {
        actions
            .sync
            .sync_payment(payment_id, force)
            .await
            .map(|_| ())
    });
}

async fn sync_account(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<AccountForm>,
) -> Result<Redirect, DashboardError> {
    check_form(&state, &headers, &form.csrf)?;
    let iban =
        Iban::parse(&form.iban).map_err(|e| DashboardError::BadInput(format!("IBAN: {e}")))?;
    let from = parse_date("from", &form.from)?;
    let to = parse_date("to", &form.to)?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(DashboardError::BadInput(format!(
            "from {from} is after to {to}"
        )));
    }
    let actions = state.actions().clone();
    let guard = take(&actions.sync_lock, "sync")?;
    spawn("sync", guard, async move {
        actions.sync.sync_account(&iban, from, to).await.map(|_| ())
    });
    Ok(Redirect::to("/runs?started=sync"))
}

fn parse_payment_id(text: &str) -> Result<i64, DashboardError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            DashboardError::BadInput(format!("payment id {text:?} is not a positive number"))
        })
}

fn parse_date(field: &str, text: &str) -> Result<Option<NaiveDate>, DashboardError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    domain::time::parse_date(text)
        .map(Some)
        .map_err(|e| DashboardError::BadInput(format!("{field} date {text:?}: {e}")))
}
