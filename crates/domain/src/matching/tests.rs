//! Unit tests of the matching rules.

use chrono_tz::Europe::Amsterdam;
use serde_json::{Value, json};

use super::*;
use crate::iban::Iban;

const ACCOUNT: i64 = 42;

fn settings() -> MatchSettings {
    MatchSettings {
        window_days: DEFAULT_WINDOW_DAYS,
        zone: Amsterdam,
    }
}

fn links() -> Vec<Link> {
    vec![Link {
        bunq_account_id: ACCOUNT,
        iban: Iban::parse("NL91ABNA0417164300").expect("valid IBAN"),
        budget_id: "b1".into(),
        ynab_account_id: "ya".into(),
        transfer_payee_id: None,
    }]
}

fn payment(id: i64, created: &str, amount: &str) -> Payment {
    Payment::from_json(&json!({
        "id": id, "monetary_account_id": ACCOUNT, "created": created, "updated": created,
        "amount": {"value": amount, "currency": "EUR"}, "description": "x",
        "type": "MASTERCARD", "sub_type": "PAYMENT"
    }))
    .expect("valid payment")
}

fn txn(id: &str, date: &str, amount: i64, extra: Value) -> Transaction {
    let mut value = json!({"id": id, "date": date, "amount": amount, "account_id": "ya",
                           "category_id": "groceries", "deleted": false});
    if let (Some(object), Some(more)) = (value.as_object_mut(), extra.as_object()) {
        object.extend(more.clone());
    }
    Transaction::from_json(&value).expect("valid transaction")
}

fn run(payments: &[Payment], transactions: &[Transaction]) -> MatchReport {
    match_transactions(payments, transactions, &links(), &settings())
}

#[test]
fn an_import_id_matches_exactly_even_when_the_date_and_amount_moved() {
    let payments = [payment(7, "2024-05-01 10:00:00.000000", "-12.34")];
    let transactions = [txn(
        "t1",
        "2024-05-20",
        -99_000,
        json!({"import_id": "BUNQ:7"}),
    )];

    let report = run(&payments, &transactions);

    assert_eq!(report.matches.len(), 1);
    assert_eq!(report.matches[0].method, MatchMethod::ImportId);
    assert_eq!(report.matches[0].day_offset, 19);
    assert_eq!(report.counts.exact, 1);
}

#[test]
fn history_matches_by_amount_and_the_local_date_of_a_late_evening_payment() {
    // 23:30 UTC on 30 April is 1 May in Amsterdam.
    let payments = [payment(7, "2024-04-30 23:30:00.000000", "-12.34")];
    let transactions = [txn("t1", "2024-05-01", -12_340, json!({}))];

    let report = run(&payments, &transactions);

    assert_eq!(report.matches[0].payment_id, 7);
    assert_eq!(report.matches[0].day_offset, 0);
    assert_eq!(report.matches[0].method, MatchMethod::DateWindow);
}

#[test]
fn the_nearest_date_wins_and_each_payment_is_used_once() {
    let payments = [
        payment(1, "2024-05-01 10:00:00.000000", "-5.00"),
        payment(2, "2024-05-03 10:00:00.000000", "-5.00"),
    ];
    let transactions = [
        txn("t1", "2024-05-03", -5_000, json!({})),
        txn("t2", "2024-05-02", -5_000, json!({})),
    ];

    let report = run(&payments, &transactions);

    let pairs: Vec<(&str, i64)> = report
        .matches
        .iter()
        .map(|m| (m.transaction_id.as_str(), m.payment_id))
        .collect();
    assert_eq!(pairs, [("t2", 1), ("t1", 2)]);
    assert_eq!(report.counts.tied, 0);
}

#[test]
fn ties_are_left_out_and_counted() {
    let payments = [
        payment(1, "2024-05-01 09:00:00.000000", "-3.00"),
        payment(2, "2024-05-01 17:00:00.000000", "-3.00"),
    ];
    let transactions = [
        txn("t1", "2024-05-01", -3_000, json!({})),
        txn("t2", "2024-05-01", -3_000, json!({})),
    ];

    let report = run(&payments, &transactions);

    assert!(report.matches.is_empty());
    assert_eq!(report.counts.tied, 2);
    assert_eq!(report.counts.unmatched, 0);
}

#[test]
fn dates_outside_the_window_and_other_amounts_do_not_match() {
    let payments = [payment(1, "2024-05-01 09:00:00.000000", "-3.00")];
    let transactions = [
        txn("t1", "2024-05-04", -3_000, json!({})),
        txn("t2", "2024-05-01", -3_010, json!({})),
    ];

    let report = run(&payments, &transactions);

    assert!(report.matches.is_empty());
    assert_eq!(report.counts.unmatched, 2);
}

#[test]
fn deleted_split_transfer_and_uncategorised_transactions_are_not_labels() {
    let payments: Vec<Payment> = (1..=4)
        .map(|i| payment(i, &format!("2024-05-0{i} 09:00:00.000000"), "-3.00"))
        .collect();
    let transactions = [
        txn("del", "2024-05-01", -3_000, json!({"deleted": true})),
        txn(
            "split",
            "2024-05-02",
            -3_000,
            json!({"subtransactions": [{"id": "s1"}]}),
        ),
        txn(
            "transfer",
            "2024-05-03",
            -3_000,
            json!({"transfer_account_id": "yb", "category_id": null}),
        ),
        txn("open", "2024-05-04", -3_000, json!({"category_id": null})),
    ];

    let report = run(&payments, &transactions);

    assert!(report.matches.is_empty());
    let c = report.counts;
    assert_eq!(
        (c.deleted, c.split, c.transfer, c.uncategorised),
        (1, 1, 1, 1)
    );
}

#[test]
fn an_uncategorised_transaction_still_claims_its_payment() {
    // Without the claim, the categorised transaction two days later would
    // take payment 1 and learn the wrong payee.
    let payments = [payment(1, "2024-05-01 09:00:00.000000", "-3.00")];
    let transactions = [
        txn("open", "2024-05-01", -3_000, json!({"category_id": null})),
        txn("late", "2024-05-03", -3_000, json!({})),
    ];

    let report = run(&payments, &transactions);

    assert!(report.matches.is_empty());
    assert_eq!(report.counts.uncategorised, 1);
    assert_eq!(report.counts.unmatched, 1);
}
