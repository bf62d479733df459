//! The MongoDB adapter every service shares: one [`Store`] handle over the
//! `bunq_ynab_connect` database.
#![doc = include_str!("../README.md")]

mod bson_json;
mod bulk;
pub mod collections;
mod config;
pub mod context;
mod documents;
mod error;
mod queue;
mod records;
mod replace;
mod runs;
mod store;

pub use bulk::{MAX_BATCH, UpsertCounts};
pub use config::{DEFAULT_DATABASE, MongoConfig, redact_uri};
pub use error::{Result, StoreError};
pub use queue::PENDING;
pub use runs::RunMoment;
pub use store::Store;
