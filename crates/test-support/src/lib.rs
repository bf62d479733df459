//! Helpers shared by every crate's tests: a freshly named database on the
//! real MongoDB server (`MONGO_URI`), dropped when the test is done; a
//! small sandbox household and its admin API; and, behind features, the
//! services' configurations pointed at both.
#![doc = include_str!("../README.md")]
//!
//! ```no_run
//! # async fn demo() {
//! let db = test_support::TestDb::new().await;
//! db.database().collection::<mongodb::bson::Document>("things");
//! db.drop_now().await;
//! # }
//! ```

use std::time::Duration;

use mongodb::options::ClientOptions;
use mongodb::{Client, Database};

mod household;
#[cfg(feature = "ingest")]
mod services;

pub use household::{
    BUNQ_API_KEY, YNAB_TOKEN, add_fault, clear_faults, create_bunq_payment, history_end, household,
    linked_ynab_account, payment, ynab_count, ynab_transaction,
};
#[cfg(feature = "trainer")]
pub use services::trainer_config;
#[cfg(feature = "ingest")]
pub use services::{
    bunq_config, connect_ingest, ingest_config, ingest_once, mongo_config, quick_backoff,
    start_ingested, ynab_config,
};
#[cfg(feature = "sync-worker")]
pub use services::{sync_settings, sync_worker};

/// The server tests use when `MONGO_URI` is not set.
pub const DEFAULT_MONGO_URI: &str = "mongodb://127.0.0.1:27017";

/// How long a test waits to reach the server before it fails: long enough
/// for a busy CI machine, short enough to fail fast when none is running.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A database of its own for one test, on the server named by `MONGO_URI`.
///
/// Call [`TestDb::drop_now`] at the end of a test. If the test panics
/// first, `Drop` still removes the database, on a short-lived thread with
/// its own runtime, so that it works inside `#[tokio::test]` as well.
#[derive(Debug)]
pub struct TestDb {
    uri: String,
    name: String,
    client: Client,
    database: Database,
    dropped: bool,
}

impl TestDb {
    /// Connects, checks the server answers, and picks a fresh database
    /// name (`test_<uuid>`).
    ///
    /// # Panics
    /// When `MONGO_URI` is malformed or the server cannot be reached: a
    /// test cannot run without it.
    pub async fn new() -> Self {
        Self::on(&mongo_uri()).await
    }

    /// Like [`TestDb::new`], on the server at `uri` (a server a test
    /// started for itself).
    ///
    /// # Panics
    /// When `uri` is malformed or the server cannot be reached.
    pub async fn on(uri: &str) -> Self {
        let uri = uri.to_owned();
        let client = connect(&uri).await.unwrap_or_else(|e| panic!("{e:#}"));
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let database = client.database(&name);
        Self {
            uri,
            name,
            client,
            database,
            dropped: false,
        }
    }

    /// The server's URI.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The connected client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The test's database.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Drops the database now.
    ///
    /// # Panics
    /// When the server refuses: a leftover database would hide the cause.
    pub async fn drop_now(mut self) {
        self.dropped = true;
        if let Err(e) = self.database.drop().await {
            panic!("could not drop test database {}: {e}", self.name);
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // The client belongs to the test's runtime, which is blocked while
        // this runs; a new client on a runtime of its own avoids waiting on
        // it. Failures are ignored: this is a best-effort clean-up.
        let (uri, name) = (self.uri.clone(), self.name.clone());
        let cleanup = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(client) = connect(&uri).await {
                    let _ = client.database(&name).drop().await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

/// `MONGO_URI`, or [`DEFAULT_MONGO_URI`] when unset or blank.
pub fn mongo_uri() -> String {
    std::env::var("MONGO_URI")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_MONGO_URI.to_owned())
}

/// A client for `uri` whose server has answered a ping.
async fn connect(uri: &str) -> anyhow::Result<Client> {
    use anyhow::Context as _;

    let mut options = ClientOptions::parse(uri)
        .await
        .with_context(|| format!("MONGO_URI is not a MongoDB URI: {uri}"))?;
    options.connect_timeout = Some(CONNECT_TIMEOUT);
    options.server_selection_timeout = Some(CONNECT_TIMEOUT);
    options.app_name = Some("bunq-ynab-connect-tests".to_owned());
    let client = Client::with_options(options).context("could not build a MongoDB client")?;
    client
        .database("admin")
        .run_command(mongodb::bson::doc! { "ping": 1 })
        .await
        .with_context(|| format!("no MongoDB server answers at {uri} (set MONGO_URI)"))?;
    Ok(client)
}

#[cfg(test)]
mod tests {
    use mongodb::bson::{Document, doc};

    use super::*;

    async fn database_exists(client: &Client, name: &str) -> bool {
        let names = client.list_database_names().await.expect("list databases");
        names.iter().any(|n| n == name)
    }

    #[tokio::test]
    async fn each_test_database_has_a_fresh_name_and_drop_now_removes_it() {
        let first = TestDb::new().await;
        let second = TestDb::new().await;
        assert_ne!(first.name(), second.name());
        assert!(first.name().starts_with("test_"));

        first
            .database()
            .collection::<Document>("c")
            .insert_one(doc! {"x": 1})
            .await
            .expect("insert");
        let (client, name) = (first.client().clone(), first.name().to_owned());
        assert!(database_exists(&client, &name).await);

        first.drop_now().await;
        assert!(!database_exists(&client, &name).await);
        second.drop_now().await;
    }

    #[tokio::test]
    async fn dropping_without_drop_now_still_removes_the_database() {
        let db = TestDb::new().await;
        db.database()
            .collection::<Document>("c")
            .insert_one(doc! {"x": 1})
            .await
            .expect("insert");
        let (client, name) = (db.client().clone(), db.name().to_owned());

        drop(db);

        assert!(!database_exists(&client, &name).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_blocking_drop_also_works_on_a_multi_threaded_runtime() {
        let db = TestDb::new().await;
        db.database()
            .collection::<Document>("c")
            .insert_one(doc! {"x": 1})
            .await
            .expect("insert");
        let (client, name) = (db.client().clone(), db.name().to_owned());

        drop(db);

        assert!(!database_exists(&client, &name).await);
    }
}
