//! The real clients run a full flow against the sandbox; every request the
//! sandbox recorded is then checked against the document: the operation
//! exists, parameters are declared and typed, required headers and
//! credentials are there, and each JSON body matches its schema.

use std::collections::BTreeSet;

use bunq::NotificationFilter;
use chrono::NaiveDate;
use domain::Milliunits;
use sandbox::faults::Side;
use sandbox::record::RecordedRequest;
use test_support::TestDb;
use ynab::{Cleared, FlagColor, NewTransaction, PathStyle, TransactionPatch};

use super::helpers::*;

/// Checks every recorded request of `side` with the spec `spec_for` picks,
/// and names the operations covered.
fn check_recorded(
    requests: &[RecordedRequest],
    spec_for: impl Fn(&str) -> &'static contract::Spec,
) -> BTreeSet<String> {
    assert!(!requests.is_empty(), "nothing was recorded");
    let mut covered = BTreeSet::new();
    for request in requests {
        let (method, path) = (&request.method, &request.path);
        assert!(
            (200..300).contains(&request.status),
            "{method} {path} was answered {}",
            request.status
        );
        let spec = spec_for(path);
        assert_keeps(spec.validate_request(&as_http(request)));
        covered.insert(spec.operation(method, path).expect("documented").name());
    }
    covered
}

#[tokio::test]
async fn every_request_of_the_bunq_client_keeps_to_the_swagger() {
    let sandbox = sandbox().await;
    let db = TestDb::new().await;
    let client = bunq_client(sandbox.bunq_url(), &db);

    exchange(&client).await;
    let accounts = client.monetary_accounts().await.expect("accounts");
    let mut newest = None;
    for account in &accounts {
        let payments = client.payments(account.id, None).await.expect("payments");
        newest = newest.or(payments.first().map(|p| (account.id, p.id)));
    }
    let (account_id, payment_id) = newest.expect("some account has payments");
    client
        .payment(account_id, payment_id)
        .await
        .expect("one payment");
    let mut filters = client.notification_filters().await.expect("filters read");
    filters.push(NotificationFilter::mutation(
        "https://callback.example/payment",
    ));
    client
        .set_notification_filters(&filters)
        .await
        .expect("filters set");

    let requests = sandbox.recorder().requests(Some(Side::Bunq));
    let covered = check_recorded(&requests, |_| bunq_spec());
    for operation in [
        "POST /installation",
        "POST /device-server",
        "POST /session-server",
        "GET /user/{userID}/monetary-account",
        "GET /user/{userID}/monetary-account/{monetary-accountID}/payment",
        "GET /user/{userID}/monetary-account/{monetary-accountID}/payment/{itemId}",
        "GET /user/{userID}/notification-filter-url",
        "POST /user/{userID}/notification-filter-url",
    ] {
        assert!(
            covered.contains(operation),
            "{operation} not sent: {covered:#?}"
        );
    }
    sandbox.shutdown().await;
    db.drop_now().await;
}

fn new_transaction(account_id: &str, import_id: &str) -> NewTransaction {
    NewTransaction {
        account_id: account_id.to_owned(),
        date: chrono::Utc::now().date_naive(),
        amount: Milliunits(-4_560),
        payee_id: None,
        payee_name: Some("Bakkerij".to_owned()),
        category_id: None,
        memo: Some("contract".to_owned()),
        cleared: Cleared::Uncleared,
        approved: false,
        flag_color: Some(FlagColor::Blue),
        import_id: Some(import_id.to_owned()),
    }
}

/// Reads everything, creates two transactions in bulk and recategorises
/// one, speaking `style`.
async fn ynab_flow(sandbox: &sandbox::Sandbox, style: PathStyle) {
    let client = ynab_client(sandbox, style);
    let budget = sandbox.household().budgets[0].id.as_str();
    let since = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date");

    client.budgets().await.expect("budgets");
    let accounts = client.accounts(budget, None).await.expect("accounts");
    let known = Some(accounts.server_knowledge);
    client
        .accounts(budget, known)
        .await
        .expect("accounts delta");
    let categories = client.categories(budget, None).await.expect("categories");
    let known = Some(categories.server_knowledge);
    client
        .categories(budget, known)
        .await
        .expect("categories delta");
    let txns = client
        .transactions(budget, since, None)
        .await
        .expect("transactions");
    let known = Some(txns.server_knowledge);
    client
        .transactions(budget, since, known)
        .await
        .expect("transactions delta");
    ynab_writes(sandbox, &client, style).await;
}

/// Two transactions created in one request, then one recategorised.
async fn ynab_writes(sandbox: &sandbox::Sandbox, client: &ynab::YnabClient, style: PathStyle) {
    let budget = &sandbox.household().budgets[0];
    let account = budget.accounts[0].id.as_str();
    let category = budget.category_groups[0].categories[0].id.clone();
    let tag = style.prefix();
    let new = [
        new_transaction(account, &format!("contract:{tag}:1")),
        new_transaction(account, &format!("contract:{tag}:2")),
    ];

    let created = client
        .create_transactions(&budget.id, &new)
        .await
        .expect("created");
    let id = created.transaction_ids.first().expect("an id");
    let patch = TransactionPatch::category(Some(category));
    client
        .update_transaction(&budget.id, id, &patch)
        .await
        .expect("updated");
}

#[tokio::test]
async fn every_request_of_the_ynab_client_keeps_to_both_documents() {
    let sandbox = sandbox().await;

    ynab_flow(&sandbox, PathStyle::Plans).await;
    ynab_flow(&sandbox, PathStyle::Budgets).await;

    let requests = sandbox.recorder().requests(Some(Side::Ynab));
    let covered = check_recorded(&requests, ynab_spec_for);
    for family in ["plans/{plan_id}", "budgets/{budget_id}"] {
        for operation in [
            format!("GET /{family}/accounts"),
            format!("GET /{family}/categories"),
            format!("GET /{family}/transactions"),
            format!("POST /{family}/transactions"),
            format!("PUT /{family}/transactions/{{transaction_id}}"),
        ] {
            assert!(
                covered.contains(&operation),
                "{operation} not sent: {covered:#?}"
            );
        }
    }
    sandbox.shutdown().await;
}
