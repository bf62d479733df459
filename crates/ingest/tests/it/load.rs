//! What a run stores: exactly the sandbox's data, deltas afterwards, and
//! new payments enqueued once.

use domain::run::Trigger;
use mongodb::bson::{Bson, doc};

use crate::helpers::TestApp;

#[tokio::test]
async fn a_first_run_stores_exactly_the_sandbox_household_and_enqueues_every_payment() {
    let app = TestApp::spawn().await;
    let truth = app.truth();

    let summary = app.ingest.run(Trigger::Manual).await.expect("run succeeds");

    assert_eq!(
        app.count("bunq_accounts", doc! {}).await,
        truth.bunq_accounts
    );
    assert_eq!(
        app.count("bunq_payments", doc! {}).await,
        truth.bunq_payments
    );
    assert_eq!(app.count("ynab_budgets", doc! {}).await, truth.budgets);
    assert_eq!(
        app.count("ynab_accounts", doc! {}).await,
        truth.ynab_accounts
    );
    assert_eq!(
        app.count("ynab_categories", doc! {"deleted": false}).await,
        truth.categories
    );
    assert_eq!(
        app.count("ynab_transactions", doc! {}).await,
        truth.transactions
    );
    assert_eq!(
        app.count("payment_queue", doc! {}).await,
        truth.bunq_payments
    );
    assert_eq!(
        app.count("payment_queue", doc! {"state": "pending"}).await,
        truth.bunq_payments
    );
    assert_eq!(summary["enqueued"], truth.bunq_payments as i64);
    assert_eq!(
        app.count("runs", doc! {"job": "ingest", "outcome": "succeeded"})
            .await,
        1
    );
}

#[tokio::test]
async fn stored_documents_keep_the_source_fields_with_bson_dates() {
    let app = TestApp::spawn().await;
    app.ingest.run(Trigger::Manual).await.expect("run succeeds");
    let household = app.sandbox.household();
    let sample = &household.payments[household.payments.len() / 2];

    let stored = app
        .collection("bunq_payments")
        .find_one(doc! {"id": sample.id})
        .await
        .expect("query")
        .expect("the sample payment is stored");

    assert_eq!(
        stored.get_i64("monetary_account_id").expect("account id"),
        sample.account_id
    );
    let amount = stored.get_document("amount").expect("amount object");
    assert_eq!(
        amount.get_str("value").expect("value string"),
        sample.amount.to_decimal_string(2)
    );
    assert_eq!(amount.get_str("currency").expect("currency"), "EUR");
    assert_eq!(
        stored.get_str("description").expect("description"),
        sample.description
    );
    assert_eq!(stored.get_str("type").expect("type"), sample.payment_type);
    let Some(Bson::DateTime(created)) = stored.get("created") else {
        panic!("created is not a BSON date: {:?}", stored.get("created"));
    };
    assert_eq!(
        created.timestamp_millis(),
        sample.created.timestamp_millis()
    );
    assert!(stored.get_document("counterparty_alias").is_ok());

    let budget = &household.budgets[0];
    let txn = &budget.transactions[0];
    let stored = app
        .collection("ynab_transactions")
        .find_one(doc! {"id": &txn.id})
        .await
        .expect("query")
        .expect("the sample transaction is stored");
    assert_eq!(stored.get_str("budget_id").expect("budget id"), budget.id);
    assert_eq!(stored.get_i64("amount").expect("milliunits"), txn.amount.0);
    assert!(
        matches!(stored.get("date"), Some(Bson::DateTime(_))),
        "date is a BSON date"
    );
    let account = app
        .collection("bunq_accounts")
        .find_one(doc! {"id": household.accounts[0].id})
        .await
        .expect("query")
        .expect("account stored");
    assert!(account.get_array("alias").is_ok(), "alias list kept");
}

#[tokio::test]
async fn a_second_run_without_new_data_makes_only_delta_requests_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.ingest.run(Trigger::Manual).await.expect("first run");
    let moments_before = app.runmoments().await;
    app.clear_recorded().await;

    let summary = app.ingest.run(Trigger::Manual).await.expect("second run");

    assert_eq!(summary["enqueued"], 0);
    assert_eq!(summary["bunq_payments_new"], 0);
    assert_eq!(summary["bunq_payments_changed"], 0);
    assert_eq!(summary["ynab_changed"], 0);
    assert_eq!(
        summary["ynab_transactions"], 0,
        "a delta with no changes returns nothing"
    );
    for request in app.recorded("ynab").await {
        let path = request["path"].as_str().unwrap_or_default();
        let query = request["query"].as_str().unwrap_or_default();
        let per_budget = path.contains("/accounts")
            || path.contains("/categories")
            || path.contains("/transactions");
        if per_budget {
            assert!(
                query.contains("last_knowledge_of_server="),
                "not a delta request: {path}?{query}"
            );
        }
    }
    let payment_pages = app
        .recorded("bunq")
        .await
        .into_iter()
        .filter(|r| r["path"].as_str().unwrap_or_default().ends_with("/payment"))
        .count() as u64;
    assert_eq!(
        payment_pages,
        app.truth().bunq_accounts,
        "one page per account"
    );
    assert_eq!(app.runmoments().await.len(), moments_before.len());
}

#[tokio::test]
async fn a_run_after_new_sandbox_payments_adds_exactly_those() {
    let app = TestApp::spawn().await;
    app.ingest.run(Trigger::Manual).await.expect("first run");
    let account = app.sandbox.household().accounts[0].id;
    let before = app.count("bunq_payments", doc! {}).await;
    let mut created = Vec::new();
    for amount in ["-3.10", "-2.01", "150.00"] {
        created.push(app.create_payment(account, amount).await);
    }

    let summary = app.ingest.run(Trigger::Manual).await.expect("second run");

    assert_eq!(summary["enqueued"], 3);
    assert_eq!(summary["bunq_payments_new"], 3);
    assert_eq!(app.count("bunq_payments", doc! {}).await, before + 3);
    for payment in created {
        let id = payment["id"]
            .as_i64()
            .or_else(|| payment["Payment"]["id"].as_i64())
            .expect("payment id");
        assert_eq!(
            app.count("payment_queue", doc! {"payment_id": id, "state": "pending"})
                .await,
            1
        );
    }
}

#[tokio::test]
async fn a_recategorised_transaction_reaches_the_store_through_the_delta() {
    let app = TestApp::spawn().await;
    app.ingest.run(Trigger::Manual).await.expect("first run");
    let budget = &app.sandbox.household().budgets[0];
    let txn = budget
        .transactions
        .iter()
        .find(|t| t.category_id.is_some())
        .expect("a categorised transaction");
    let other = budget
        .category_groups
        .iter()
        .flat_map(|g| &g.categories)
        .find(|c| Some(&c.id) != txn.category_id.as_ref())
        .expect("another category");
    let patch = ynab::TransactionPatch {
        category_id: Some(Some(other.id.clone())),
        ..Default::default()
    };
    app.ingest
        .ynab
        .update_transaction(&budget.id, &txn.id, &patch)
        .await
        .expect("recategorised");

    let summary = app.ingest.run(Trigger::Manual).await.expect("second run");

    assert_eq!(summary["ynab_transactions"], 1);
    let stored = app
        .collection("ynab_transactions")
        .find_one(doc! {"id": &txn.id})
        .await
        .expect("query")
        .expect("stored");
    assert_eq!(stored.get_str("category_id").expect("category"), other.id);
}
