//! Load: 1,000 callbacks for 500 payments (each sent twice) from 32
//! concurrent clients. Every payment ends in YNAB exactly once, with a
//! sync worker draining beside the service (as in production) to take what
//! the bounded sync channel leaves; the channel never holds more than its
//! capacity, and the process's resident memory stays within a bound.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use callback::AppState;
use futures::StreamExt;
use rand::seq::SliceRandom;

use crate::helpers::{BUNQ_SOURCE, TestApp, client_from, mutation, unlimited_sandbox_config};

const PAYMENTS: usize = 500;
const CHANNEL: usize = 64;
const CLIENTS: usize = 32;

/// Resident memory of this test process, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_callbacks_half_duplicates_end_in_ynab_exactly_once() {
    let app = TestApp::with(unlimited_sandbox_config()).await;
    let mut config = app.config("127.0.0.1:1", &format!("{BUNQ_SOURCE}/32"), "");
    config.sync_queue = CHANNEL;
    let state = AppState::connect(config).await.expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let router = callback::app(state.clone()).expect("router");
    tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service).await
    });
    let worker = Arc::new(app.worker());
    let (stop_worker, stopped) = tokio::sync::oneshot::channel::<()>();
    let drain = tokio::spawn(sync_worker::serve::serve(worker, async move {
        let _ = stopped.await;
    }));
    let account = app.a_linked_account();
    let ids: Vec<i64> = (0..PAYMENTS)
        .map(|n| app.add_silent_payment(account, &format!("-{}.{:02}", 1 + n % 50, n % 100)))
        .collect();
    let mut sends: Vec<i64> = ids.iter().chain(ids.iter()).copied().collect();
    sends.shuffle(&mut rand::thread_rng());
    let rss_before = rss_kib();

    let most_waiting = Arc::new(AtomicUsize::new(0));
    let sampler = {
        let (state, most) = (state.clone(), most_waiting.clone());
        tokio::spawn(async move {
            loop {
                most.fetch_max(state.syncer().waiting(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let clients: Vec<reqwest::Client> = (0..CLIENTS).map(|_| client_from(BUNQ_SOURCE)).collect();
    let url = format!("http://{addr}/payment");
    let statuses: Vec<u16> = futures::stream::iter(sends.into_iter().enumerate())
        .map(|(n, id)| {
            let (client, url) = (clients[n % CLIENTS].clone(), url.clone());
            async move {
                let answer = client.post(&url).json(&mutation(id, account)).send().await;
                answer.map_or(0, |r| r.status().as_u16())
            }
        })
        .buffer_unordered(CLIENTS)
        .collect()
        .await;

    assert_eq!(statuses.len(), 2 * PAYMENTS);
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let started = Instant::now();
    while ids.iter().any(|id| app.ynab_count(*id) == 0) {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not all payments synced"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for id in &ids {
        assert_eq!(app.ynab_count(*id), 1, "payment {id}");
    }
    sampler.abort();
    let most = most_waiting.load(Ordering::Relaxed);
    assert!(
        most <= CHANNEL,
        "{most} waiting, more than the channel holds"
    );
    let grown_mib = rss_kib().saturating_sub(rss_before) / 1024;
    eprintln!("most waiting {most}; resident memory grew {grown_mib} MiB");
    assert!(grown_mib < 256, "resident memory grew {grown_mib} MiB");
    let _ = stop_worker.send(());
    drain.await.expect("worker task").expect("worker stops");
}
