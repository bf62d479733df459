//! Configuration of the ingest service, read once from the environment.
//! Every malformed or missing setting stops the service with one line that
//! names the variable.

use std::time::Duration;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use chrono_tz::Tz;
use runtime::{env, schedule::Schedule};
use secrecy::SecretString;

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
        let timezone = timezone_from_env()?;
        let schedule = env::optional("INGEST_SCHEDULE").unwrap_or_else(|| DEFAULT_SCHEDULE.into());
        let schedule =
            Schedule::parse(&schedule, timezone).context("INGEST_SCHEDULE is invalid")?;
        let ynab_history_since =
            env::optional_with("YNAB_HISTORY_SINCE", domain::time::parse_date)?
                .unwrap_or(NaiveDate::from_ymd_opt(2000, 1, 1).context("valid constant date")?);
        let overlap_secs: u64 = env::parsed_or("BUNQ_OVERLAP_SECS", 600)?;

        Ok(Self {
            mongo: mongo_from_env()?,
            bunq: bunq_from_env()?,
            ynab: ynab_from_env()?,
            timezone,
            schedule,
            ynab_history_since,
            bunq_overlap: Duration::from_secs(overlap_secs),
        })
    }
}

/// `TIMEZONE`, default Europe/Amsterdam.
///
/// # Errors
/// When it is not an IANA zone name.
pub fn timezone_from_env() -> anyhow::Result<Tz> {
    Ok(
        env::optional_with("TIMEZONE", |v| v.parse::<Tz>())?
            .unwrap_or(chrono_tz::Europe::Amsterdam),
    )
}

/// MongoDB settings shared by every service.
///
/// # Errors
/// When `MONGO_URI` is missing or not a MongoDB URI.
pub fn mongo_from_env() -> anyhow::Result<store::MongoConfig> {
    let uri = env::required_with("MONGO_URI", |v| {
        if v.starts_with("mongodb://") || v.starts_with("mongodb+srv://") {
            Ok(v.to_owned())
        } else {
            Err("expected a mongodb:// or mongodb+srv:// URI")
        }
    })?;
    let mut config = store::MongoConfig::new(uri);
    if let Some(database) = env::optional("MONGO_DB") {
        config.database = database;
    }
    config.user = env::optional("MONGO_USER");
    config.password = env::optional("MONGO_PASSWORD").map(SecretString::from);
    Ok(config)
}

/// bunq settings: `BUNQ_ENVIRONMENT` has no silent default.
///
/// # Errors
/// When `BUNQ_ENVIRONMENT` is missing or not PRODUCTION/SANDBOX, or
/// `BUNQ_API_URL` is not a URL.
pub fn bunq_from_env() -> anyhow::Result<bunq::BunqConfig> {
    let environment = env::required_with("BUNQ_ENVIRONMENT", |v| match v {
        "PRODUCTION" => Ok(bunq::Environment::Production),
        "SANDBOX" => Ok(bunq::Environment::Sandbox),
        _ => Err("expected PRODUCTION or SANDBOX"),
    })?;
    let mut config = bunq::BunqConfig::new(environment);
    if let Some(url) = env::optional_url("BUNQ_API_URL")? {
        config.base_url = url;
    }
    Ok(config)
}

/// YNAB settings.
///
/// # Errors
/// When `YNAB_TOKEN` is missing or `YNAB_API_URL` is not a URL.
pub fn ynab_from_env() -> anyhow::Result<ynab::YnabConfig> {
    let token = env::required("YNAB_TOKEN")?;
    if token.chars().any(char::is_whitespace) {
        bail!("YNAB_TOKEN is invalid: it contains white space");
    }
    let mut config = ynab::YnabConfig::new(SecretString::from(token));
    if let Some(url) = env::optional_url("YNAB_API_URL")? {
        config.base_url = url;
    }
    Ok(config)
}
