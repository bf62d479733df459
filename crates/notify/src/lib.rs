//! Failure notices and operations metrics. [`Notifier`] posts a
//! [`Notice`] to the configured webhook in the background;
//! [`OpsObserver`] is the `store` observer every service attaches, which
//! counts runs, payment outcomes and predictions and sends the notices.
#![doc = include_str!("../README.md")]

mod client;
mod config;
mod error;
mod gauges;
mod notice;
mod observer;

pub use client::Notifier;
pub use config::{DEFAULT_MIN_INTERVAL, DEFAULT_TIMEOUT, NotifyConfig, WebhookFormat};
pub use error::NotifyError;
pub use gauges::queue_depth_refresh;
pub use notice::{Notice, NoticeKind};
pub use observer::OpsObserver;
