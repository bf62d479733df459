//! The MongoDB adapter every service shares: one [`Store`] handle over the
//! `bunq_ynab_connect` database.
#![doc = include_str!("../README.md")]

mod bson_json;
mod bulk;
mod classifications;
pub mod collections;
mod config;
pub mod context;
mod documents;
mod error;
mod matched;
mod models;
mod models_read;
mod observer;
mod queue;
mod records;
mod replace;
mod runs;
mod store;

pub use bulk::{MAX_BATCH, UpsertCounts};
pub use classifications::ClassificationRecord;
pub use config::{DEFAULT_DATABASE, MongoConfig, redact_uri};
pub use error::{Result, StoreError};
pub use matched::{CategoryName, MatchedCounts, MatchedRow};
pub use models::{ModelCategoryRecord, ModelMetrics, ModelRecord, ModelStatus};
pub use observer::StoreObserver;
pub use queue::{
    ACCOUNT_NOT_LINKED, CLAIMED, ClaimedEntry, EntryOutcome, FAILED, Lease, PENDING, QueueEntry,
    SKIPPED, SYNCED,
};
pub use runs::RunMoment;
pub use store::Store;
