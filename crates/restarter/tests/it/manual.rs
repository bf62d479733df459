//! `restart-now`, and restarts while MongoDB is down.

use std::time::Duration;

use restarter::manual::restart_now;
use test_support::TestDb;

use crate::helpers::{TestContainer, config, docker, schedule_label, unique_prefix, wait_for_runs};

#[tokio::test]
async fn restart_now_restarts_a_labelled_container_and_records_a_manual_run() {
    let (docker, db, prefix) = (docker().await, TestDb::new().await, unique_prefix());
    let nightly = schedule_label(&prefix, "0 0 4 * * *");
    let container = TestContainer::start(&docker, &prefix, "manual", &[nightly], false).await;
    let before = container.started_at().await;

    restart_now(&config(&prefix, &db), &container.name)
        .await
        .expect("restart succeeds");

    assert_ne!(container.started_at().await, before);
    let runs = wait_for_runs(&db, &container.name).await;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].get_str("trigger"), Ok("manual"));
    let counts = runs[0].get_document("counts").expect("counts");
    assert_eq!(counts.get_i64("restarted"), Ok(1));
    db.drop_now().await;
}

#[tokio::test]
async fn restart_now_refuses_a_container_without_the_labels() {
    let (docker, db, prefix) = (docker().await, TestDb::new().await, unique_prefix());
    let container = TestContainer::start(&docker, &prefix, "plain", &[], false).await;
    let before = container.started_at().await;

    let error = restart_now(&config(&prefix, &db), &container.name)
        .await
        .expect_err("refused");

    assert!(error.to_string().contains("leaves it alone"), "{error:#}");
    assert!(error.to_string().contains(&container.name));
    assert_eq!(container.started_at().await, before);
    db.drop_now().await;
}

#[tokio::test]
async fn a_restart_still_happens_when_mongodb_is_down() {
    let (docker, db, prefix) = (docker().await, TestDb::new().await, unique_prefix());
    let nightly = schedule_label(&prefix, "0 0 4 * * *");
    let container = TestContainer::start(&docker, &prefix, "nomongo", &[nightly], false).await;
    let before = container.started_at().await;
    let mut config = config(&prefix, &db);
    let mut unreachable = store::MongoConfig::new("mongodb://127.0.0.1:1/?connectTimeoutMS=500");
    unreachable.server_selection_timeout = Duration::from_millis(500);
    unreachable.connect_timeout = Duration::from_millis(500);
    config.mongo = Some(unreachable);

    restart_now(&config, &container.name)
        .await
        .expect("the restart succeeds without MongoDB");

    assert_ne!(container.started_at().await, before);
    db.drop_now().await;
}
