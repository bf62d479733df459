#![doc = include_str!("../README.md")]

mod auth;
mod client;
mod config;
mod crypto;
mod envelope;
mod error;
mod exchange;
mod headers;
mod limiter;
mod notification;
mod session;
mod stats;
mod transport;

pub use client::BunqClient;
pub use config::{BunqConfig, Environment, Limit, RateLimits};
pub use error::{BunqError, DecodeError};
pub use notification::{MUTATION, NotificationFilter};
pub use stats::ClientStats;
