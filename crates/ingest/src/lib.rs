//! The ingest service: bunq monetary accounts and payments and YNAB budgets,
//! accounts, categories and transactions into MongoDB; every newly seen
//! payment is enqueued for the sync worker. `run` loads once, `serve` loads
//! on a schedule, `exchange-pat` binds a new bunq API key.

pub mod cli;
pub mod config;
pub mod exchange;
pub mod load;
pub mod ops;
pub mod serve;

pub use config::IngestConfig;
pub use load::{Ingest, RunSummary};
