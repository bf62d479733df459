//! Every answer of the sandbox's bunq half, checked against bunq's
//! swagger: the context flow and what the client reads (captured on the
//! wire by the proxy), users of all three kinds, monetary accounts of every
//! type (all, by type, one), payments paged and single, notification
//! filters, and error answers.

use std::collections::BTreeSet;

use bunq::NotificationFilter;
use contract::ErrorSchema;
use domain::bunq::AccountType;
use sandbox::household::UserKind;
use sandbox::{BunqLimits, SandboxConfig};
use test_support::TestDb;

use super::helpers::*;
use super::proxy::{Exchange, RecordingProxy};

/// Checks each relayed answer and names the operations they cover.
fn check_all(exchanges: &[Exchange]) -> BTreeSet<String> {
    let spec = bunq_spec();
    let mut covered = BTreeSet::new();
    for exchange in exchanges {
        let (method, path) = (&exchange.method, &exchange.path);
        assert_eq!(exchange.status, 200, "{method} {path}: {}", exchange.body);
        assert_keeps(spec.validate_response(method, path, exchange.status, &exchange.body));
        let operation = spec
            .operation(method, path)
            .expect("a documented operation");
        covered.insert(operation.name());
    }
    covered
}

fn assert_covers(covered: &BTreeSet<String>, expected: &[&str]) {
    for operation in expected {
        assert!(
            covered.contains(*operation),
            "{operation} not covered: {covered:#?}"
        );
    }
}

#[tokio::test]
async fn every_answer_the_bunq_client_receives_matches_the_swagger() {
    let sandbox = sandbox().await;
    let proxy = RecordingProxy::start(sandbox.bunq_root()).await;
    let db = TestDb::new().await;
    let client = bunq_client(proxy.url(), &db);

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
    let filter = NotificationFilter::mutation("https://callback.example/payment");
    client
        .set_notification_filters(&[filter])
        .await
        .expect("filters set");
    client.notification_filters().await.expect("filters read");

    let covered = check_all(&proxy.exchanges());
    assert_covers(
        &covered,
        &[
            "POST /installation",
            "POST /device-server",
            "POST /session-server",
            "GET /user/{userID}/monetary-account",
            "GET /user/{userID}/monetary-account/{monetary-accountID}/payment",
            "GET /user/{userID}/monetary-account/{monetary-accountID}/payment/{itemId}",
            "POST /user/{userID}/notification-filter-url",
            "GET /user/{userID}/notification-filter-url",
        ],
    );
    sandbox.shutdown().await;
    db.drop_now().await;
}

#[tokio::test]
async fn users_accounts_of_every_type_and_payment_pages_match_the_swagger() {
    let sandbox = sandbox().await;
    let db = TestDb::new().await;
    exchange(&bunq_client(sandbox.bunq_url(), &db)).await;
    let (token, user) = session(&db).await;
    let raw = BunqRaw {
        http: http(),
        root: sandbox.bunq_root(),
        token,
    };

    let mut paths = vec![
        "/v1/user".to_owned(),
        format!("/v1/user/{user}"),
        format!("/v1/user/{user}/monetary-account?count=2"),
    ];
    for account in sandbox.household().accounts.clone() {
        let typed = match account.kind {
            AccountType::Bank => "monetary-account-bank",
            AccountType::Savings => "monetary-account-savings",
            AccountType::Joint => "monetary-account-joint",
            _ => continue,
        };
        paths.push(format!("/v1/user/{user}/{typed}"));
        paths.push(format!("/v1/user/{user}/{typed}/{}", account.id));
        paths.push(format!("/v1/user/{user}/monetary-account/{}", account.id));
    }
    let first = &sandbox.household().accounts[0];
    let payments = format!("/v1/user/{user}/monetary-account/{}/payment", first.id);
    paths.push(format!("{payments}?count=5"));

    let spec = bunq_spec();
    let mut older = None;
    for path in &paths {
        let answer = raw.get(path).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        let bare = path.split('?').next().unwrap_or(path);
        assert_keeps(spec.validate_response("GET", bare, 200, &answer.body));
        older = older.or(answer.body["Pagination"]["older_url"]
            .as_str()
            .map(str::to_owned));
    }
    let older = older.expect("a five-item page of payments links to older ones");
    let answer = raw.get(&older).await;
    let bare = older.split('?').next().unwrap_or(&older);
    assert_keeps(spec.validate_response("GET", bare, 200, &answer.body));

    sandbox.shutdown().await;
    db.drop_now().await;
}

#[tokio::test]
async fn company_and_api_key_users_match_the_swagger() {
    for kind in [UserKind::Company, UserKind::ApiKey] {
        let sandbox = start(SandboxConfig {
            user_kind: kind,
            ..SandboxConfig::without_rate_limits()
        })
        .await;
        let proxy = RecordingProxy::start(sandbox.bunq_root()).await;
        let db = TestDb::new().await;
        exchange(&bunq_client(proxy.url(), &db)).await;
        let (token, user) = session(&db).await;
        let raw = BunqRaw {
            http: http(),
            root: sandbox.bunq_root(),
            token,
        };

        let covered = check_all(&proxy.exchanges());
        for path in ["/v1/user".to_owned(), format!("/v1/user/{user}")] {
            let answer = raw.get(&path).await;
            assert_keeps(bunq_spec().validate_response("GET", &path, answer.status, &answer.body));
        }

        assert!(
            covered.contains("POST /session-server"),
            "{kind:?}: {covered:?}"
        );
        sandbox.shutdown().await;
        db.drop_now().await;
    }
}

/// A sandbox enforcing bunq's limits over a 30 s window, a session on it,
/// and raw callers with that session and with a bogus token.
async fn limited_bench() -> (sandbox::Sandbox, TestDb, BunqRaw, BunqRaw, i64) {
    let limits = BunqLimits {
        window: std::time::Duration::from_secs(30),
        ..BunqLimits::default()
    };
    let config = SandboxConfig {
        bunq_limits: limits,
        ..SandboxConfig::default()
    };
    let sandbox = start(config).await;
    let db = TestDb::new().await;
    exchange(&bunq_client(sandbox.bunq_url(), &db)).await;
    let (token, user) = session(&db).await;
    let raw = |token: String| BunqRaw {
        http: http(),
        root: sandbox.bunq_root(),
        token,
    };
    let (own, stranger) = (raw(token), raw("not-a-session".to_owned()));
    (sandbox, db, own, stranger, user)
}

#[tokio::test]
async fn bunq_error_answers_match_the_swagger_error_shape() {
    let (sandbox, db, raw, stranger, user) = limited_bench().await;
    let account = sandbox.household().accounts[0].id;
    let payment = format!("/v1/user/{user}/monetary-account/{account}/payment");
    let other_user = format!("/v1/user/{}", user + 1);
    let unknown_payment = format!("{payment}/999999999");
    let users = "/v1/user".to_owned();

    let cases = [
        (
            raw.get(&format!("{payment}?count=500")).await,
            &payment,
            400,
        ),
        (stranger.get(&users).await, &users, 401),
        (raw.get(&other_user).await, &other_user, 403),
        (raw.get(&unknown_payment).await, &unknown_payment, 404),
    ];

    let spec = bunq_spec();
    for (answer, path, status) in &cases {
        assert_eq!(answer.status, *status, "{path}: {}", answer.body);
        let used = spec.validate_error_response("GET", path, answer.status, &answer.body);
        // The swagger lists only 400; the others use its shared GenericError.
        let expected = if *status == 400 {
            ErrorSchema::Documented
        } else {
            ErrorSchema::Shared
        };
        assert_eq!(used.unwrap_or_else(|e| panic!("{e}")), expected, "{path}");
    }
    sandbox.shutdown().await;
    db.drop_now().await;
}

#[tokio::test]
async fn the_bunq_rate_limit_answer_matches_the_swagger_error_shape() {
    let (sandbox, db, raw, _, user) = limited_bench().await;
    let path = format!("/v1/user/{user}/monetary-account");

    // Three GETs of one endpoint fit the window; the fourth is refused.
    for _ in 0..3 {
        raw.get(&path).await;
    }
    let limited = raw.get(&path).await;

    assert_eq!(limited.status, 429, "{}", limited.body);
    bunq_spec()
        .validate_error_response("GET", &path, 429, &limited.body)
        .unwrap_or_else(|e| panic!("{e}"));
    sandbox.shutdown().await;
    db.drop_now().await;
}
