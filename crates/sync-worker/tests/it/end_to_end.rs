//! Ingest, then drain: every payment of a linked account since the start
//! date is in sandbox YNAB exactly once, with the right fields; the rest is
//! skipped with its reason; transfers appear once, as transfers.

use chrono_tz::Europe::Amsterdam;
use domain::run::Trigger;
use domain::sync::{import_id, memo};
use domain::time::local_date;
use sandbox::household::BankPayment;
use sandbox::ynab::{Cleared, FlagColor};

use crate::helpers::TestApp;

/// What the household says should happen to a payment.
#[derive(Debug, PartialEq)]
enum Expected {
    Created,
    TransferCounterpart,
    Skipped(&'static str),
}

fn expected(app: &TestApp, p: &BankPayment) -> Expected {
    if p.created < app.start {
        return Expected::Skipped("before_start_date");
    }
    let Some((budget, _)) = app.linked_account(p.account_id) else {
        return Expected::Skipped("account_not_linked");
    };
    let other = p.counterparty.iban.as_ref().and_then(|iban| {
        let account = app
            .sandbox
            .household()
            .accounts
            .iter()
            .find(|a| &a.iban == iban)?;
        app.linked_account(account.id).filter(|(b, _)| *b == budget)
    });
    match other {
        Some(_) if p.amount.0 > 0 => Expected::TransferCounterpart,
        _ => Expected::Created,
    }
}

#[tokio::test]
async fn every_linked_payment_since_the_start_date_is_in_ynab_exactly_once_with_its_fields() {
    let app = TestApp::spawn().await;

    let summary = app.worker().drain(Trigger::Manual).await.expect("drain");

    let mut transfers = 0;
    for p in &app.sandbox.household().payments {
        let entry = app.entry(p.id).await;
        match expected(&app, p) {
            Expected::Created => {
                assert_eq!(app.ynab_count(p.id), 1, "payment {}", p.id);
                assert_eq!(entry.state, "synced", "{entry:?}");
                let txn = app.ynab_transaction(p.id).expect("created");
                assert_eq!(entry.ynab_transaction_id.as_deref(), Some(txn.id.as_str()));
                assert_eq!(txn.amount, p.amount);
                assert_eq!(txn.date, local_date(p.created, Amsterdam));
                assert_eq!(txn.memo, memo(&p.description));
                assert_eq!(
                    (txn.cleared, txn.approved, txn.flag_color),
                    (Cleared::Uncleared, false, Some(FlagColor::Blue))
                );
                let (_, account) = app.linked_account(p.account_id).expect("linked");
                assert_eq!(txn.account_id, account);
                if let Some(target) = &txn.transfer_account_id {
                    transfers += 1;
                    let mirror = txn
                        .transfer_transaction_id
                        .as_deref()
                        .and_then(|id| app.sandbox.ynab().transaction(id));
                    let mirror = mirror.expect("a transfer has its other side");
                    assert_eq!(
                        (&mirror.account_id, mirror.amount.0, &mirror.import_id),
                        (target, -p.amount.0, &None)
                    );
                } else {
                    let expected = domain::sync::UNKNOWN_PAYEE.to_owned();
                    let name = p.counterparty.name.clone().filter(|n| !n.trim().is_empty());
                    let name = name
                        .or_else(|| p.counterparty.iban.as_ref().map(ToString::to_string))
                        .unwrap_or(expected);
                    assert_eq!(
                        txn.import_payee_name.as_deref(),
                        Some(name.trim()),
                        "payment {}",
                        p.id
                    );
                }
            }
            Expected::TransferCounterpart => {
                assert_eq!(app.ynab_count(p.id), 0);
                assert_eq!(
                    (entry.state.as_str(), entry.reason.as_deref()),
                    ("skipped", Some("transfer_counterpart"))
                );
            }
            Expected::Skipped(code) => {
                assert_eq!(app.ynab_count(p.id), 0, "payment {}", p.id);
                assert_eq!(
                    (entry.state.as_str(), entry.reason.as_deref()),
                    ("skipped", Some(code)),
                    "payment {}",
                    p.id
                );
            }
        }
    }

    assert!(
        transfers > 0,
        "the household has transfers between linked accounts"
    );
    assert!(summary.created > 0 && summary.skipped > 0, "{summary:?}");
    assert!(summary.ynab_requests < 10, "bulk creates: {summary:?}");
    let runs = app.runs().await;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].get_str("outcome"), Ok("succeeded"));
    app.db.drop_now().await;
}

#[tokio::test]
async fn a_second_drain_and_a_second_ingest_create_nothing_new() {
    let app = TestApp::spawn().await;
    let worker = app.worker();
    let first = worker.drain(Trigger::Manual).await.expect("drain");

    app.ingest().await;
    let second = worker.drain(Trigger::Manual).await.expect("drain again");

    assert!(first.created > 0);
    assert_eq!((second.claimed, second.created), (0, 0), "{second:?}");
    let linked = app
        .sandbox
        .household()
        .payments
        .iter()
        .filter(|p| p.created >= app.start);
    for p in linked {
        assert!(app.ynab_count(p.id) <= 1, "payment {}", p.id);
    }
    let ids = app
        .store
        .ynab_transaction_by_import_id("nope", &import_id(1))
        .await
        .expect("lookup");
    assert_eq!(ids, None);
    app.db.drop_now().await;
}
