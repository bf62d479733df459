//! Users, accounts of every type, payments paged newest first, and
//! notification filters, read the way a client reads them.

use std::collections::HashSet;

use domain::bunq::{AccountType, MonetaryAccount, Payment};
use serde_json::json;

use crate::helpers::{Bunq, sandbox};

#[tokio::test]
async fn the_account_list_holds_every_account_wrapped_by_its_type() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;

    let answer = bunq
        .get(&bunq.user_path("/monetary-account?count=200"))
        .await;
    let savings = bunq.get(&bunq.user_path("/monetary-account-savings")).await;

    let items = answer.json()["Response"].as_array().expect("list").clone();
    let accounts: Vec<MonetaryAccount> = items
        .iter()
        .map(|i| MonetaryAccount::from_wrapped(i).expect("account"))
        .collect();
    let kinds: HashSet<AccountType> = accounts.iter().map(|a| a.account_type).collect();
    assert_eq!(accounts.len(), sandbox.household().accounts.len());
    assert!(kinds.contains(&AccountType::Bank));
    assert!(kinds.contains(&AccountType::Savings));
    assert!(kinds.contains(&AccountType::Joint));
    assert!(accounts.iter().all(|a| a.iban.is_some()));
    let savings = savings.json()["Response"].as_array().expect("list").clone();
    assert_eq!(savings.len(), 1);
    assert!(savings[0].get("MonetaryAccountSavings").is_some());
}

#[tokio::test]
async fn following_older_url_with_count_200_walks_every_payment_newest_first() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;
    let account = &sandbox.household().accounts[0];

    let mut path = bunq.user_path(&format!(
        "/monetary-account/{}/payment?count=200",
        account.id
    ));
    let mut seen: Vec<Payment> = Vec::new();
    let mut pages = 0;
    loop {
        let answer = bunq.get(&path).await;
        assert_eq!(answer.status, 200);
        let body = answer.json();
        for item in body["Response"].as_array().expect("list") {
            seen.push(Payment::from_json(item).expect("payment"));
        }
        pages += 1;
        match body["Pagination"]["older_url"].as_str() {
            Some(older) => path = older.to_owned(),
            None => break,
        }
    }

    let expected = sandbox.bunq().payment_count(account.id);
    assert_eq!(seen.len(), expected);
    assert_eq!(pages, expected.div_ceil(200));
    assert!(
        seen.windows(2)
            .all(|w| w[0].id > w[1].id && w[0].created >= w[1].created)
    );
    assert!(seen.iter().all(|p| p.monetary_account_id == account.id));
}

#[tokio::test]
async fn the_first_page_offers_a_future_url_and_newer_pages_come_back_newest_first() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;
    let account = sandbox.household().accounts[0].id;
    let base = bunq.user_path(&format!("/monetary-account/{account}/payment"));

    let first = bunq.get(&base).await.json();
    let newest = first["Response"][0]["Payment"]["id"].as_i64().expect("id");
    let oldest = first["Response"][9]["Payment"]["id"].as_i64().expect("id");
    let expected_path = format!("/v1{base}");

    assert_eq!(
        first["Response"].as_array().expect("list").len(),
        10,
        "default count is 10"
    );
    assert_eq!(first["Pagination"]["newer_url"], serde_json::Value::Null);
    assert_eq!(
        first["Pagination"]["future_url"],
        format!("{expected_path}?count=10&newer_id={newest}")
    );
    assert_eq!(
        first["Pagination"]["older_url"],
        format!("{expected_path}?count=10&older_id={oldest}")
    );
}

#[tokio::test]
async fn a_count_above_200_is_refused() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;
    let account = sandbox.household().accounts[0].id;

    let answer = bunq
        .get(&bunq.user_path(&format!("/monetary-account/{account}/payment?count=201")))
        .await;

    assert_eq!(answer.status, 400);
    assert!(answer.error().contains("count"), "{}", answer.error());
}

#[tokio::test]
async fn one_payment_is_read_by_id_and_an_unknown_one_is_404() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;
    let known = &sandbox.household().payments[0];
    let path = |id: i64| {
        bunq.user_path(&format!(
            "/monetary-account/{}/payment/{id}",
            known.account_id
        ))
    };

    let found = bunq.get(&path(known.id)).await;
    let missing = bunq.get(&path(1)).await;

    let payment = Payment::from_json(&found.json()["Response"][0]).expect("payment");
    assert_eq!(payment.id, known.id);
    assert_eq!(payment.amount, known.amount);
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn notification_filters_are_replaced_as_a_set_and_at_most_two_per_category() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;
    let path = bunq.user_path("/notification-filter-url");
    let filter = |url: &str| json!({"category": "MUTATION", "notification_target": url});

    let set = bunq
        .post(
            &path,
            &json!({"notification_filters": [filter("https://a.example/p")]}),
        )
        .await;
    let replaced =
        bunq.post(&path, &json!({"notification_filters": [filter("https://b.example/p"), filter("https://c.example/p")]})).await;
    let listed = bunq.get(&path).await.json();
    let three = [
        filter("https://a.example/p"),
        filter("https://b.example/p"),
        filter("https://c.example/p"),
    ];
    let too_many = bunq
        .post(&path, &json!({"notification_filters": three}))
        .await;

    assert_eq!(set.status, 200);
    assert_eq!(replaced.status, 200);
    let targets: Vec<&str> = listed["Response"]
        .as_array()
        .expect("list")
        .iter()
        .map(|f| {
            f["NotificationFilterUrl"]["notification_target"]
                .as_str()
                .expect("target")
        })
        .collect();
    // A listing, so newest first like every bunq listing.
    assert_eq!(targets, ["https://c.example/p", "https://b.example/p"]);
    assert_eq!(too_many.status, 400);
    assert_eq!(
        sandbox.bunq().notification_filters().len(),
        2,
        "a refused set changes nothing"
    );
}

#[tokio::test]
async fn another_users_resources_are_not_shown() {
    let sandbox = sandbox().await;
    let bunq = Bunq::connect(&sandbox).await;

    let answer = bunq
        .get(&format!("/user/{}/monetary-account", bunq.user_id + 1))
        .await;

    assert_eq!(answer.status, 403);
}
