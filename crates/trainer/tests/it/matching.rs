//! The matched data set built from sandbox data: exact through
//! `import_id`, windowed for history, ties left out, labels that follow a
//! recategorisation.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use domain::Milliunits;
use domain::time::format_bunq_timestamp;
use sandbox::bunq::NewPayment;
use trainer::matching::{links, refresh_budget};
use ynab::{NewTransaction, TransactionPatch};

use crate::helpers::TestApp;

/// Adds a bunq payment on `account` at `days_ago` days before now, at the
/// given UTC hour, straight into the sandbox.
fn add_payment(app: &TestApp, account: i64, amount: &str, days_ago: i64, hour: u32) -> i64 {
    let day = (Utc::now() - Duration::days(days_ago)).date_naive();
    let at = day.and_hms_opt(hour, 0, 0).expect("valid time").and_utc();
    let new = NewPayment {
        account_id: account,
        amount: amount.to_owned(),
        description: "Matching test".to_owned(),
        counterparty_name: Some("Testwinkel".to_owned()),
        counterparty_iban: None,
        payment_type: Some("MAESTRO".to_owned()),
        sub_type: None,
        created: Some(format_bunq_timestamp(at)),
    };
    app.sandbox
        .bunq()
        .add_payment(new)
        .expect("payment added")
        .id
}

/// Creates a categorised YNAB transaction through the API, dated
/// `days_ago` days before today's UTC date.
async fn add_transaction(
    app: &TestApp,
    account_id: &str,
    amount: i64,
    days_ago: i64,
    import_id: Option<String>,
) -> String {
    // The UTC date, as `add_payment` takes its day: between 22:00 and
    // midnight UTC the Amsterdam date is already tomorrow, which would move
    // every expected day offset by one.
    let date = (Utc::now() - Duration::days(days_ago)).date_naive();
    let new = NewTransaction {
        account_id: account_id.to_owned(),
        date,
        amount: Milliunits(amount),
        payee_id: None,
        payee_name: Some("Testwinkel".to_owned()),
        category_id: Some(app.category("Groceries")),
        memo: None,
        cleared: Default::default(),
        approved: true,
        flag_color: None,
        import_id,
    };
    let budget = app.household_budget().id.clone();
    let created = app
        .ingest
        .ynab
        .create_transactions(&budget, &[new])
        .await
        .expect("created");
    created.transaction_ids[0].clone()
}

#[tokio::test]
async fn history_matches_by_window_exactly_as_the_sandbox_mirrored_it() {
    let app = TestApp::ingested().await;
    let budget = app.household_budget();
    let links = links(&app.trainer.store).await.expect("links");

    let (rows, counts) = refresh_budget(
        &app.trainer.store,
        &budget.id,
        &links,
        &app.trainer.match_settings(),
    )
    .await
    .expect("matched");

    let truth: HashMap<&str, i64> = budget
        .transactions
        .iter()
        .filter(|t| t.category_id.is_some() && t.transfer_account_id.is_none())
        .filter_map(|t| Some((t.id.as_str(), t.bunq_payment_id?)))
        .collect();
    let wrong: Vec<_> = rows
        .iter()
        .filter(|r| truth.get(r.match_id.as_str()) != Some(&r.payment.id))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} rows paired with the wrong payment",
        wrong.len()
    );
    // Ties may also involve transfers and uncategorised transactions.
    assert!(
        rows.len() + counts.tied >= truth.len(),
        "every mirrored label is matched or a counted tie"
    );
    assert!(
        rows.len() * 10 >= truth.len() * 9,
        "{} of {} matched",
        rows.len(),
        truth.len()
    );
    assert!(
        counts.transfer > 0,
        "transfers are matched but are not labels"
    );
    assert!(rows.iter().all(|r| r.method == "date_window"));
    let stored = app
        .trainer
        .store
        .matched_rows(&budget.id)
        .await
        .expect("stored rows");
    assert_eq!(stored, rows);
}

#[tokio::test]
async fn an_import_id_matches_exactly_and_ties_are_left_out_and_counted() {
    let app = TestApp::start(5).await;
    let (bunq_account, ynab_account) = app.current_account();
    let ynab_account = ynab_account.id.clone();
    let exact = add_payment(&app, bunq_account, "-77.71", 20, 12);
    let exact_txn = add_transaction(
        &app,
        &ynab_account,
        -77_710,
        14,
        Some(domain::sync::import_id(exact)),
    )
    .await;
    add_payment(&app, bunq_account, "-66.61", 30, 9);
    add_payment(&app, bunq_account, "-66.61", 30, 15);
    let tie_a = add_transaction(&app, &ynab_account, -66_610, 30, None).await;
    let tie_b = add_transaction(&app, &ynab_account, -66_610, 30, None).await;
    app.ingest_now().await;
    let budget = app.household_budget().id.clone();
    let links = links(&app.trainer.store).await.expect("links");

    let (rows, counts) = refresh_budget(
        &app.trainer.store,
        &budget,
        &links,
        &app.trainer.match_settings(),
    )
    .await
    .expect("matched");

    let row = rows
        .iter()
        .find(|r| r.match_id == exact_txn)
        .expect("the import id matched");
    assert_eq!(
        (row.payment.id, row.method.as_str(), row.day_offset),
        (exact, "import_id", 6)
    );
    assert_eq!(row.category_name, "Groceries");
    assert!(
        rows.iter()
            .all(|r| r.match_id != tie_a && r.match_id != tie_b)
    );
    assert!(counts.tied >= 2, "{counts:?}");
    assert_eq!(counts.exact, 1);
}

#[tokio::test]
async fn a_recategorisation_in_ynab_changes_the_label_after_the_next_ingest() {
    let app = TestApp::ingested().await;
    let budget = app.household_budget().id.clone();
    let links = links(&app.trainer.store).await.expect("links");
    let settings = app.trainer.match_settings();
    let (rows, _) = refresh_budget(&app.trainer.store, &budget, &links, &settings)
        .await
        .expect("matched");
    let row = rows
        .iter()
        .find(|r| r.category_name != "Fun")
        .expect("a row")
        .clone();
    let fun = app.category("Fun");

    let patch = TransactionPatch::category(Some(fun.clone()));
    app.ingest
        .ynab
        .update_transaction(&budget, &row.match_id, &patch)
        .await
        .expect("recategorised");
    app.ingest_now().await;
    let (after, _) = refresh_budget(&app.trainer.store, &budget, &links, &settings)
        .await
        .expect("matched again");

    let relabelled = after
        .iter()
        .find(|r| r.match_id == row.match_id)
        .expect("still matched");
    assert_eq!(
        (
            relabelled.category_id.as_str(),
            relabelled.category_name.as_str()
        ),
        (fun.as_str(), "Fun")
    );
    assert_eq!(relabelled.payment.id, row.payment.id);
    assert_eq!(after.len(), rows.len());
    let stored = app
        .trainer
        .store
        .matched_rows(&budget)
        .await
        .expect("stored rows");
    assert_eq!(stored, after, "the relabelled row was written");
}
