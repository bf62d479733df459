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

/// Names of the containers Docker's own health filter lists as unhealthy
/// under the autoheal label, state not considered.
async fn listed_unhealthy_by_docker(docker: &bollard::Docker, prefix: &str) -> Vec<String> {
    use bollard::query_parameters::ListContainersOptions;
    let (key, value) = autoheal_label(prefix);
    let filters = std::collections::HashMap::from([
        ("label".to_owned(), vec![format!("{key}={value}")]),
        ("health".to_owned(), vec!["unhealthy".to_owned()]),
    ]);
    let options = ListContainersOptions {
        filters: Some(filters),
        ..Default::default()
    };
    let listed = docker
        .list_containers(Some(options))
        .await
        .expect("list containers");
    listed
        .into_iter()
        .flat_map(|c| c.names.unwrap_or_default())
        .map(|name| name.trim_start_matches('/').to_owned())
        .collect()
}

#[tokio::test]
async fn a_container_docker_is_restarting_is_not_listed_as_unhealthy() {
    let (docker, prefix) = (docker().await, unique_prefix());
    let labels = restarter::labels::Labels::new(&prefix).expect("valid prefix");
    let container =
        TestContainer::crash_looping(&docker, &prefix, "looping", &[autoheal_label(&prefix)]).await;
    // Docker's delay doubles from 100 ms, so the container soon waits in
    // `restarting` for long stretches. Both listings are judged within one
    // such stretch: same state and restart count before and after them.
    let mut judged = false;
    for _ in 0..400 {
        let before = container.status_and_restarts().await;
        if before.0 == "restarting" {
            let by_docker = listed_unhealthy_by_docker(&docker, &prefix).await;
            let ours = restarter::inventory::unhealthy(&docker, &labels)
                .await
                .expect("list unhealthy containers");
            if container.status_and_restarts().await == before {
                assert!(
                    by_docker.contains(&container.name),
                    "Docker's health filter alone lists the restarting container: {by_docker:?}"
                );
                assert!(
                    ours.iter().all(|(_, name)| name != &container.name),
                    "a container Docker is restarting was listed for a restart: {ours:?}"
                );
                judged = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        judged,
        "the container was never seen waiting in `restarting`"
    );
}

#[tokio::test]
async fn the_restarter_leaves_a_container_docker_is_restarting_to_docker() {
    let (docker, db, prefix) = (docker().await, TestDb::new().await, unique_prefix());
    let container =
        TestContainer::crash_looping(&docker, &prefix, "looping", &[autoheal_label(&prefix)]).await;
    // A poll every second while Docker restarts it (about every 0.4 to
    // 2 s, with waits in `restarting` that grow to over a second).
    let serve = Running::start(config(&prefix, &db));
    tokio::time::sleep(Duration::from_secs(8)).await;
    serve.stop().await;
    let (_, restarts) = container.status_and_restarts().await;

    assert!(
        restarts >= 4,
        "Docker restarted it {restarts} times: the test did not run as meant"
    );
    let runs = crate::helpers::finished_runs(&db, &container.name).await;
    assert!(
        runs.is_empty(),
        "the restarter restarted a container Docker was restarting: {runs:?}"
    );
    db.drop_now().await;
}
