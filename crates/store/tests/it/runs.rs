//! Run moments and the run history.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::run::{Outcome, RunRecord, Trigger};
use mongodb::bson::Bson;
use store::RunMoment;

use crate::helpers::{documents, store};

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, hour, 15, 30)
        .single()
        .expect("valid")
        + Duration::milliseconds(250)
}

#[tokio::test]
async fn run_moments_round_trip_as_bson_dates() {
    let (db, store) = store().await;
    let moment = RunMoment {
        source: "bunq_payments".into(),
        timestamp: at(10),
        server_knowledge: None,
    };

    assert_eq!(store.runmoment("bunq_payments").await.expect("read"), None);
    store.set_runmoment(&moment).await.expect("write");

    assert_eq!(
        store.runmoment("bunq_payments").await.expect("read"),
        Some(moment)
    );
    let stored = &documents(&db, "runmoments").await[0];
    assert!(
        matches!(stored.get("timestamp"), Some(Bson::DateTime(_))),
        "{stored}"
    );
    assert!(
        matches!(stored.get("updated_at"), Some(Bson::DateTime(_))),
        "{stored}"
    );
    db.drop_now().await;
}

#[tokio::test]
async fn a_later_run_moment_replaces_the_earlier_one_with_its_server_knowledge() {
    let (db, store) = store().await;
    let source = "ynab_transactions:b1".to_owned();
    let first = RunMoment {
        source: source.clone(),
        timestamp: at(10),
        server_knowledge: Some(41),
    };
    let second = RunMoment {
        source: source.clone(),
        timestamp: at(11),
        server_knowledge: Some(57),
    };

    store.set_runmoment(&first).await.expect("first");
    store.set_runmoment(&second).await.expect("second");

    assert_eq!(store.runmoment(&source).await.expect("read"), Some(second));
    let stored = documents(&db, "runmoments").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].get("server_knowledge"), Some(&Bson::Int64(57)));
    db.drop_now().await;
}

fn run(id: &str, job: &str, hour: u32) -> RunRecord {
    RunRecord {
        run_id: id.into(),
        job: job.into(),
        trigger: Trigger::Schedule,
        started_at: at(hour),
        ended_at: None,
        outcome: Outcome::Running,
        counts: BTreeMap::new(),
        error: None,
    }
}

#[tokio::test]
async fn runs_are_recorded_finished_and_listed_newest_first() {
    let (db, store) = store().await;
    for (id, job, hour) in [
        ("r1", "ingest", 6),
        ("r2", "ingest", 7),
        ("r3", "train", 8),
        ("r4", "ingest", 9),
    ] {
        store.insert_run(&run(id, job, hour)).await.expect("insert");
    }
    let mut finished = run("r2", "ingest", 7);
    finished.ended_at = Some(at(7) + Duration::seconds(42));
    finished.outcome = Outcome::Failed;
    finished.counts =
        BTreeMap::from([("bunq_payments".to_owned(), 12), ("enqueued".to_owned(), 3)]);
    finished.error = Some("bunq answered 503".into());

    store.finish_run(&finished).await.expect("finish");

    let recent = store.recent_runs("ingest", 2).await.expect("recent");
    let ids: Vec<&str> = recent.iter().map(|r| r.run_id.as_str()).collect();
    assert_eq!(ids, ["r4", "r2"]);
    assert_eq!(recent[1], finished);
    let stored = documents(&db, "runs").await;
    let r2 = stored
        .iter()
        .find(|d| d.get_str("run_id") == Ok("r2"))
        .expect("r2");
    assert!(matches!(r2.get("started_at"), Some(Bson::DateTime(_))));
    assert!(matches!(r2.get("ended_at"), Some(Bson::DateTime(_))));
    assert_eq!(r2.get_str("outcome"), Ok("failed"));
    db.drop_now().await;
}

#[tokio::test]
async fn finishing_a_run_whose_start_was_lost_still_records_it() {
    let (db, store) = store().await;
    let mut lost = run("r9", "sync", 12);
    lost.outcome = Outcome::Succeeded;
    lost.ended_at = Some(at(13));

    store.finish_run(&lost).await.expect("finish");

    assert_eq!(store.recent_runs("sync", 10).await.expect("recent"), [lost]);
    db.drop_now().await;
}

#[tokio::test]
async fn a_run_id_is_recorded_only_once() {
    let (db, store) = store().await;
    store
        .insert_run(&run("r1", "ingest", 6))
        .await
        .expect("insert");

    let again = store.insert_run(&run("r1", "ingest", 6)).await;

    let err = again.expect_err("duplicate run id");
    assert_eq!(err.to_string(), "insert on runs failed");
    db.drop_now().await;
}
