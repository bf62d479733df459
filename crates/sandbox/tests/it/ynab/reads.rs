//! Reading budgets, accounts, categories and transactions: both path
//! families, `last-used`, the default `since_date`, filters, delta
//! requests and 404s.

use serde_json::json;

use super::support::*;

#[tokio::test]
async fn the_budgets_and_plans_forms_serve_the_same_data_under_their_own_names() {
    let ynab = TestYnab::start().await;

    let plans = ynab.get("/plans?include_accounts=true").await;
    let budgets = ynab.get("/budgets?include_accounts=true").await;
    let plan = ynab.get(&format!("/plans/{BUDGET}")).await;
    let budget = ynab.get(&format!("/budgets/{BUDGET}")).await;

    assert_eq!(plans.status, 200);
    assert_eq!(plans.data()["plans"], budgets.data()["budgets"]);
    assert_eq!(plans.data()["default_plan"]["id"], BUDGET);
    assert_eq!(budgets.data()["default_budget"]["id"], BUDGET);
    assert_eq!(
        plans.data()["plans"][0]["accounts"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert_eq!(plan.data()["plan"], budget.data()["budget"]);
    for path in ["accounts", "categories", "payees", "transactions"] {
        let a = ynab.get(&format!("/plans/{BUDGET}/{path}")).await;
        let b = ynab.get(&format!("/budgets/{BUDGET}/{path}")).await;
        assert_eq!(a.body, b.body, "{path}");
    }
}

#[tokio::test]
async fn last_used_and_default_name_the_first_budget() {
    let ynab = TestYnab::start().await;

    let by_id = ynab.get(&format!("/plans/{BUDGET}/accounts")).await;
    let last_used = ynab.get("/plans/last-used/accounts").await;
    let default = ynab.get("/budgets/default/accounts").await;

    assert_eq!(last_used.body, by_id.body);
    assert_eq!(default.body, by_id.body);
}

#[tokio::test]
async fn accounts_carry_notes_transfer_payees_and_balances() {
    let ynab = TestYnab::start().await;

    let reply = ynab
        .get(&format!("/plans/{BUDGET}/accounts/{CHECKING}"))
        .await;

    let account = &reply.data()["account"];
    assert_eq!(account["note"], "NL12 BUNQ 2012 3456 78");
    assert_eq!(account["transfer_payee_id"], CHECKING_TRANSFER_PAYEE);
    assert_eq!(account["on_budget"], true);
    // 2,500.00 in, then 12.34 + 45.00 + 100.00 (transfer) + 3.00 out.
    assert_eq!(account["balance"], 2_339_660);
    assert_eq!(account["balance_formatted"], "€2.339,66");
}

#[tokio::test]
async fn categories_come_grouped_with_their_group_name() {
    let ynab = TestYnab::start().await;

    let reply = ynab.get(&format!("/plans/{BUDGET}/categories")).await;

    let groups = reply.data()["category_groups"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["name"], "Living");
    assert_eq!(groups[0]["categories"][0]["name"], "Groceries");
    assert_eq!(groups[0]["categories"][0]["category_group_name"], "Living");
    // June's groceries: 12.34 (the 2022 cash purchase is another month).
    assert_eq!(groups[0]["categories"][0]["activity"], -12_340);
}

#[tokio::test]
async fn transactions_default_to_the_last_year_and_honour_the_date_range() {
    let ynab = TestYnab::start().await;

    let default = ynab.get(&format!("/plans/{BUDGET}/transactions")).await;
    let everything = ynab
        .get(&format!(
            "/plans/{BUDGET}/transactions?since_date=2000-01-01"
        ))
        .await;
    let june_first_week = ynab
        .get(&format!(
            "/plans/{BUDGET}/transactions?since_date=2024-06-01&until_date=2024-06-07"
        ))
        .await;

    assert!(!ids(&default.data()["transactions"]).contains(&OLD_CASH_TXN.to_owned()));
    assert!(ids(&everything.data()["transactions"]).contains(&OLD_CASH_TXN.to_owned()));
    assert_eq!(
        june_first_week.data()["transactions"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
}

#[tokio::test]
async fn transaction_details_name_their_account_payee_and_category() {
    let ynab = TestYnab::start().await;

    let reply = ynab
        .get(&format!("/plans/{BUDGET}/transactions/{GROCERIES_TXN}"))
        .await;

    let txn = &reply.data()["transaction"];
    assert_eq!(txn["account_name"], "bunq Current");
    assert_eq!(txn["payee_name"], "Albert Heijn");
    assert_eq!(txn["category_name"], "Groceries");
    assert_eq!(txn["amount"], -12_340);
    assert_eq!(txn["amount_formatted"], "-€12,34");
    assert_eq!(txn["subtransactions"], json!([]));
}

#[tokio::test]
async fn historical_transfers_are_linked_both_ways() {
    let ynab = TestYnab::start().await;

    let out = ynab
        .get(&format!("/plans/{BUDGET}/transactions/{TRANSFER_OUT_TXN}"))
        .await;

    let txn = &out.data()["transaction"];
    assert_eq!(txn["transfer_account_id"], SAVINGS);
    assert_eq!(txn["transfer_transaction_id"], TRANSFER_IN_TXN);
    assert_eq!(txn["payee_id"], SAVINGS_TRANSFER_PAYEE);
    assert_eq!(txn["payee_name"], "Transfer : bunq Savings");
}

#[tokio::test]
async fn type_filters_pick_uncategorised_and_unapproved_transactions() {
    let ynab = TestYnab::start().await;

    let uncategorised = ynab
        .get(&format!("/plans/{BUDGET}/transactions?type=uncategorized"))
        .await;
    let by_account = ynab
        .get(&format!("/plans/{BUDGET}/accounts/{SAVINGS}/transactions"))
        .await;
    let bad = ynab
        .get(&format!("/plans/{BUDGET}/transactions?type=everything"))
        .await;

    assert_eq!(
        ids(&uncategorised.data()["transactions"]),
        vec![UNCATEGORISED_TXN]
    );
    assert_eq!(
        ids(&by_account.data()["transactions"]),
        vec![TRANSFER_IN_TXN]
    );
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn a_delta_request_returns_only_what_changed_including_deletions() {
    let ynab = TestYnab::start().await;
    let first = ynab.get(&format!("/plans/{BUDGET}/transactions")).await;
    let knowledge = first.data()["server_knowledge"]
        .as_i64()
        .unwrap_or_default();

    let unchanged = ynab
        .get(&format!(
            "/plans/{BUDGET}/transactions?last_knowledge_of_server={knowledge}"
        ))
        .await;
    let deleted = ynab
        .delete(&format!("/plans/{BUDGET}/transactions/{GROCERIES_TXN}"))
        .await;
    let delta = ynab
        .get(&format!(
            "/plans/{BUDGET}/transactions?last_knowledge_of_server={knowledge}"
        ))
        .await;
    let full = ynab.get(&format!("/plans/{BUDGET}/transactions")).await;

    assert_eq!(unchanged.data()["transactions"], json!([]));
    assert_eq!(unchanged.data()["server_knowledge"], knowledge);
    assert_eq!(deleted.status, 200);
    assert_eq!(ids(&delta.data()["transactions"]), vec![GROCERIES_TXN]);
    assert_eq!(delta.data()["transactions"][0]["deleted"], true);
    assert_eq!(delta.data()["server_knowledge"], knowledge + 1);
    assert!(!ids(&full.data()["transactions"]).contains(&GROCERIES_TXN.to_owned()));
}

#[tokio::test]
async fn a_recategorisation_shows_up_in_the_next_delta_of_transactions_and_categories() {
    let ynab = TestYnab::start().await;
    let knowledge = ynab.state.server_knowledge(BUDGET).unwrap_or_default();

    ynab.state
        .recategorise(BUDGET, GROCERIES_TXN, Some(EATING_OUT))
        .expect("recategorised");
    let txns = ynab
        .get(&format!(
            "/plans/{BUDGET}/transactions?last_knowledge_of_server={knowledge}"
        ))
        .await;
    let categories = ynab
        .get(&format!(
            "/plans/{BUDGET}/categories?last_knowledge_of_server={knowledge}"
        ))
        .await;
    let accounts = ynab
        .get(&format!(
            "/plans/{BUDGET}/accounts?last_knowledge_of_server={knowledge}"
        ))
        .await;

    assert_eq!(txns.data()["transactions"][0]["category_id"], EATING_OUT);
    let changed: Vec<_> = categories.data()["category_groups"][0]["categories"]
        .as_array()
        .map(|c| c.iter().map(|c| c["id"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(changed, vec![json!(GROCERIES), json!(EATING_OUT)]);
    assert_eq!(ids(&accounts.data()["accounts"]), vec![CHECKING]);
}

#[tokio::test]
async fn a_plan_export_holds_every_entity_and_its_delta_only_the_changes() {
    let ynab = TestYnab::start().await;
    let full = ynab.get(&format!("/plans/{BUDGET}")).await;
    let knowledge = full.data()["server_knowledge"].as_i64().unwrap_or_default();

    ynab.post(
        &format!("/plans/{BUDGET}/transactions"),
        json!({"transaction": {"account_id": CASH, "date": "2024-06-14", "amount": -1_000,
                               "payee_name": "Kiosk"}}),
    )
    .await;
    let delta = ynab
        .get(&format!(
            "/plans/{BUDGET}?last_knowledge_of_server={knowledge}"
        ))
        .await;

    let plan = &full.data()["plan"];
    assert_eq!(plan["transactions"].as_array().map(Vec::len), Some(7));
    assert_eq!(plan["categories"].as_array().map(Vec::len), Some(3));
    let changes = &delta.data()["plan"];
    assert_eq!(changes["transactions"].as_array().map(Vec::len), Some(1));
    assert_eq!(changes["payees"][0]["name"], "Kiosk");
    assert_eq!(ids(&changes["accounts"]), vec![CASH]);
}

#[tokio::test]
async fn unknown_budgets_accounts_transactions_and_paths_are_404_resource_not_found() {
    let ynab = TestYnab::start().await;
    let unknown = "00000000-0000-4000-8000-000000000000";

    let replies = [
        ynab.get(&format!("/plans/{unknown}/accounts")).await,
        ynab.get(&format!("/budgets/{BUDGET}/accounts/{unknown}"))
            .await,
        ynab.get(&format!("/plans/{BUDGET}/transactions/{unknown}"))
            .await,
        ynab.get(&format!(
            "/plans/{BUDGET}/accounts/{SIDE_ACCOUNT}/transactions"
        ))
        .await,
        ynab.get("/plans/nope/nothing/here").await,
    ];

    for reply in replies {
        assert_eq!(reply.status, 404);
        let error =
            json!({"id": "404.2", "name": "resource_not_found", "detail": "Resource not found"});
        assert_eq!(reply.body, json!({ "error": error }));
    }
}
