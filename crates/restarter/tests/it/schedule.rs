//! Restarts on a schedule label.

use std::time::Duration;

use test_support::TestDb;

use crate::helpers::{
    Running, TestContainer, config, docker, restarted, schedule_label, unique_prefix, wait_for_runs,
};

#[tokio::test]
async fn a_container_labelled_with_a_schedule_is_restarted_on_it_and_the_run_is_recorded() {
    let (docker, db, prefix) = (docker().await, TestDb::new().await, unique_prefix());
    let every_two_seconds = schedule_label(&prefix, "*/2 * * * * *");
    let container =
        TestContainer::start(&docker, &prefix, "scheduled", &[every_two_seconds], false).await;
    let before = container.started_at().await;

    let serve = Running::start(config(&prefix, &db));
    let was_restarted = restarted(&container, &before, Duration::from_secs(20)).await;
    let runs = wait_for_runs(&db, &container.name).await;
    serve.stop().await;

    assert!(was_restarted, "State.StartedAt did not change");
    assert!(container.running().await);
    let run = runs.first().expect("a recorded run");
    assert_eq!(run.get_str("trigger"), Ok("schedule"));
    assert_eq!(run.get_str("outcome"), Ok("succeeded"));
    db.drop_now().await;
}

#[tokio::test]
async fn a_schedule_does_not_restart_a_container_more_than_once_per_minimum_interval() {
    let (docker, db, prefix) = (docker().await, TestDb::new().await, unique_prefix());
    let every_second = schedule_label(&prefix, "* * * * * *");
    let container =
        TestContainer::start(&docker, &prefix, "debounced", &[every_second], false).await;
    let before = container.started_at().await;
    let mut config = config(&prefix, &db);
    config.min_interval = Duration::from_secs(3600);

    let serve = Running::start(config);
    assert!(
        restarted(&container, &before, Duration::from_secs(20)).await,
        "no first restart"
    );
    let after_first = container.started_at().await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let after_four_more_seconds = container.started_at().await;
    serve.stop().await;

    assert_eq!(
        after_first, after_four_more_seconds,
        "restarted again within the interval"
    );
    db.drop_now().await;
}

#[tokio::test]
async fn a_stopped_container_with_a_schedule_stays_stopped() {
    let (docker, db, prefix) = (docker().await, TestDb::new().await, unique_prefix());
    let every_second = schedule_label(&prefix, "* * * * * *");
    let container = TestContainer::start(&docker, &prefix, "stopped", &[every_second], false).await;
    container.stop().await;

    let serve = Running::start(config(&prefix, &db));
    tokio::time::sleep(Duration::from_secs(4)).await;
    serve.stop().await;

    assert!(
        !container.running().await,
        "a deliberately stopped container was started"
    );
    db.drop_now().await;
}
