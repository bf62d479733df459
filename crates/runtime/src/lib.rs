//! Plumbing every service shares: structured logging, configuration read
//! from environment variables with errors that name the variable, cron
//! schedules in a time zone, and retry with exponential backoff.

pub mod backoff;
pub mod env;
pub mod schedule;
pub mod shutdown;
pub mod telemetry;
