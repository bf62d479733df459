//! `check`: what the restarter would manage.

use test_support::TestDb;

use crate::helpers::{
    TestContainer, autoheal_label, config, docker, schedule_label, unique_prefix,
};

#[tokio::test]
async fn check_lists_labelled_containers_with_their_next_restart_and_omits_others() {
    let (docker, db, prefix) = (docker().await, TestDb::new().await, unique_prefix());
    let nightly = schedule_label(&prefix, "0 0 4 * * *");
    let scheduled = TestContainer::start(&docker, &prefix, "nightly", &[nightly], false).await;
    let healing = TestContainer::start(
        &docker,
        &prefix,
        "healing",
        &[autoheal_label(&prefix)],
        false,
    )
    .await;
    let broken = TestContainer::start(
        &docker,
        &prefix,
        "broken",
        &[schedule_label(&prefix, "daily")],
        false,
    )
    .await;
    let _plain = TestContainer::start(&docker, &prefix, "plain", &[], false).await;
    let config = config(&prefix, &db);
    let now = chrono::Utc::now();

    let rows = restarter::check::check(&config, now)
        .await
        .expect("check succeeds");

    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            broken.name.as_str(),
            healing.name.as_str(),
            scheduled.name.as_str()
        ]
    );
    let nightly_row = &rows[2];
    let next = nightly_row.next.expect("a next restart");
    assert_eq!(next.format("%H:%M:%S").to_string(), "04:00:00");
    assert!(next.with_timezone(&chrono::Utc) > now);
    assert!(rows[1].autoheal && rows[1].next.is_none());
    assert!(
        rows[0]
            .schedule_error
            .as_deref()
            .is_some_and(|e| e.contains("\"daily\""))
    );
    let text = restarter::check::render(&config, &rows).join("\n");
    assert!(text.contains(&format!("{prefix}.restart.schedule=<cron>")));
    db.drop_now().await;
}
