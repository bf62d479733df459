//! Restarts of unhealthy containers that carry the autoheal label, and
//! only of those.

use std::time::Duration;

use test_support::TestDb;

use crate::helpers::{
    Running, TestContainer, autoheal_label, config, docker, eventually, restarted, unique_prefix,
    wait_for_runs,
};

#[tokio::test]
async fn an_unhealthy_autoheal_container_is_restarted_on_dockers_event() {
    let (docker, db, prefix) = (docker().await, TestDb::new().await, unique_prefix());
    let mut config = config(&prefix, &db);
    // Only the event can trigger the restart: the poll waits an hour
    // after its first, immediate sweep, which runs before the container
    // exists.
    config.poll_interval = Duration::from_secs(3600);
    let serve = Running::start(config);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let container = TestContainer::start(
        &docker,
        &prefix,
        "autoheal",
        &[autoheal_label(&prefix)],
        true,
    )
    .await;
    let before = container.started_at().await;
    let was_restarted = restarted(&container, &before, Duration::from_secs(20)).await;
    let runs = wait_for_runs(&db, &container.name).await;
    serve.stop().await;

    assert!(was_restarted, "State.StartedAt did not change");
    let run = runs.first().expect("a recorded run");
    assert_eq!(run.get_str("trigger"), Ok("health"));
    assert_eq!(run.get_str("outcome"), Ok("succeeded"));
    db.drop_now().await;
}

#[tokio::test]
async fn the_poll_restarts_an_unhealthy_container_whose_event_was_missed() {
    let (docker, db, prefix) = (docker().await, TestDb::new().await, unique_prefix());
    let container =
        TestContainer::start(&docker, &prefix, "missed", &[autoheal_label(&prefix)], true).await;
    let unhealthy = eventually(Duration::from_secs(20), || async {
        container.health().await == "unhealthy"
    })
    .await;
    assert!(unhealthy, "the test container never turned unhealthy");
    let before = container.started_at().await;

    let serve = Running::start(config(&prefix, &db));
    let was_restarted = restarted(&container, &before, Duration::from_secs(20)).await;
    serve.stop().await;

    assert!(was_restarted, "the poll did not restart it");
    db.drop_now().await;
}

#[tokio::test]
async fn an_unlabelled_unhealthy_container_is_left_alone() {
    let (docker, db, prefix) = (docker().await, TestDb::new().await, unique_prefix());
    let labelled = TestContainer::start(
        &docker,
        &prefix,
        "labelled",
        &[autoheal_label(&prefix)],
        true,
    )
    .await;
    let other_prefix = (format!("{prefix}-other.autoheal"), "true".to_owned());
    let unlabelled =
        TestContainer::start(&docker, &prefix, "unlabelled", &[other_prefix], true).await;
    let (labelled_before, unlabelled_before) =
        (labelled.started_at().await, unlabelled.started_at().await);

    let serve = Running::start(config(&prefix, &db));
    let labelled_restarted = restarted(&labelled, &labelled_before, Duration::from_secs(20)).await;
    // Several more polls and health events go by.
    tokio::time::sleep(Duration::from_secs(4)).await;
    serve.stop().await;

    assert!(
        labelled_restarted,
        "the labelled container was not restarted"
    );
    assert_eq!(unlabelled.health().await, "unhealthy");
    assert_eq!(
        unlabelled.started_at().await,
        unlabelled_before,
        "the unlabelled container was restarted"
    );
    db.drop_now().await;
}
