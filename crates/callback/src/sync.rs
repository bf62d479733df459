//! Syncing a payment right after its callback was answered. Payment ids
//! wait in a bounded channel for a few sync tasks, each of which runs the
//! sync worker's own one-payment path (enqueue, claim under a lease, plan,
//! create with the import id, record), so a callback has the worker's
//! exactly-once guarantee. The bounds keep memory flat under any burst: an
//! id already waiting is not queued twice, and when the channel is full the
//! payment simply stays `pending` in `payment_queue` for the sync worker.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use domain::run::Trigger;
use sync_worker::SyncWorker;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// What became of a submitted payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Submitted {
    /// A sync task will take it.
    Queued,
    /// It is waiting already (a repeated callback).
    AlreadyWaiting,
    /// The channel is full; the sync worker will take it from MongoDB.
    LeftForWorker,
}

/// The channel, the set of waiting ids and the tasks.
pub struct Syncer {
    sender: mpsc::Sender<i64>,
    waiting: Arc<Mutex<HashSet<i64>>>,
    stop: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Syncer {
    /// Starts `concurrency` sync tasks behind a channel of `capacity`.
    pub fn start(worker: Arc<SyncWorker>, capacity: usize, concurrency: usize) -> Self {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
        let waiting = Arc::new(Mutex::new(HashSet::new()));
        let (stop, stopped) = watch::channel(false);
        let tasks = (0..concurrency.max(1))
            .map(|_| {
                let task = SyncTask {
                    worker: worker.clone(),
                    receiver: receiver.clone(),
                    waiting: waiting.clone(),
                    stopped: stopped.clone(),
                };
                tokio::spawn(task.run())
            })
            .collect();
        Self {
            sender,
            waiting,
            stop,
            tasks: Mutex::new(tasks),
        }
    }

    /// Hands a stored, enqueued payment to the sync tasks.
    pub fn submit(&self, payment_id: i64) -> Submitted {
        let mut waiting = lock(&self.waiting);
        if !waiting.insert(payment_id) {
            return Submitted::AlreadyWaiting;
        }
        if self.sender.try_send(payment_id).is_err() {
            waiting.remove(&payment_id);
            metrics::counter!("callback_syncs_left_for_worker_total").increment(1);
            return Submitted::LeftForWorker;
        }
        metrics::gauge!("callback_syncs_waiting").set(waiting.len() as f64);
        Submitted::Queued
    }

    /// How many payments wait for a sync task now.
    pub fn waiting(&self) -> usize {
        lock(&self.waiting).len()
    }

    /// Lets the syncs in progress finish (up to `grace`), then stops the
    /// tasks. Payments still waiting stay `pending` in MongoDB.
    pub async fn shutdown(&self, grace: Duration) {
        let _ = self.stop.send(true);
        let tasks = std::mem::take(&mut *lock(&self.tasks));
        let all = join_all(tasks);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("syncs still running at shutdown; their leases will run out");
        }
    }
}

async fn join_all(tasks: Vec<JoinHandle<()>>) {
    for task in tasks {
        let _ = task.await;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// One sync task.
struct SyncTask {
    worker: Arc<SyncWorker>,
    receiver: Arc<tokio::sync::Mutex<mpsc::Receiver<i64>>>,
    waiting: Arc<Mutex<HashSet<i64>>>,
    stopped: watch::Receiver<bool>,
}

impl SyncTask {
    async fn run(mut self) {
        loop {
            let next = {
                let mut receiver = self.receiver.lock().await;
                tokio::select! {
                    id = receiver.recv() => id,
                    _ = self.stopped.wait_for(|stop| *stop) => None,
                }
            };
            let Some(payment_id) = next else { break };
            // Taken off the waiting set first: a callback arriving while
            // this sync runs queues the payment again, and the second sync
            // finds it synced (or leased) and leaves it alone.
            lock(&self.waiting).remove(&payment_id);
            self.sync(payment_id).await;
        }
    }

    async fn sync(&self, payment_id: i64) {
        let started = Instant::now();
        let result = self
            .worker
            .sync_payment_for(payment_id, false, Trigger::Callback)
            .await;
        let outcome = match &result {
            Ok(entry) => {
                let duration_ms = domain::time::millis(started.elapsed());
                tracing::info!(payment.id = payment_id, state = %entry.state, duration_ms,
                    "callback payment synced");
                match entry.state.as_str() {
                    store::SYNCED | store::SKIPPED | store::FAILED => entry.state.clone(),
                    _ => "other".to_owned(),
                }
            }
            Err(error) => {
                tracing::warn!(
                    payment.id = payment_id,
                    error = format!("{error:#}"),
                    "callback sync failed; the sync worker retries it"
                );
                "error".to_owned()
            }
        };
        metrics::counter!("callback_syncs_total", "outcome" => outcome).increment(1);
        metrics::histogram!("callback_sync_duration_seconds").record(started.elapsed());
    }
}
