//! Plumbing every service shares: structured logging, configuration read
//! from environment variables with errors that name the variable, cron
//! schedules in a time zone, retry with exponential backoff, and Prometheus
//! metrics with `/health`.

pub mod backoff;
pub mod env;
pub mod metrics;
pub mod schedule;
pub mod shutdown;
pub mod telemetry;
