//! Stored documents come back as the domain records they were.

use domain::bunq::{AccountType, MonetaryAccount};
use domain::linking::BudgetAccount;
use mongodb::bson::{Document, doc};
use store::StoreError;

use crate::helpers::{budget, bunq_account_json, documents, payment, store, ynab_account};

#[tokio::test]
async fn bunq_accounts_round_trip_to_domain_types() {
    let (db, store) = store().await;
    let accounts: Vec<MonetaryAccount> = [
        (1, "MonetaryAccountBank"),
        (2, "MonetaryAccountSavings"),
        (3, "MonetaryAccountJoint"),
    ]
    .into_iter()
    .map(|(id, wrapper)| {
        MonetaryAccount::from_wrapped(&bunq_account_json(id, wrapper, "x")).expect("valid")
    })
    .collect();

    store.replace_bunq_accounts(&accounts).await.expect("store");

    assert_eq!(store.bunq_accounts().await.expect("read"), accounts);
    let stored = documents(&db, "bunq_accounts").await;
    let types: Vec<&str> = stored
        .iter()
        .filter_map(|d| d.get_str("account_type").ok())
        .collect();
    assert_eq!(
        types,
        [
            "MonetaryAccountBank",
            "MonetaryAccountSavings",
            "MonetaryAccountJoint"
        ]
    );
    assert_eq!(accounts[1].account_type, AccountType::Savings);
    db.drop_now().await;
}

#[tokio::test]
async fn a_payment_round_trips_and_a_missing_one_is_none() {
    let (db, store) = store().await;
    let original = payment(7, 1, "2024-05-01 10:11:12.123000");
    store
        .upsert_bunq_payments(std::slice::from_ref(&original))
        .await
        .expect("store");

    let found = store.bunq_payment(7).await.expect("read");

    assert_eq!(found, Some(original));
    assert_eq!(store.bunq_payment(8).await.expect("read"), None);
    db.drop_now().await;
}

#[tokio::test]
async fn microseconds_are_cut_to_milliseconds_on_the_way_back() {
    let (db, store) = store().await;
    store
        .upsert_bunq_payments(&[payment(7, 1, "2024-05-01 10:11:12.123456")])
        .await
        .expect("store");

    let found = store.bunq_payment(7).await.expect("read").expect("stored");

    assert_eq!(found.raw["created"], "2024-05-01 10:11:12.123000");
    assert_eq!(found.created.timestamp_subsec_micros(), 123_000);
    db.drop_now().await;
}

#[tokio::test]
async fn ynab_accounts_and_budgets_round_trip_to_domain_types() {
    let (db, store) = store().await;
    let accounts = [
        ynab_account("a1", Some("bunq NL91ABNA0417164300"), false),
        ynab_account("a2", None, true),
    ];
    let budgets = [budget("b1", "Home")];
    store
        .upsert_ynab_accounts("b1", &accounts)
        .await
        .expect("accounts");
    store.replace_ynab_budgets(&budgets).await.expect("budgets");

    let read = store.ynab_accounts().await.expect("read accounts");

    let expected: Vec<BudgetAccount> = accounts
        .iter()
        .map(|a| BudgetAccount {
            budget_id: "b1".into(),
            account: a.clone(),
        })
        .collect();
    assert_eq!(read, expected);
    assert_eq!(store.ynab_budgets().await.expect("read budgets"), budgets);
    db.drop_now().await;
}

#[tokio::test]
async fn a_document_that_no_longer_parses_is_reported_as_corrupt() {
    let (db, store) = store().await;
    store
        .upsert_ynab_accounts("b1", &[ynab_account("a1", None, false)])
        .await
        .expect("accounts");
    let accounts = db.database().collection::<Document>("ynab_accounts");
    accounts
        .update_one(doc! { "id": "a1" }, doc! { "$set": { "closed": "maybe" } })
        .await
        .expect("spoil");

    let err = store.ynab_accounts().await.expect_err("corrupt");

    assert!(
        matches!(&err, StoreError::Corrupt { collection, key, .. }
            if collection == "ynab_accounts" && key == "a1"),
        "{err}"
    );
    assert!(err.to_string().contains("invalid type"), "{err}");
    db.drop_now().await;
}
