//! Accounts, payments and notification filters, read and paged.

use bunq::{BunqError, DecodeError, NotificationFilter};
use domain::bunq::AccountType;
use serde_json::{Value, json};

use crate::helpers::{Bench, response_body, rule};

fn account_object(id: i64, iban: &str) -> Value {
    json!({
        "id": id, "created": "2023-01-01 10:00:00.000000", "updated": "2024-01-01 10:00:00.000000",
        "status": "ACTIVE", "description": format!("Account {id}"), "currency": "EUR",
        "balance": {"value": "10.00", "currency": "EUR"},
        "alias": [{"type": "IBAN", "value": iban, "name": "Robin"}]
    })
}

#[tokio::test]
async fn the_households_accounts_are_listed_with_their_types_and_ibans() {
    let bench = Bench::exchanged().await;

    let accounts = bench.client.monetary_accounts().await.expect("accounts");

    let household = &bench.sandbox.household().accounts;
    assert_eq!(accounts.len(), household.len());
    for expected in household {
        let account = accounts
            .iter()
            .find(|a| a.id == expected.id)
            .expect("listed");
        assert_eq!(account.account_type, expected.kind);
        assert_eq!(account.iban.as_ref(), Some(&expected.iban));
    }
    for kind in [AccountType::Bank, AccountType::Savings, AccountType::Joint] {
        assert!(accounts.iter().any(|a| a.account_type == kind), "{kind:?}");
    }
    bench.finish().await;
}

#[tokio::test]
async fn every_documented_account_type_is_read() {
    let bench = Bench::exchanged().await;
    let items: Vec<Value> = AccountType::ALL
        .iter()
        .zip(1..)
        .map(|(kind, id)| json!({ kind.wrapper_key(): account_object(id, "NL91ABNA0417164300") }))
        .collect();
    let body = response_body(items);
    bench
        .fault(rule("GET", 1, json!({"body": body, "status": 200})))
        .await;

    let accounts = bench.client.monetary_accounts().await.expect("accounts");

    let kinds: Vec<AccountType> = accounts.iter().map(|a| a.account_type).collect();
    assert_eq!(kinds, AccountType::ALL);
    bench.finish().await;
}

#[tokio::test]
async fn an_unknown_account_type_is_a_clear_error() {
    let bench = Bench::exchanged().await;
    let body = response_body(vec![
        json!({"MonetaryAccountMystery": account_object(1, "NL91ABNA0417164300")}),
    ]);
    bench
        .fault(rule("GET", 1, json!({"body": body, "status": 200})))
        .await;

    let err = bench
        .client
        .monetary_accounts()
        .await
        .expect_err("unknown type");

    let BunqError::Decode {
        source: DecodeError::Record(record),
        ..
    } = &err
    else {
        panic!("expected a record error, got {err}");
    };
    assert!(
        record.to_string().contains("MonetaryAccountMystery"),
        "{record}"
    );
    bench.finish().await;
}

/// The account with the most payments, and how many it has.
fn busiest_account(bench: &Bench) -> (i64, usize) {
    let bunq = bench.sandbox.bunq();
    bunq.accounts()
        .iter()
        .map(|account| (account.id, bunq.payment_count(account.id)))
        .max_by_key(|(_, count)| *count)
        .expect("accounts")
}

#[tokio::test]
async fn payments_page_through_more_than_two_hundred_newest_first() {
    let bench = Bench::exchanged().await;
    let (account, count) = busiest_account(&bench);
    assert!(
        count > 400,
        "the household should give one account over 400 payments, not {count}"
    );
    let user = bench.client.user_id().await.expect("user");

    let payments = bench
        .client
        .payments(account, None)
        .await
        .expect("payments");

    let expected: Vec<i64> = bench
        .sandbox
        .bunq()
        .payments(account)
        .iter()
        .rev()
        .map(|p| p.id)
        .collect();
    let got: Vec<i64> = payments.iter().map(|p| p.id).collect();
    assert_eq!(got, expected);
    assert!(payments.iter().all(|p| p.monetary_account_id == account));
    let path = format!("/v1/user/{user}/monetary-account/{account}/payment");
    assert_eq!(bench.statuses("GET", &path).len(), count.div_ceil(200));
    bench.finish().await;
}

#[tokio::test]
async fn paging_stops_at_the_delta_boundary() {
    let bench = Bench::exchanged().await;
    let (account, _) = busiest_account(&bench);
    let all = bench.sandbox.bunq().payments(account);
    let boundary = all[all.len() - 50].created;
    let user = bench.client.user_id().await.expect("user");

    let payments = bench
        .client
        .payments(account, Some(boundary))
        .await
        .expect("payments");

    let expected: Vec<i64> = all
        .iter()
        .rev()
        .take_while(|p| p.created > boundary)
        .map(|p| p.id)
        .collect();
    assert_eq!(payments.iter().map(|p| p.id).collect::<Vec<_>>(), expected);
    assert!(payments.iter().all(|p| p.created > boundary));
    let path = format!("/v1/user/{user}/monetary-account/{account}/payment");
    assert_eq!(bench.statuses("GET", &path).len(), 1);
    bench.finish().await;
}

#[tokio::test]
async fn one_payment_is_read_by_id_and_an_unknown_one_is_bunqs_404() {
    let bench = Bench::exchanged().await;
    let (account, _) = busiest_account(&bench);
    let known = bench.sandbox.bunq().payments(account)[3].clone();

    let payment = bench
        .client
        .payment(account, known.id)
        .await
        .expect("payment");
    let missing = bench
        .client
        .payment(account, 999_999_999)
        .await
        .expect_err("missing");

    assert_eq!(payment.id, known.id);
    assert_eq!(payment.amount, known.amount);
    assert_eq!(payment.created, known.created);
    assert!(
        matches!(missing, BunqError::Api { status: 404, .. }),
        "{missing}"
    );
    bench.finish().await;
}

#[tokio::test]
async fn notification_filters_are_replaced_and_read_back() {
    let bench = Bench::exchanged().await;
    let filters = vec![
        NotificationFilter::mutation("https://callback.example/payment"),
        NotificationFilter {
            category: "PAYMENT".to_owned(),
            notification_target: "https://callback.example/other".to_owned(),
        },
    ];

    bench
        .client
        .set_notification_filters(&filters)
        .await
        .expect("set");
    let read = bench.client.notification_filters().await.expect("read");

    // A set: bunq lists it newest first, like every listing.
    let read: std::collections::HashSet<_> = read.into_iter().collect();
    assert_eq!(read, filters.iter().cloned().collect());
    bench
        .client
        .set_notification_filters(&[])
        .await
        .expect("clear");
    assert!(
        bench
            .client
            .notification_filters()
            .await
            .expect("read")
            .is_empty()
    );
    bench.finish().await;
}

#[tokio::test]
async fn bunqs_refusal_of_too_many_filters_names_the_limit() {
    let bench = Bench::exchanged().await;
    let filters: Vec<NotificationFilter> = (0..3)
        .map(|i| NotificationFilter::mutation(format!("https://callback.example/{i}")))
        .collect();

    let err = bench
        .client
        .set_notification_filters(&filters)
        .await
        .expect_err("three");

    assert!(matches!(err, BunqError::Api { status: 400, .. }), "{err}");
    assert!(err.to_string().contains("at most 2"), "{err}");
    bench.finish().await;
}
