//! Dates near midnight: YNAB takes a local date one day past its UTC today
//! (a payment at 00:30 in Amsterdam), and a date it refuses as "in the
//! future" waits for its UTC midnight instead of failing.

use chrono::{DateTime, Duration as Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use domain::run::Trigger;
use sandbox::ynab::Clock;

use crate::helpers::{TestApp, small_household};

/// Half past midnight in Amsterdam on the day after today in UTC: its
/// local date is one day past YNAB's UTC today.
fn half_past_midnight_tomorrow() -> (DateTime<Utc>, NaiveDate) {
    let tomorrow = Utc::now().date_naive().succ_opt().expect("a next day");
    let local = tomorrow.and_hms_opt(0, 30, 0).expect("valid");
    let created = Amsterdam
        .from_local_datetime(&local)
        .single()
        .expect("not a DST gap")
        .with_timezone(&Utc);
    (created, tomorrow)
}

#[tokio::test]
async fn a_local_date_one_day_past_utc_today_is_created_at_once() {
    let app = TestApp::spawn().await;
    let (account, _, _) = app.a_linked_account();
    let (created, local_date) = half_past_midnight_tomorrow();
    let id = app
        .add_payment(account, 860_000_000, "-3.10", created)
        .await;

    app.worker().drain(Trigger::Manual).await.expect("drain");

    let entry = app.entry(id).await;
    assert_eq!((entry.state.as_str(), entry.attempts), ("synced", 0));
    let transaction = app.ynab_transaction(id).expect("created in YNAB");
    assert_eq!(transaction.date, local_date, "the local date is kept");
    assert_eq!(app.ynab_count(id), 1);
    app.db.drop_now().await;
}

#[tokio::test]
async fn a_date_ynab_refuses_as_future_waits_for_its_utc_midnight_without_failing() {
    // A YNAB whose clock is a day behind refuses the date as in its future,
    // as a stricter reading of YNAB's rule (no day ahead) would.
    let mut config = small_household();
    config.ynab_clock = Clock::manual(Utc::now() - Days::days(1));
    let app = TestApp::with(config).await;
    let (account, _, _) = app.a_linked_account();
    let (created, local_date) = half_past_midnight_tomorrow();
    let id = app
        .add_payment(account, 870_000_000, "-3.20", created)
        .await;

    let before = Utc::now();
    let summary = app.worker().drain(Trigger::Manual).await.expect("drain");

    let entry = app.entry(id).await;
    let midnight = local_date.and_hms_opt(0, 0, 0).expect("valid").and_utc();
    let until = entry.next_attempt_at.expect("a time to try again");
    assert_eq!((entry.state.as_str(), entry.attempts), ("pending", 0));
    assert!(
        until == midnight || until >= before + Days::minutes(10),
        "waits for {midnight} (or ten minutes), not {until}"
    );
    assert_eq!(summary.failed, 0, "{summary:?}");
    assert!(summary.deferred >= 1, "{summary:?}");
    assert_eq!(app.ynab_count(id), 0);
    app.db.drop_now().await;
}
