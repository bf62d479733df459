//! The restarter: restarts the containers that ask for it through labels —
//! on a cron schedule, or when Docker reports them unhealthy — and nothing
//! else. Every restart is logged with the container's name and id and
//! recorded in the `runs` collection (job `restart`).
#![doc = include_str!("../README.md")]

pub mod check;
pub mod cli;
pub mod config;
pub mod docker;
pub mod inventory;
pub mod labels;
pub mod manual;
pub mod ops;
pub mod restart;
pub mod runs;
pub mod serve;

pub use config::RestarterConfig;
pub use serve::serve;
