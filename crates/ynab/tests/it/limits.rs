//! The hourly request budget: the client refuses rather than send a
//! request the hour has no room for, keeps the reserve for writes, and
//! counts other processes' requests from `X-Rate-Limit`.

use std::time::Duration;

use sandbox::SandboxConfig;
use sandbox::faults::Side;
use ynab::YnabError;

use crate::helpers::TestApp;

fn sandbox_with_limit(limit: u32) -> SandboxConfig {
    SandboxConfig {
        ynab_hourly_limit: limit,
        ..SandboxConfig::default()
    }
}

#[tokio::test]
async fn reads_stop_at_the_reserve_and_the_hour_is_never_exceeded() {
    let app = TestApp::spawn_with(SandboxConfig::default(), |c| {
        c.hourly_limit = 5;
        c.reserve = 2;
    })
    .await;

    for _ in 0..3 {
        app.client
            .budgets()
            .await
            .expect("within the read allowance");
    }
    let refused = app
        .client
        .budgets()
        .await
        .expect_err("reads leave the reserve");

    let YnabError::BudgetExhausted { resets_in } = refused else {
        panic!("{refused:?}")
    };
    assert!(resets_in > Duration::from_secs(3500) && resets_in <= Duration::from_secs(3605));
    let usage = app.client.usage();
    assert_eq!((usage.used, usage.limit, usage.rate_limited), (3, 5, 0));
}

#[tokio::test]
async fn writes_may_use_the_reserve_but_not_one_request_more() {
    let app = TestApp::spawn_with(SandboxConfig::default(), |c| {
        c.hourly_limit = 3;
        c.reserve = 2;
    })
    .await;
    let budget = app.budget();
    let txn = budget
        .transactions
        .iter()
        .find(|t| t.transfer_account_id.is_none())
        .expect("one");
    let patch = ynab::TransactionPatch {
        approved: Some(true),
        ..Default::default()
    };

    app.client.budgets().await.expect("the one read");
    app.client
        .update_transaction(&budget.id, &txn.id, &patch)
        .await
        .expect("first write");
    app.client
        .update_transaction(&budget.id, &txn.id, &patch)
        .await
        .expect("second write");
    let refused = app
        .client
        .update_transaction(&budget.id, &txn.id, &patch)
        .await;

    assert!(
        matches!(refused, Err(YnabError::BudgetExhausted { .. })),
        "{refused:?}"
    );
    assert_eq!(app.client.usage().used, 3);
}

#[tokio::test]
async fn another_process_requests_are_counted_from_the_rate_limit_header() {
    let app = TestApp::spawn_with(sandbox_with_limit(10), |c| {
        c.hourly_limit = 10;
        c.reserve = 0;
    })
    .await;
    let other = app.another_client(|c| {
        c.hourly_limit = 10;
        c.reserve = 0;
    });
    for _ in 0..6 {
        other.budgets().await.expect("the other process's reads");
    }

    app.client.budgets().await.expect("the first own read");
    let used_after_one = app.client.usage().used;
    for _ in 0..3 {
        app.client.budgets().await.expect("room left in the hour");
    }
    let refused = app.client.budgets().await;

    assert_eq!(used_after_one, 7);
    assert!(
        matches!(refused, Err(YnabError::BudgetExhausted { .. })),
        "{refused:?}"
    );
    assert_eq!(app.client.usage().rate_limited, 0);
}

#[tokio::test]
async fn a_429_at_the_hourly_limit_stops_the_client_without_a_burst_of_retries() {
    let app = TestApp::spawn_with(sandbox_with_limit(3), |c| c.reserve = 0).await;
    let other = app.another_client(|c| c.reserve = 0);
    for _ in 0..3 {
        other
            .budgets()
            .await
            .expect("the other process spends the hour");
    }

    let err = app.client.budgets().await.expect_err("the hour is spent");
    let again = app.client.budgets().await.expect_err("still spent");

    assert!(matches!(err, YnabError::BudgetExhausted { .. }), "{err:?}");
    assert!(
        matches!(again, YnabError::BudgetExhausted { .. }),
        "{again:?}"
    );
    let usage = app.client.usage();
    assert_eq!((usage.rate_limited, usage.retries, usage.limit), (1, 0, 3));
    let sent = app.sandbox.recorder().stats(Side::Ynab);
    assert_eq!((sent.total, sent.too_many_requests), (4, 1));
}
