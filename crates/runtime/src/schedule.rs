//! Cron schedules in a time zone: "hourly 06:00–23:00 Europe/Amsterdam" is
//! `0 0 6-23 * * *` (seconds first) evaluated in that zone, so it follows
//! summer and winter time.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A cron expression bound to a time zone.
#[derive(Clone, Debug)]
pub struct Schedule {
    expression: String,
    cron: cron::Schedule,
    zone: Tz,
}

/// A cron expression that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("{expression:?} is not a cron expression (sec min hour day month weekday): {reason}")]
pub struct ScheduleError {
    expression: String,
    reason: String,
}

impl Schedule {
    /// Parses a cron expression with six or seven fields (seconds first), or
    /// five fields (classic, minutes first; seconds are then 0).
    ///
    /// # Errors
    /// [`ScheduleError`] when the expression is malformed.
    pub fn parse(expression: &str, zone: Tz) -> Result<Self, ScheduleError> {
        let trimmed = expression.trim();
        let fields = trimmed.split_whitespace().count();
        let full = if fields == 5 {
            format!("0 {trimmed}")
        } else {
            trimmed.to_owned()
        };
        let cron = cron::Schedule::from_str(&full).map_err(|e| ScheduleError {
            expression: expression.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            expression: trimmed.to_owned(),
            cron,
            zone,
        })
    }

    /// The next firing strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron
            .after(&after.with_timezone(&self.zone))
            .next()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The expression as configured.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The zone it is evaluated in.
    pub fn zone(&self) -> Tz {
        self.zone
    }
}

/// Runs `job` at every firing of `schedule` until SIGTERM or Ctrl-C. A
/// failed run is logged and the loop goes on: the next firing redoes it.
/// `name` names the job in logs (`ingest`, `training`).
///
/// # Errors
/// Only when the schedule never fires again.
pub async fn run_scheduled<F, Fut>(
    name: &str,
    schedule: &Schedule,
    mut job: F,
) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    tracing::info!(schedule = schedule.expression(), timezone = %schedule.zone(), "{name} serving");
    let shutdown = crate::shutdown::signal();
    tokio::pin!(shutdown);

    loop {
        let now = Utc::now();
        let next = schedule.next_after(now).ok_or_else(|| {
            anyhow::anyhow!(
                "the {name} schedule {:?} never fires again",
                schedule.expression()
            )
        })?;
        tracing::info!(next_run = %next, "waiting for the next {name} run");
        let wait = (next - now).to_std().unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = &mut shutdown => {
                tracing::info!("{name} stopping");
                return Ok(());
            }
        }
        if let Err(error) = job().await {
            tracing::warn!(
                error = format!("{error:#}"),
                "scheduled {name} failed; the next run retries"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Europe::Amsterdam;

    use super::*;

    #[test]
    fn hourly_daytime_schedule_follows_local_time() {
        let schedule = Schedule::parse("0 6-23 * * *", Amsterdam).expect("valid");
        // 22:30 UTC in summer is 00:30 local: the next run is 06:00 local.
        let after = Utc
            .with_ymd_and_hms(2024, 7, 1, 22, 30, 0)
            .single()
            .expect("valid");
        let next = schedule.next_after(after).expect("a next run");
        assert_eq!(
            next,
            Utc.with_ymd_and_hms(2024, 7, 2, 4, 0, 0)
                .single()
                .expect("valid")
        );
    }

    #[test]
    fn malformed_expressions_are_rejected() {
        assert!(Schedule::parse("every hour", Amsterdam).is_err());
    }
}
