//! Configuration of the ingest service, read once from the environment.
//! Every malformed or missing setting stops the service with one line that
//! names the variable.

use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDate;
use chrono_tz::Tz;
use runtime::{env, schedule::Schedule};

/// Default schedule: on the hour, 06:00 to 23:00.
pub const DEFAULT_SCHEDULE: &str = "0 6-23 * * *";

/// Everything `ingest` needs to know at start.
#[derive(Debug)]
pub struct IngestConfig {
    /// MongoDB connection (`MONGO_URI`, `MONGO_DB`, `MONGO_USER`, `MONGO_PASSWORD`).
    pub mongo: store::MongoConfig,
    /// bunq API (`BUNQ_ENVIRONMENT`, required; `BUNQ_API_URL` overrides the URL).
    pub bunq: bunq::BunqConfig,
    /// YNAB API (`YNAB_TOKEN`, required; `YNAB_API_URL` overrides the URL).
    pub ynab: ynab::YnabConfig,
    /// Local time zone for schedules and dates (`TIMEZONE`, default Europe/Amsterdam).
    pub timezone: Tz,
    /// When `serve` runs (`INGEST_SCHEDULE`, cron, default `0 6-23 * * *`).
    pub schedule: Schedule,
    /// How far back the first YNAB transaction load reaches
    /// (`YNAB_HISTORY_SINCE`, default 2000-01-01): YNAB otherwise sends only
    /// the last year.
    pub ynab_history_since: NaiveDate,
    /// Re-read this much before the last bunq run moment, to absorb clock
    /// skew between us and bunq (`BUNQ_OVERLAP_SECS`, default 600).
    pub bunq_overlap: Duration,
}

impl IngestConfig {
    /// Reads the configuration from the environment.
    ///
    /// # Errors
    /// One error naming the first variable that is missing or malformed.
    pub fn from_env() -> anyhow::Result<Self> {
        let timezone = settings::timezone_from_env()?;
        let schedule = env::optional("INGEST_SCHEDULE").unwrap_or_else(|| DEFAULT_SCHEDULE.into());
        let schedule =
            Schedule::parse(&schedule, timezone).context("INGEST_SCHEDULE is invalid")?;
        let ynab_history_since =
            env::optional_with("YNAB_HISTORY_SINCE", domain::time::parse_date)?
                .unwrap_or(NaiveDate::from_ymd_opt(2000, 1, 1).context("valid constant date")?);
        let overlap_secs: u64 = env::parsed_or("BUNQ_OVERLAP_SECS", 600)?;

        Ok(Self {
            mongo: settings::mongo_from_env()?,
            bunq: settings::bunq_from_env()?,
            ynab: settings::ynab_from_env()?,
            timezone,
            schedule,
            ynab_history_since,
            bunq_overlap: Duration::from_secs(overlap_secs),
        })
    }
}
