//! Creating and updating transactions, and what the next delta shows.

use chrono::{NaiveDate, Utc};
use domain::Milliunits;
use domain::sync::{Payee, TransactionPlan};
use ynab::{Cleared, FlagColor, NewTransaction, TransactionPatch, YnabError};

use crate::helpers::TestApp;

fn everything() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date")
}

/// A blue-flagged, uncleared transaction as the sync worker sends them.
fn new_transaction(account_id: &str, import_id: Option<String>) -> NewTransaction {
    NewTransaction {
        account_id: account_id.to_owned(),
        date: Utc::now().date_naive(),
        amount: Milliunits(-12_340),
        payee_id: None,
        payee_name: Some("Albert Heijn".into()),
        category_id: None,
        memo: Some("boodschappen".into()),
        cleared: Cleared::Uncleared,
        approved: false,
        flag_color: Some(FlagColor::Blue),
        import_id,
    }
}

fn open_account(app: &TestApp) -> String {
    let account = app
        .budget()
        .accounts
        .iter()
        .find(|a| !a.closed)
        .expect("an open account");
    account.id.clone()
}

#[tokio::test]
async fn a_recategorised_transaction_shows_up_in_the_next_delta() {
    let app = TestApp::spawn().await;
    let budget = app.budget();
    let first = app
        .client
        .transactions(&budget.id, everything(), None)
        .await
        .expect("first");
    let txn = budget
        .transactions
        .iter()
        .find(|t| t.category_id.is_some())
        .expect("categorised");
    let other = budget
        .category_groups
        .iter()
        .flat_map(|g| &g.categories)
        .find(|c| Some(&c.id) != txn.category_id.as_ref())
        .expect("another category");

    let patch = TransactionPatch::category(Some(other.id.clone()));
    let updated = app
        .client
        .update_transaction(&budget.id, &txn.id, &patch)
        .await;
    let delta = app
        .client
        .transactions(&budget.id, everything(), Some(first.server_knowledge))
        .await;

    assert_eq!(
        updated.expect("updated").category_id.as_ref(),
        Some(&other.id)
    );
    let delta = delta.expect("delta");
    assert_eq!(delta.items.len(), 1);
    assert_eq!(delta.items[0].id, txn.id);
    assert_eq!(delta.items[0].category_id.as_ref(), Some(&other.id));
    assert!(delta.server_knowledge > first.server_knowledge);
}

#[tokio::test]
async fn created_transactions_come_back_and_a_repeat_lists_them_as_duplicates() {
    let app = TestApp::spawn().await;
    let (budget_id, account) = (app.budget().id.clone(), open_account(&app));
    let txns: Vec<_> = (0..3)
        .map(|i| new_transaction(&account, Some(format!("test:{i}"))))
        .collect();

    let created = app
        .client
        .create_transactions(&budget_id, &txns)
        .await
        .expect("created");
    let repeated = app
        .client
        .create_transactions(&budget_id, &txns)
        .await
        .expect("repeated");

    assert_eq!(created.transaction_ids.len(), 3);
    assert!(created.duplicate_import_ids.is_empty());
    let import_ids: Vec<_> = created
        .transactions
        .iter()
        .map(|t| t.import_id.clone())
        .collect();
    assert_eq!(
        import_ids,
        [
            Some("test:0".into()),
            Some("test:1".into()),
            Some("test:2".into())
        ]
    );
    assert!(repeated.transaction_ids.is_empty());
    assert_eq!(
        repeated.duplicate_import_ids,
        ["test:0", "test:1", "test:2"]
    );
}

#[tokio::test]
async fn creates_go_out_in_chunks_of_a_hundred() {
    let app = TestApp::spawn().await;
    let (budget_id, account) = (app.budget().id.clone(), open_account(&app));
    let txns: Vec<_> = (0..150)
        .map(|i| new_transaction(&account, Some(format!("chunk:{i}"))))
        .collect();
    let before = app.client.usage().used;

    let created = app
        .client
        .create_transactions(&budget_id, &txns)
        .await
        .expect("created");

    assert_eq!(created.transaction_ids.len(), 150);
    assert_eq!(created.transactions.len(), 150);
    assert_eq!(app.client.usage().used - before, 2);
}

#[tokio::test]
async fn created_transactions_show_in_the_next_delta_with_their_import_ids() {
    let app = TestApp::spawn().await;
    let (budget_id, account) = (app.budget().id.clone(), open_account(&app));
    let first = app
        .client
        .transactions(&budget_id, everything(), None)
        .await
        .expect("first");
    let txns = [new_transaction(&account, Some("delta:1".into()))];

    let created = app
        .client
        .create_transactions(&budget_id, &txns)
        .await
        .expect("created");
    let delta = app
        .client
        .transactions(&budget_id, everything(), Some(first.server_knowledge))
        .await;

    let delta = delta.expect("delta");
    assert_eq!(delta.items.len(), 1);
    assert_eq!(delta.items[0].id, created.transaction_ids[0]);
    assert_eq!(delta.items[0].import_id.as_deref(), Some("delta:1"));
    assert_eq!(delta.items[0].amount, Milliunits(-12_340));
}

#[tokio::test]
async fn a_deleted_transaction_comes_back_in_the_delta_marked_deleted() {
    let app = TestApp::spawn().await;
    let budget = app.budget();
    let first = app
        .client
        .transactions(&budget.id, everything(), None)
        .await
        .expect("first");
    let victim = &budget.transactions[0].id;
    let url = format!(
        "{}/plans/{}/transactions/{victim}",
        app.sandbox.ynab_url(),
        budget.id
    );

    let response = reqwest::Client::new()
        .delete(url)
        .bearer_auth("sandbox-ynab-token")
        .send()
        .await
        .expect("deleted");
    let delta = app
        .client
        .transactions(&budget.id, everything(), Some(first.server_knowledge))
        .await;

    assert!(response.status().is_success());
    let delta = delta.expect("delta");
    assert_eq!(delta.items.len(), 1);
    assert_eq!(&delta.items[0].id, victim);
    assert!(delta.items[0].deleted);
}

#[tokio::test]
async fn a_transaction_ynab_refuses_gives_ynabs_validation_error() {
    let app = TestApp::spawn().await;
    let budget_id = app.budget().id.clone();
    let unknown_account = "00000000-0000-4000-8000-000000000000";
    let txns = [new_transaction(unknown_account, Some("bad:1".into()))];

    let err = app
        .client
        .create_transactions(&budget_id, &txns)
        .await
        .expect_err("refused");

    match err {
        YnabError::Api {
            status,
            name,
            detail,
            ..
        } => {
            assert_eq!((status, name.as_str()), (400, "bad_request"));
            assert!(detail.contains("index: 0"), "{detail}");
        }
        other => panic!("expected a 400, got {other:?}"),
    }
}

#[tokio::test]
async fn an_over_long_memo_is_refused_without_spending_a_request() {
    let app = TestApp::spawn().await;
    let (budget_id, account) = (app.budget().id.clone(), open_account(&app));
    let mut txn = new_transaction(&account, None);
    txn.memo = Some("x".repeat(501));

    let err = app
        .client
        .create_transactions(&budget_id, &[txn])
        .await
        .expect_err("refused");

    assert!(
        matches!(err, YnabError::InvalidTransaction { index: 0, .. }),
        "{err:?}"
    );
    assert_eq!(app.client.usage().used, 0);
}

#[tokio::test]
async fn a_transfer_plan_creates_a_transfer_into_the_other_account() {
    let app = TestApp::spawn().await;
    let budget = app.budget();
    let mut open = budget.accounts.iter().filter(|a| !a.closed);
    let (from, to) = (
        open.next().expect("one account"),
        open.next().expect("another"),
    );
    let plan = TransactionPlan {
        payment_id: 7,
        budget_id: budget.id.clone(),
        account_id: from.id.clone(),
        date: Utc::now().date_naive(),
        amount: Milliunits(-50_000),
        payee: Payee::Transfer {
            payee_id: to.transfer_payee_id.clone(),
            account_id: to.id.clone(),
        },
        memo: Some("sparen".into()),
        import_id: "BUNQ:7".into(),
    };

    let created = app
        .client
        .create_transactions(&budget.id, &[NewTransaction::from_plan(&plan, None)])
        .await
        .expect("created");

    let txn = &created.transactions[0];
    assert_eq!(txn.account_id, from.id);
    assert_eq!(txn.transfer_account_id.as_ref(), Some(&to.id));
    assert_eq!(txn.import_id.as_deref(), Some("BUNQ:7"));
}
