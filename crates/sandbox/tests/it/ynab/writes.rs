//! Creating, updating and deleting transactions: the 201/409 of single
//! creates, `duplicate_import_ids` of bulk creates, validation 400s with
//! `(index: N)`, payee resolution, transfers with their mirror, PUT,
//! PATCH (209) and DELETE.

use serde_json::{Value, json};

use super::support::*;

fn new_txn(import_id: &str) -> Value {
    json!({"account_id": CHECKING, "date": "2024-06-14", "amount": -12_340,
           "payee_name": "Bakker Bart", "memo": "bread", "cleared": "uncleared",
           "approved": false, "flag_color": "blue", "import_id": import_id})
}

fn transactions_path() -> String {
    format!("/plans/{BUDGET}/transactions")
}

#[tokio::test]
async fn a_single_create_answers_201_with_the_transaction_and_a_repeat_answers_409() {
    let ynab = TestYnab::start().await;
    let knowledge = ynab.state.server_knowledge(BUDGET).unwrap_or_default();

    let created = ynab
        .post(
            &transactions_path(),
            json!({"transaction": new_txn("bunq:42")}),
        )
        .await;
    let repeated = ynab
        .post(
            &transactions_path(),
            json!({"transaction": new_txn("bunq:42")}),
        )
        .await;

    assert_eq!(created.status, 201);
    let txn = &created.data()["transaction"];
    assert_eq!(created.data()["transaction_ids"], json!([txn["id"]]));
    assert_eq!(created.data()["server_knowledge"], knowledge + 1);
    assert_eq!(txn["import_id"], "bunq:42");
    assert_eq!(txn["payee_name"], "Bakker Bart");
    assert_eq!(txn["import_payee_name"], "Bakker Bart");
    assert_eq!(txn["flag_color"], "blue");
    assert_eq!(txn["cleared"], "uncleared");
    assert_eq!(repeated.status, 409);
    assert_eq!(repeated.body["error"]["id"], "409");
    assert_eq!(repeated.body["error"]["name"], "conflict");
    assert_eq!(ynab.state.count_by_import_id("bunq:42"), 1);
}

#[tokio::test]
async fn the_same_import_id_on_another_account_is_not_a_duplicate() {
    let ynab = TestYnab::start().await;
    let mut on_savings = new_txn("bunq:7");
    on_savings["account_id"] = json!(SAVINGS);

    let first = ynab
        .post(
            &transactions_path(),
            json!({"transaction": new_txn("bunq:7")}),
        )
        .await;
    let second = ynab
        .post(&transactions_path(), json!({"transaction": on_savings}))
        .await;

    assert_eq!((first.status, second.status), (201, 201));
    assert_eq!(ynab.state.count_by_import_id("bunq:7"), 2);
}

#[tokio::test]
async fn a_deleted_transaction_keeps_its_import_id_taken() {
    let ynab = TestYnab::start().await;
    let created = ynab
        .post(
            &transactions_path(),
            json!({"transaction": new_txn("bunq:9")}),
        )
        .await;
    let id = created.data()["transaction"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    ynab.delete(&format!("{}/{id}", transactions_path())).await;
    let again = ynab
        .post(
            &transactions_path(),
            json!({"transaction": new_txn("bunq:9")}),
        )
        .await;

    assert_eq!(again.status, 409);
    assert_eq!(ynab.state.count_by_import_id("bunq:9"), 0);
}

#[tokio::test]
async fn a_bulk_create_skips_and_lists_duplicates_including_repeats_within_the_batch() {
    let ynab = TestYnab::start().await;
    ynab.post(
        &transactions_path(),
        json!({"transaction": new_txn("bunq:1")}),
    )
    .await;

    let reply = ynab
        .post(
            &transactions_path(),
            json!({ "transactions": (["bunq:1", "bunq:2", "bunq:2", "bunq:3"].map(new_txn)) }),
        )
        .await;

    assert_eq!(reply.status, 201);
    assert_eq!(
        reply.data()["duplicate_import_ids"],
        json!(["bunq:1", "bunq:2"])
    );
    assert_eq!(
        reply.data()["transaction_ids"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        reply.data()["transactions"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(ynab.state.count_in_account(CHECKING), 5 + 3);
}

#[tokio::test]
async fn bulk_validation_errors_name_each_problem_with_its_index_and_create_nothing() {
    let ynab = TestYnab::start().await;
    let mut future = new_txn("bunq:10");
    future["date"] = json!("2024-06-17");
    let mut long_memo = new_txn("bunq:11");
    long_memo["memo"] = json!("m".repeat(501));
    let mut unknown_account = new_txn("bunq:12");
    unknown_account["account_id"] = json!(SIDE_ACCOUNT);

    let reply = ynab
        .post(
            &transactions_path(),
            json!({"transactions": [new_txn("bunq:13"), future, long_memo, unknown_account]}),
        )
        .await;

    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["error"]["id"], "400");
    assert_eq!(reply.body["error"]["name"], "bad_request");
    assert_eq!(
        reply.detail(),
        format!(
            "date must not be in the future or over 5 years ago (index: 1), \
             memo is too long (maximum is 500 characters) (index: 2), \
             account_id \"{SIDE_ACCOUNT}\" does not exist in this plan (index: 3)"
        )
    );
    assert_eq!(ynab.state.count_by_import_id("bunq:13"), 0);
}

#[tokio::test]
async fn dates_up_to_one_day_ahead_in_utc_and_back_to_five_years_are_accepted() {
    let ynab = TestYnab::start().await;
    let with_date = |import_id: &str, day: &str| {
        let mut txn = new_txn(import_id);
        txn["date"] = json!(day);
        json!({"transaction": txn})
    };

    let tomorrow = ynab
        .post(&transactions_path(), with_date("d:1", "2024-06-16"))
        .await;
    let day_after = ynab
        .post(&transactions_path(), with_date("d:2", "2024-06-17"))
        .await;
    let five_years = ynab
        .post(&transactions_path(), with_date("d:3", "2019-06-15"))
        .await;
    let older = ynab
        .post(&transactions_path(), with_date("d:4", "2019-06-14"))
        .await;

    assert_eq!((tomorrow.status, five_years.status), (201, 201));
    assert_eq!((day_after.status, older.status), (400, 400));
    assert_eq!(
        day_after.detail(),
        "date must not be in the future or over 5 years ago"
    );
}

#[tokio::test]
async fn field_limits_and_enums_are_enforced_like_ynab() {
    let ynab = TestYnab::start().await;
    let cases = [
        (
            "payee_name",
            json!("p".repeat(201)),
            "payee_name is too long (maximum is 200 characters)",
        ),
        (
            "import_id",
            json!("i".repeat(37)),
            "import_id is too long (maximum is 36 characters)",
        ),
        ("amount", json!(12.5), "amount must be an integer"),
        ("amount", json!("-1000"), "amount must be an integer"),
        (
            "cleared",
            json!("pending"),
            "cleared \"pending\" is not one of cleared, uncleared, reconciled",
        ),
        (
            "flag_color",
            json!("pink"),
            "flag_color \"pink\" is not one of red, orange, yellow, green, blue, purple",
        ),
        (
            "date",
            json!("14-06-2024"),
            "date \"14-06-2024\" is not a valid ISO date (YYYY-MM-DD)",
        ),
        ("category_id", json!(HOSTING), "does not exist in this plan"),
        (
            "payee_id",
            json!("c0000000-0000-4000-8000-00000000dead"),
            "does not exist in this plan",
        ),
        (
            "account_id",
            json!("not-a-uuid"),
            "account_id \"not-a-uuid\" is not a valid UUID",
        ),
    ];

    for (field, value, expected) in cases {
        let mut txn = new_txn("limits");
        txn[field] = value;
        let reply = ynab
            .post(&transactions_path(), json!({"transaction": txn}))
            .await;
        assert_eq!(reply.status, 400, "{field}");
        assert!(
            reply.detail().contains(expected),
            "{field}: {}",
            reply.detail()
        );
    }
    assert_eq!(ynab.state.count_by_import_id("limits"), 0);
}

#[tokio::test]
async fn malformed_and_incomplete_bodies_are_400_bad_request() {
    let ynab = TestYnab::start().await;

    let not_json = ynab
        .send_raw(
            reqwest::Method::POST,
            &transactions_path(),
            "{\"transaction\": ",
        )
        .await;
    let neither = ynab
        .post(&transactions_path(), json!({"something": 1}))
        .await;
    let empty_bulk = ynab
        .post(&transactions_path(), json!({"transactions": []}))
        .await;
    let no_amount = ynab
        .post(
            &transactions_path(),
            json!({"transaction": {"account_id": CHECKING, "date": "2024-06-14"}}),
        )
        .await;

    for reply in [&not_json, &neither, &empty_bulk, &no_amount] {
        assert_eq!(reply.status, 400);
        assert_eq!(reply.body["error"]["name"], "bad_request");
    }
    assert_eq!(no_amount.detail(), "amount is required");
}

#[tokio::test]
async fn a_payee_name_resolves_to_the_existing_payee_of_that_name() {
    let ynab = TestYnab::start().await;
    let mut txn = new_txn("bunq:20");
    txn["payee_name"] = json!("Albert Heijn");

    let reply = ynab
        .post(&transactions_path(), json!({"transaction": txn}))
        .await;
    let existing = ynab
        .get(&format!("{}/{GROCERIES_TXN}", transactions_path()))
        .await;

    assert_eq!(
        reply.data()["transaction"]["payee_id"],
        existing.data()["transaction"]["payee_id"]
    );
}

#[tokio::test]
async fn a_transfer_payee_creates_a_transfer_with_its_mirror_in_the_other_account() {
    let ynab = TestYnab::start().await;
    let txn = json!({"account_id": CHECKING, "date": "2024-06-14", "amount": -50_000,
                     "payee_id": SAVINGS_TRANSFER_PAYEE, "category_id": GROCERIES,
                     "memo": "to savings", "import_id": "bunq:30"});

    let reply = ynab
        .post(&transactions_path(), json!({"transaction": txn}))
        .await;

    let created = &reply.data()["transaction"];
    assert_eq!(created["transfer_account_id"], SAVINGS);
    assert_eq!(
        created["category_id"],
        Value::Null,
        "on-budget transfers have no category"
    );
    let mirror_id = created["transfer_transaction_id"]
        .as_str()
        .unwrap_or_default();
    let mirror = ynab
        .state
        .transaction(mirror_id)
        .expect("the mirror exists");
    assert_eq!(mirror.account_id, SAVINGS);
    assert_eq!(mirror.amount.0, 50_000);
    assert_eq!(mirror.import_id, None);
    assert_eq!(mirror.transfer_account_id.as_deref(), Some(CHECKING));
    assert_eq!(
        mirror.transfer_transaction_id.as_deref(),
        created["id"].as_str()
    );
    assert_eq!(mirror.payee_id.as_deref(), Some(CHECKING_TRANSFER_PAYEE));
    assert_eq!(
        reply.data()["transaction_ids"].as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn a_transfer_to_the_transactions_own_account_is_refused() {
    let ynab = TestYnab::start().await;
    let mut txn = new_txn("bunq:31");
    txn["payee_id"] = json!(CHECKING_TRANSFER_PAYEE);

    let reply = ynab
        .post(&transactions_path(), json!({"transaction": txn}))
        .await;

    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn updating_and_deleting_one_side_of_a_transfer_keeps_the_other_in_step() {
    let ynab = TestYnab::start().await;
    let path = format!("{}/{TRANSFER_OUT_TXN}", transactions_path());

    let updated = ynab
        .put(
            &path,
            json!({"transaction": {"amount": -120_000, "date": "2024-06-04"}}),
        )
        .await;
    let mirror = ynab.state.transaction(TRANSFER_IN_TXN).expect("mirror");
    let deleted = ynab.delete(&path).await;

    assert_eq!(updated.status, 200);
    assert_eq!(updated.data()["transaction"]["amount"], -120_000);
    assert_eq!((mirror.amount.0, mirror.date), (120_000, date(2024, 6, 4)));
    assert_eq!(deleted.data()["transaction"]["deleted"], true);
    assert!(
        ynab.state
            .transaction(TRANSFER_IN_TXN)
            .is_some_and(|t| t.deleted)
    );
}

#[tokio::test]
async fn a_put_changes_only_the_fields_it_sends() {
    let ynab = TestYnab::start().await;
    let path = format!("{}/{GROCERIES_TXN}", transactions_path());

    let reply = ynab
        .put(
            &path,
            json!({"transaction": {"category_id": EATING_OUT, "approved": false}}),
        )
        .await;

    let txn = &reply.data()["transaction"];
    assert_eq!(reply.status, 200);
    assert_eq!(txn["category_id"], EATING_OUT);
    assert_eq!(txn["category_name"], "Eating out");
    assert_eq!(txn["approved"], false);
    assert_eq!(txn["amount"], -12_340);
    assert_eq!(txn["payee_name"], "Albert Heijn");
}

#[tokio::test]
async fn a_patch_updates_by_id_or_import_id_and_answers_209() {
    let ynab = TestYnab::start().await;
    ynab.post(
        &transactions_path(),
        json!({"transaction": new_txn("bunq:40")}),
    )
    .await;

    let reply = ynab
        .patch(
            &transactions_path(),
            json!({"transactions": [
                {"id": GROCERIES_TXN, "memo": "weekly shop"},
                {"import_id": "bunq:40", "category_id": GROCERIES},
            ]}),
        )
        .await;
    let missing = ynab
        .patch(
            &transactions_path(),
            json!({"transactions": [{"memo": "who?"}]}),
        )
        .await;

    assert_eq!(reply.status, 209);
    assert_eq!(reply.data()["transactions"][0]["memo"], "weekly shop");
    assert_eq!(reply.data()["transactions"][1]["category_id"], GROCERIES);
    assert_eq!(missing.status, 400);
    assert!(missing.detail().ends_with("(index: 0)"));
}

#[tokio::test]
async fn writing_to_an_unknown_transaction_or_budget_is_404() {
    let ynab = TestYnab::start().await;
    let unknown = "00000000-0000-4000-8000-000000000000";

    let put = ynab
        .put(
            &format!("{}/{unknown}", transactions_path()),
            json!({"transaction": {"memo": "x"}}),
        )
        .await;
    let delete = ynab
        .delete(&format!("{}/{unknown}", transactions_path()))
        .await;
    let post = ynab
        .post(
            &format!("/plans/{unknown}/transactions"),
            json!({"transaction": new_txn("x")}),
        )
        .await;

    assert_eq!((put.status, delete.status, post.status), (404, 404, 404));
}
