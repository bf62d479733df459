//! The sync worker: claims payments from the queue with a lease, plans each
//! one's YNAB transaction, asks the model server for a category, creates
//! the transactions in bulk per budget and records every outcome. YNAB's
//! `import_id` makes every create safe to repeat, so a crash, a retry or a
//! second worker never duplicates a transaction.
#![doc = include_str!("../README.md")]

mod batch;
pub mod cli;
pub mod commands;
pub mod config;
mod create;
mod drain;
mod links;
pub mod ops;
pub mod serve;
mod worker;

pub use config::{QueueConfig, SyncConfig};
pub use drain::DrainSummary;
pub use worker::SyncWorker;
