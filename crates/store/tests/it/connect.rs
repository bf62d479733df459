//! Connecting: a reachable server, an unreachable one, a malformed URI.

use std::time::Duration;

use mongodb::bson::doc;
use secrecy::SecretString;
use store::{MongoConfig, Store, StoreError};
use test_support::TestDb;

#[tokio::test]
async fn connecting_to_the_test_server_uses_the_configured_database() {
    let db = TestDb::new().await;
    let mut config = MongoConfig::new(db.uri());
    config.database = db.name().to_owned();

    let store = Store::connect(&config).await.expect("connect");
    store.ensure_indexes().await.expect("indexes");

    assert_eq!(store.database().name(), db.name());
    assert_eq!(
        store.count("bunq_accounts", doc! {}).await.expect("count"),
        0
    );
    db.drop_now().await;
}

#[tokio::test]
async fn an_unreachable_server_is_a_clear_error_without_credentials() {
    // Port 1 on the loopback interface: nothing listens there.
    let mut config = MongoConfig::new("mongodb://app:s3cret@127.0.0.1:1/?directConnection=true");
    config.password = Some(SecretString::from("other-s3cret"));
    config.user = Some("app".to_owned());
    config.connect_timeout = Duration::from_millis(300);
    config.server_selection_timeout = Duration::from_millis(300);

    let err = Store::connect(&config)
        .await
        .expect_err("nothing listens on port 1");

    assert!(matches!(err, StoreError::Unreachable { .. }), "{err:?}");
    let message = format!("{err:#}");
    assert_eq!(
        message,
        "could not reach MongoDB at mongodb://***@127.0.0.1:1/?directConnection=true"
    );
    assert!(!format!("{err:?}").contains("s3cret"));
}

#[tokio::test]
async fn a_malformed_uri_is_reported_without_its_credentials() {
    let config = MongoConfig::new("mongodb://app:s3cret@127.0.0.1:notaport/");

    let err = Store::connect(&config).await.expect_err("malformed");

    assert!(matches!(err, StoreError::InvalidUri { .. }), "{err:?}");
    assert!(!err.to_string().contains("s3cret"), "{err}");
}
