//! The worker's other duties: re-opening payments whose account got linked,
//! waiting (not failing) when YNAB's hourly budget is spent or a date is
//! still in YNAB's future, `sync-payment` without `--force`, and
//! `sync-account` through the real binary, each recorded in `runs`.

use chrono::{Duration as Days, Utc};
use classifier::ClassifierConfig;
use domain::run::Trigger;
use mongodb::bson::doc;
use tokio::process::Command;

use crate::helpers::{TestApp, quick_queue, yesterday, ynab_config};

#[tokio::test]
async fn payments_of_an_unlinked_account_sync_once_the_link_appears() {
    let app = TestApp::spawn().await;
    let account = app.an_unlinked_account();
    let worker = app.worker();
    let ids = app
        .add_payments(
            account,
            800_000_000,
            &["-5.00".to_owned(), "-6.00".to_owned()],
            yesterday(),
        )
        .await;
    worker.drain(Trigger::Manual).await.expect("drain");
    let skipped = app.entry(ids[0]).await;
    // The user writes the IBAN into the note of an open YNAB account.
    let iban = app.iban(account);
    let cash = app
        .collection("ynab_accounts")
        .find_one_and_update(
            doc! {"type": "cash", "closed": false},
            doc! {"$set": {"note": format!("bunq {iban}")}},
        )
        .await
        .expect("update")
        .expect("an open cash account");

    let summary = worker.drain(Trigger::Manual).await.expect("drain again");

    assert_eq!(
        (skipped.state.as_str(), skipped.reason.as_deref()),
        ("skipped", Some("account_not_linked"))
    );
    // The account's own history since the start date re-opens too.
    assert!(summary.reopened >= 2, "{summary:?}");
    for id in &ids {
        assert_eq!(app.ynab_count(*id), 1);
        let txn = app.ynab_transaction(*id).expect("created");
        assert_eq!(Some(txn.account_id.as_str()), cash.get_str("id").ok());
    }
    app.db.drop_now().await;
}

#[tokio::test]
async fn a_spent_hourly_budget_makes_payments_wait_instead_of_failing() {
    let (app, account) = TestApp::synced().await;
    let amounts: Vec<String> = (1..=250).map(|i| format!("-{i}.00")).collect();
    let ids = app
        .add_payments(account, 810_000_000, &amounts, yesterday())
        .await;
    let mut ynab = ynab_config(&app.sandbox);
    (ynab.hourly_limit, ynab.reserve) = (2, 1);
    let worker = test_support::sync_worker(
        app.store.clone(),
        ynab,
        ClassifierConfig::default(),
        quick_queue(),
    );

    let summary = worker.drain(Trigger::Manual).await.expect("drain");

    let entries = app.store.queue_entries(Some(&ids)).await.expect("entries");
    let synced = entries.iter().filter(|e| e.state == "synced").count();
    let waiting: Vec<_> = entries.iter().filter(|e| e.state == "pending").collect();
    // The window holds the ingest's requests too (YNAB's X-Rate-Limit
    // header reports them), so the budget runs out after one or two creates.
    assert!(
        synced >= 100 && synced % 100 == 0,
        "{synced} synced: {summary:?}"
    );
    assert_eq!(waiting.len(), 250 - synced, "the rest waits");
    assert!(
        waiting.iter().all(|e| e.attempts == 0),
        "waiting costs no attempt"
    );
    let deferred = waiting
        .iter()
        .filter(|e| e.next_attempt_at > Some(Utc::now()))
        .count();
    assert_eq!(deferred as u64, summary.deferred);
    assert!(summary.deferred > 0 && summary.failed == 0, "{summary:?}");
    app.db.drop_now().await;
}

#[tokio::test]
async fn a_payment_dated_in_ynabs_future_waits_for_that_utc_midnight() {
    let app = TestApp::spawn().await;
    let (account, _, _) = app.a_linked_account();
    let later = Utc::now() + Days::days(2);
    let id = app.add_payment(account, 820_000_000, "-1.00", later).await;

    app.worker().drain(Trigger::Manual).await.expect("drain");

    let entry = app.entry(id).await;
    let local = domain::time::local_date(later, chrono_tz::Europe::Amsterdam);
    let midnight = local.and_hms_opt(0, 0, 0).expect("valid").and_utc();
    assert_eq!(
        (entry.state.as_str(), entry.attempts, entry.next_attempt_at),
        ("pending", 0, Some(midnight))
    );
    assert_eq!(app.ynab_count(id), 0);
    app.db.drop_now().await;
}

#[tokio::test]
async fn sync_payment_without_force_leaves_a_synced_payment_alone() {
    let app = TestApp::spawn().await;
    let (account, _, _) = app.a_linked_account();
    let id = app
        .add_payment(account, 830_000_000, "-2.00", yesterday())
        .await;
    let worker = app.worker();
    let first = worker.sync_payment(id, false).await.expect("sync");
    let used = app.sandbox.ynab().requests_used();

    let again = worker.sync_payment(id, false).await.expect("sync again");

    assert_eq!(first.state, "synced");
    assert_eq!(again, first);
    assert_eq!(
        app.sandbox.ynab().requests_used(),
        used,
        "no request for a synced payment"
    );
    assert_eq!(app.ynab_count(id), 1);
    let unknown = worker.sync_payment(1, false).await.expect_err("not stored");
    assert!(
        unknown.to_string().contains("not in bunq_payments"),
        "{unknown:#}"
    );
    app.db.drop_now().await;
}

#[tokio::test]
async fn sync_account_through_the_binary_re_syncs_a_range_without_duplicates() {
    let (app, account) = TestApp::synced().await;
    let iban = app.iban(account);
    let day = (app.start + Days::days(5)).date_naive();
    let in_range = app
        .store
        .payments_of_account(account, Some(app.start), None)
        .await
        .expect("payments");

    let output = app
        .command(&[
            "sync-account",
            &iban,
            "--from",
            &day.to_string(),
            "--to",
            &(day + Days::days(10)).to_string(),
        ])
        .output()
        .await
        .expect("the binary runs");

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let counts: serde_json::Value = serde_json::from_slice(&output.stdout).expect("counts");
    assert!(counts["claimed"].as_i64().unwrap_or(0) > 0, "{counts}");
    assert_eq!(counts["created"], 0, "{counts}");
    for (id, _) in &in_range {
        assert!(app.ynab_count(*id) <= 1, "payment {id}");
    }
    let runs = app.runs().await;
    assert!(
        runs.iter().all(
            |r| r.get_str("trigger") == Ok("manual") && r.get_str("outcome") == Ok("succeeded")
        )
    );
    let bad = Command::new(env!("CARGO_BIN_EXE_sync-worker"))
        .args(["run"])
        .env_clear()
        .output()
        .await
        .expect("runs");
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("is not set"),
        "one clear line"
    );
    app.db.drop_now().await;
}
