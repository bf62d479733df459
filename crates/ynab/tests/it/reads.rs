//! Budgets, accounts, categories and transactions, first loads and deltas.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use sandbox::faults::Side;
use ynab::PathStyle;

use crate::helpers::TestApp;

fn everything() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date")
}

#[tokio::test]
async fn budgets_read_the_same_from_plans_and_from_the_older_budgets_paths() {
    let app = TestApp::spawn().await;
    let old_style = app.another_client(|c| c.path_style = PathStyle::Budgets);

    let plans = app.client.budgets().await.expect("plans");
    let budgets = old_style.budgets().await.expect("budgets");

    let expected: BTreeSet<&str> = app
        .household()
        .budgets
        .iter()
        .map(|b| b.id.as_str())
        .collect();
    let from_plans: BTreeSet<&str> = plans.iter().map(|b| b.id.as_str()).collect();
    let from_budgets: BTreeSet<&str> = budgets.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(from_plans, expected);
    assert_eq!(from_budgets, expected);
    assert!(plans.iter().all(|b| b.raw.contains_key("name")));
}

#[tokio::test]
async fn accounts_come_with_their_notes_and_transfer_payees() {
    let app = TestApp::spawn().await;
    let budget = app.budget();

    let accounts = app
        .client
        .accounts(&budget.id, None)
        .await
        .expect("accounts");

    assert_eq!(accounts.items.len(), budget.accounts.len());
    for expected in &budget.accounts {
        let got = accounts
            .items
            .iter()
            .find(|a| a.id == expected.id)
            .expect("listed");
        assert_eq!(got.note, expected.note, "note of {}", expected.name);
        assert_eq!(
            got.transfer_payee_id.as_deref(),
            Some(expected.transfer_payee_id.as_str())
        );
        assert!(!got.deleted);
    }
    assert!(accounts.items.iter().any(|a| a.note.is_some()));
    assert!(accounts.server_knowledge > 0);
}

#[tokio::test]
async fn categories_are_flattened_out_of_their_groups_with_the_group_name() {
    let app = TestApp::spawn().await;
    let budget = app.budget();

    let categories = app
        .client
        .categories(&budget.id, None)
        .await
        .expect("categories");

    for group in &budget.category_groups {
        for expected in &group.categories {
            let got = categories
                .items
                .iter()
                .find(|c| c.id == expected.id)
                .expect("listed");
            assert_eq!(got.category_group_id, group.id);
            assert_eq!(got.raw["category_group_name"], group.name.as_str());
        }
    }
}

#[tokio::test]
async fn a_first_load_returns_every_transaction_since_the_given_date() {
    let app = TestApp::spawn().await;
    let budget = app.budget();

    let all = app
        .client
        .transactions(&budget.id, everything(), None)
        .await
        .expect("all");

    let expected: BTreeSet<&str> = budget.transactions.iter().map(|t| t.id.as_str()).collect();
    let got: BTreeSet<&str> = all.items.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(got, expected);
}

#[tokio::test]
async fn since_date_leaves_out_older_transactions() {
    let app = TestApp::spawn().await;
    let budget = app.budget();
    let middle = budget.transactions[budget.transactions.len() / 2].date;

    let recent = app
        .client
        .transactions(&budget.id, middle, None)
        .await
        .expect("recent");

    let expected = budget
        .transactions
        .iter()
        .filter(|t| t.date >= middle)
        .count();
    assert_eq!(recent.items.len(), expected);
    assert!(recent.items.iter().all(|t| t.date >= middle));
}

#[tokio::test]
async fn a_delta_over_unchanged_data_returns_nothing_new() {
    let app = TestApp::spawn().await;
    let id = &app.budget().id;
    let accounts = app.client.accounts(id, None).await.expect("accounts");
    let categories = app.client.categories(id, None).await.expect("categories");
    let transactions = app
        .client
        .transactions(id, everything(), None)
        .await
        .expect("txns");

    let accounts_delta = app
        .client
        .accounts(id, Some(accounts.server_knowledge))
        .await;
    let categories_delta = app
        .client
        .categories(id, Some(categories.server_knowledge))
        .await;
    let transactions_delta = app
        .client
        .transactions(id, everything(), Some(transactions.server_knowledge))
        .await;

    let accounts_delta = accounts_delta.expect("accounts delta");
    let categories_delta = categories_delta.expect("categories delta");
    let transactions_delta = transactions_delta.expect("transactions delta");
    assert!(accounts_delta.items.is_empty());
    assert!(categories_delta.items.is_empty());
    assert!(transactions_delta.items.is_empty());
    assert_eq!(
        transactions_delta.server_knowledge,
        transactions.server_knowledge
    );
}

#[tokio::test]
async fn transaction_reads_always_send_since_date_and_the_known_knowledge() {
    let app = TestApp::spawn().await;
    let id = &app.budget().id;
    let first = app
        .client
        .transactions(id, everything(), None)
        .await
        .expect("first");

    app.client
        .transactions(id, everything(), Some(first.server_knowledge))
        .await
        .expect("delta");

    let requests = app.sandbox.recorder().requests(Some(Side::Ynab));
    let queries: Vec<_> = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/transactions"))
        .map(|r| r.query.clone().unwrap_or_default())
        .collect();
    let knowledge = format!("last_knowledge_of_server={}", first.server_knowledge);
    assert_eq!(
        queries,
        [
            "since_date=2000-01-01".to_owned(),
            format!("since_date=2000-01-01&{knowledge}")
        ]
    );
    assert!(
        requests
            .iter()
            .all(|r| r.headers["user-agent"].starts_with("bunq-ynab-connect/"))
    );
}
