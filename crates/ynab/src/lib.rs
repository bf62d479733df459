//! The YNAB API client: budgets (plans), accounts, categories and
//! transactions with delta requests, bulk creates, and request accounting
//! that keeps every process sharing a token under YNAB's hourly limit.
#![doc = include_str!("../README.md")]

mod accounting;
mod client;
mod config;
mod envelope;
mod error;
mod http;
mod transactions;

pub use accounting::Usage;
pub use client::{Delta, YnabClient};
pub use config::{
    DEFAULT_BASE_URL, DEFAULT_HOURLY_LIMIT, DEFAULT_RESERVE, DEFAULT_TIMEOUT, PathStyle, YnabConfig,
};
pub use error::YnabError;
pub use transactions::{
    CREATE_CHUNK_SIZE, Cleared, CreateOutcome, FlagColor, NewTransaction, TransactionPatch,
};
