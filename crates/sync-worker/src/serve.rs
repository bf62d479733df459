//! `serve`: drain, then wait until something may be due. A change stream on
//! `payment_queue` wakes the worker the moment ingest (or the callback
//! service) enqueues a payment; a short poll covers standalone servers
//! without change streams, retries and deferrals coming due, and ingest runs
//! that re-open nothing. Stops between batches on SIGTERM or Ctrl-C.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use domain::run::Trigger;
use futures::StreamExt;
use mongodb::bson::{Document, doc};
use tokio::sync::Notify;
use tracing::{info, warn};

use crate::SyncWorker;
use crate::drain::DrainSummary;

/// Drains until `shutdown` resolves.
///
/// # Errors
/// Never for a failed drain (logged and recorded; the next one retries);
/// only if the worker cannot start.
pub async fn serve(
    worker: Arc<SyncWorker>,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let wake = Arc::new(Notify::new());
    let watcher = tokio::spawn(watch_queue(worker.clone(), wake.clone()));
    let stop = Arc::new(AtomicBool::new(false));
    tokio::pin!(shutdown);
    info!(worker = %worker.id, poll_ms = worker.queue.poll_interval.as_millis(), "sync worker serving");

    loop {
        let drain = drain_once(&worker, &stop);
        tokio::pin!(drain);
        tokio::select! {
            () = &mut drain => {}
            () = &mut shutdown => {
                // Let the batch in hand finish, then stop.
                stop.store(true, Ordering::Relaxed);
                drain.await;
                break;
            }
        }
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(worker.queue.poll_interval) => {}
            () = &mut shutdown => break,
        }
    }
    watcher.abort();
    info!(worker = %worker.id, "sync worker stopped");
    Ok(())
}

async fn drain_once(worker: &SyncWorker, stop: &AtomicBool) {
    let work = async {
        let mut summary = DrainSummary::default();
        let result = worker.drain_until(&mut summary, Some(stop)).await;
        (summary, result)
    };
    if let Err(error) = worker.recorded(Trigger::Schedule, false, work).await {
        warn!(
            error = format!("{error:#}"),
            "drain failed; the next one retries"
        );
    }
}

/// Wakes the loop on every new or re-opened entry, for as long as the
/// server offers a change stream.
async fn watch_queue(worker: Arc<SyncWorker>, wake: Arc<Notify>) {
    let queue = worker
        .store
        .database()
        .collection::<Document>(store::collections::PAYMENT_QUEUE);
    let pipeline = [doc! { "$match": { "$or": [
        { "operationType": { "$in": ["insert", "replace"] } },
        { "operationType": "update", "updateDescription.updatedFields.state": store::PENDING },
    ] } }];
    let mut stream = match queue.watch().pipeline(pipeline).await {
        Ok(stream) => stream,
        Err(error) => {
            info!(error = %error, "no change streams on this server; polling only");
            return;
        }
    };
    while let Some(event) = stream.next().await {
        match event {
            Ok(_) => wake.notify_one(),
            Err(error) => {
                warn!(error = %error, "the queue change stream ended; polling only");
                return;
            }
        }
    }
}
