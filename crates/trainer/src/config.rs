//! Configuration of the trainer, read once from the environment. Every
//! malformed or missing setting stops the service with one line that names
//! the variable.

use anyhow::Context;
use chrono_tz::Tz;
use runtime::env;
use runtime::schedule::Schedule;

/// Default schedule: Sundays at 21:00 (in `TIMEZONE`).
pub const DEFAULT_SCHEDULE: &str = "0 21 * * SUN";

/// Everything `trainer run` and `trainer serve` need.
#[derive(Debug)]
pub struct TrainerConfig {
    /// MongoDB (`MONGO_URI`, required; `MONGO_DB`, `MONGO_USER`,
    /// `MONGO_PASSWORD`).
    pub mongo: store::MongoConfig,
    /// When `serve` trains (`TRAINER_SCHEDULE`, cron, default
    /// `0 21 * * SUN`).
    pub schedule: Schedule,
    /// How models are trained and judged.
    pub learning: LearningSettings,
    /// Days a YNAB date may differ from its payment's local date when
    /// matching history (`MATCH_WINDOW_DAYS`, default 2).
    pub match_window_days: i64,
    /// A new version is promoted when its macro-F1 is at most this much
    /// below the promoted one's (`PROMOTION_TOLERANCE`, default 0.025).
    pub promotion_tolerance: f64,
    /// Versions kept per budget besides the promoted one
    /// (`MODEL_RETENTION`, default 5).
    pub keep_models: usize,
}

/// What training and offline evaluation share (no database needed).
#[derive(Clone, Copy, Debug)]
pub struct LearningSettings {
    /// Local time zone for dates and schedules (`TIMEZONE`, default
    /// Europe/Amsterdam).
    pub timezone: Tz,
    /// The confidence below which the sync leaves a transaction
    /// uncategorised (`CATEGORY_CONFIDENCE_THRESHOLD`, default 0.6).
    pub threshold: f64,
}

impl LearningSettings {
    /// Reads `TIMEZONE` and `CATEGORY_CONFIDENCE_THRESHOLD`.
    ///
    /// # Errors
    /// When either is malformed, or the threshold is outside [0, 1].
    pub fn from_env() -> anyhow::Result<Self> {
        let timezone = settings::timezone_from_env()?;
        let threshold = env::optional_with("CATEGORY_CONFIDENCE_THRESHOLD", |v| {
            match v.parse::<f64>() {
                Ok(t) if (0.0..=1.0).contains(&t) => Ok(t),
                _ => Err("expected a number between 0 and 1"),
            }
        })?
        .unwrap_or(learning::DEFAULT_CONFIDENCE_THRESHOLD);
        Ok(Self {
            timezone,
            threshold,
        })
    }
}

impl TrainerConfig {
    /// Reads the configuration from the environment.
    ///
    /// # Errors
    /// One error naming the first variable that is missing or malformed.
    pub fn from_env() -> anyhow::Result<Self> {
        let learning = LearningSettings::from_env()?;
        let schedule = env::optional("TRAINER_SCHEDULE").unwrap_or_else(|| DEFAULT_SCHEDULE.into());
        let schedule =
            Schedule::parse(&schedule, learning.timezone).context("TRAINER_SCHEDULE is invalid")?;
        Ok(Self {
            mongo: settings::mongo_from_env()?,
            schedule,
            learning,
            match_window_days: env::parsed_or(
                "MATCH_WINDOW_DAYS",
                domain::matching::DEFAULT_WINDOW_DAYS,
            )?,
            promotion_tolerance: env::parsed_or(
                "PROMOTION_TOLERANCE",
                crate::registry::DEFAULT_TOLERANCE,
            )?,
            keep_models: env::parsed_or("MODEL_RETENTION", crate::registry::DEFAULT_KEEP)?,
        })
    }
}
