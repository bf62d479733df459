//! The [`Store`] handle: connecting, creating indexes, and the one wrapper
//! through which every driver call gets its timeout and its error context.

use std::collections::BTreeSet;
use std::future::{Future, IntoFuture};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use mongodb::bson::{Document, doc};
use mongodb::options::ClientOptions;
use mongodb::{Client, Collection, Database};
use secrecy::ExposeSecret;

use crate::collections::INDEXES;
use crate::config::MongoConfig;
use crate::error::{Result, StoreError};

/// The operation bound of a store built by [`Store::from_database`].
const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(60);

/// The application's MongoDB database. Cheap to clone; clones share the
/// connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    /// The database every collection lives in.
    pub(crate) db: Database,
    /// The bound on each single driver call.
    operation_timeout: Duration,
    /// Whether full loads try a transaction. Starts true and turns false,
    /// for every clone, the first time the server says it has none
    /// (a standalone server), so the refusal is paid for once.
    transactions: Arc<AtomicBool>,
    /// Told about finished runs, queue outcomes and classifications.
    pub(crate) observer: Option<Arc<dyn crate::StoreObserver>>,
}

impl Store {
    /// Connects to the configured server and checks that it answers.
    ///
    /// # Errors
    /// [`StoreError::InvalidUri`] for a malformed URI and
    /// [`StoreError::Unreachable`] when no server answers a ping within the
    /// configured timeouts. Neither message contains credentials.
    pub async fn connect(config: &MongoConfig) -> Result<Self> {
        let uri = config.redacted_uri();
        let options = client_options(config).await?;
        let client = Client::with_options(options).map_err(|source| StoreError::InvalidUri {
            uri: uri.clone(),
            source,
        })?;
        let store = Self {
            db: client.database(&config.database),
            operation_timeout: config.operation_timeout,
            transactions: Arc::new(AtomicBool::new(true)),
            observer: None,
        };

        let ping = store.db.run_command(doc! { "ping": 1 });
        match store.timed("ping", &config.database, ping).await {
            Ok(_) => {}
            Err(StoreError::Driver { source, .. }) => {
                return Err(StoreError::Unreachable { uri, source });
            }
            Err(other) => return Err(other),
        }
        tracing::info!(mongo.uri = %uri, mongo.database = %config.database, "connected to MongoDB");
        Ok(store)
    }

    /// A store on an already connected database (tests, tools).
    pub fn from_database(db: Database) -> Self {
        Self {
            db,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            transactions: Arc::new(AtomicBool::new(true)),
            observer: None,
        }
    }

    /// This store (and its clones), told to skip transactions as on a
    /// standalone server, where full loads upsert and then delete without
    /// one. Tests use it to exercise that path against a replica set.
    pub fn assume_standalone(self) -> Self {
        self.transactions.store(false, Ordering::Relaxed);
        self
    }

    /// The underlying database.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Creates every collection's indexes (see the crate docs). Idempotent:
    /// every service calls it at start.
    ///
    /// # Errors
    /// [`StoreError::Driver`] when the server refuses an index, for example
    /// because existing documents violate a unique key.
    pub async fn ensure_indexes(&self) -> Result<()> {
        let names: BTreeSet<&str> = INDEXES.iter().map(|i| i.collection).collect();
        for name in names {
            let models = INDEXES
                .iter()
                .filter(|i| i.collection == name)
                .map(|i| i.model());
            let collection = self.collection(name);
            let create = collection.create_indexes(models);
            self.timed("create indexes", name, create).await?;
        }
        tracing::debug!(mongo.database = %self.db.name(), "indexes ensured");
        Ok(())
    }

    /// How many documents of `collection` match `filter`.
    ///
    /// # Errors
    /// [`StoreError::Driver`] or [`StoreError::Timeout`].
    pub async fn count(&self, collection: &str, filter: Document) -> Result<u64> {
        let target = self.collection(collection);
        let count = target.count_documents(filter);
        self.timed("count", collection, count).await
    }

    /// A collection of plain documents.
    pub(crate) fn collection(&self, name: &str) -> Collection<Document> {
        self.db.collection(name)
    }

    /// Whether full loads should try a transaction.
    pub(crate) fn transactions_enabled(&self) -> bool {
        self.transactions.load(Ordering::Relaxed)
    }

    /// Remembers that the server has no transactions.
    pub(crate) fn disable_transactions(&self) {
        self.transactions.store(false, Ordering::Relaxed);
    }

    /// Runs one driver call with the operation timeout, naming the
    /// operation and collection in any error.
    pub(crate) async fn timed<T, F>(
        &self,
        operation: &'static str,
        collection: &str,
        call: F,
    ) -> Result<T>
    where
        F: IntoFuture<Output = mongodb::error::Result<T>>,
    {
        let call = call.into_future();
        let call = async {
            call.await
                .map_err(|source| StoreError::driver(operation, collection, source))
        };
        self.bounded(operation, collection, call).await
    }

    /// Runs `work` (one or more driver calls) within the operation
    /// timeout, as one operation on `collection`.
    pub(crate) async fn bounded<T>(
        &self,
        operation: &'static str,
        collection: &str,
        work: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        tokio::time::timeout(self.operation_timeout, work)
            .await
            .unwrap_or_else(|_| {
                Err(StoreError::Timeout {
                    operation,
                    collection: collection.to_owned(),
                    after: self.operation_timeout,
                })
            })
    }
}

/// The driver's options for `config`, credentials included.
async fn client_options(config: &MongoConfig) -> Result<ClientOptions> {
    let uri = config.redacted_uri();
    // Parsing resolves `mongodb+srv` names through DNS, so it is bounded too.
    let parsed = tokio::time::timeout(config.connect_timeout, ClientOptions::parse(&config.uri));
    let mut options = match parsed.await {
        Ok(result) => result.map_err(|source| StoreError::InvalidUri { uri, source })?,
        Err(_) => {
            let source = mongodb::error::Error::custom("resolving the URI timed out");
            return Err(StoreError::Unreachable { uri, source });
        }
    };

    options.app_name = Some("bunq-ynab-connect".to_owned());
    options.connect_timeout = Some(config.connect_timeout);
    options.server_selection_timeout = Some(config.server_selection_timeout);
    if let Some(user) = &config.user {
        let mut credential = options.credential.take().unwrap_or_default();
        credential.username = Some(user.clone());
        credential.password = config
            .password
            .as_ref()
            .map(|p| p.expose_secret().to_owned());
        options.credential = Some(credential);
    }
    Ok(options)
}
