//! The trainer service: per YNAB budget, match YNAB transactions with bunq
//! payments (`matched_transactions`), train and evaluate the candidate
//! models on that history, store the new version in `models` and promote
//! it when it is good enough. `run` trains once, `serve` on a weekly
//! schedule; `export` and `evaluate` work on JSON Lines data sets offline.
#![doc = include_str!("../README.md")]

pub mod cli;
pub mod config;
pub mod evaluate;
pub mod export;
pub mod jsonl;
pub mod matching;
pub mod ops;
pub mod registry;
pub mod serve;
pub mod training;

pub use config::{LearningSettings, TrainerConfig};
pub use training::Trainer;
