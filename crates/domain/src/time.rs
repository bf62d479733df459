//! Time as the two APIs write it: bunq's UTC `YYYY-MM-DD hh:mm:ss.ffffff`
//! strings, YNAB's calendar dates, and local dates in the configured time
//! zone (Europe/Amsterdam by default).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// bunq's timestamp layout (always UTC, microseconds).
const BUNQ_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.f";

/// Why a date or time could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not a bunq timestamp.
    #[error("{0:?} is not a bunq timestamp (YYYY-MM-DD hh:mm:ss.ffffff)")]
    BunqTimestamp(String),
    /// Not an ISO calendar date.
    #[error("{0:?} is not a date (YYYY-MM-DD)")]
    Date(String),
    /// Not a date or a date-time.
    #[error("{0:?} is neither a date (YYYY-MM-DD) nor a date-time (YYYY-MM-DD hh:mm[:ss])")]
    DateOrDateTime(String),
    /// A local time that does not exist or is ambiguous in the time zone.
    #[error("{0:?} does not name a single instant in {1}")]
    Ambiguous(String, Tz),
}

/// Parses a bunq timestamp, which is in UTC.
///
/// # Errors
/// Whole milliseconds of `duration`, for log fields and run records
/// (saturating: a duration past `u64::MAX` ms gives `u64::MAX`).
pub fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// [`TimeError::BunqTimestamp`] for any other layout.
pub fn parse_bunq_timestamp(text: &str) -> Result<DateTime<Utc>, TimeError> {
    NaiveDateTime::parse_from_str(text, BUNQ_FORMAT)
        .map(|naive| naive.and_utc())
        .map_err(|_| TimeError::BunqTimestamp(text.to_owned()))
}

/// Formats an instant the way bunq does.
pub fn format_bunq_timestamp(instant: DateTime<Utc>) -> String {
    instant.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

/// Parses an ISO calendar date (`2024-05-01`), as YNAB sends them.
///
/// # Errors
/// [`TimeError::Date`] for any other layout.
pub fn parse_date(text: &str) -> Result<NaiveDate, TimeError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| TimeError::Date(text.to_owned()))
}

/// The calendar date of an instant in a time zone: a payment at 23:30 UTC
/// on 31 March is on 1 April in Amsterdam.
pub fn local_date(instant: DateTime<Utc>, zone: Tz) -> NaiveDate {
    instant.with_timezone(&zone).date_naive()
}

/// Parses a date (`2024-01-01`, meaning its first instant) or a date-time
/// (`2024-01-01 08:00`, `2024-01-01T08:00:00`) in the given time zone. A
/// trailing `Z` or offset is honoured.
///
/// # Errors
/// [`TimeError`] for other layouts and for local times that do not exist
/// (the hour skipped when summer time starts).
pub fn parse_local_instant(text: &str, zone: Tz) -> Result<DateTime<Utc>, TimeError> {
    let trimmed = text.trim();
    if let Ok(aware) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(aware.with_timezone(&Utc));
    }
    let naive = parse_naive(trimmed).ok_or_else(|| TimeError::DateOrDateTime(text.to_owned()))?;
    zone.from_local_datetime(&naive)
        .single()
        .map(|local| local.with_timezone(&Utc))
        .ok_or_else(|| TimeError::Ambiguous(text.to_owned(), zone))
}

fn parse_naive(text: &str) -> Option<NaiveDateTime> {
    const LAYOUTS: [&str; 4] = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ];
    LAYOUTS
        .iter()
        .find_map(|layout| NaiveDateTime::parse_from_str(text, layout).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

#[cfg(test)]
mod tests {
    use chrono_tz::Europe::Amsterdam;

    use super::*;

    #[test]
    fn millis_are_whole_and_saturate() {
        assert_eq!(millis(std::time::Duration::from_micros(2_999)), 2);
        assert_eq!(millis(std::time::Duration::MAX), u64::MAX);
    }

    #[test]
    fn bunq_timestamps_round_trip() {
        let text = "2024-05-01 10:11:12.123456";
        let instant = parse_bunq_timestamp(text).expect("valid");
        assert_eq!(format_bunq_timestamp(instant), text);
        assert!(parse_bunq_timestamp("2024-05-01T10:11:12Z").is_err());
    }

    #[test]
    fn half_past_midnight_on_daylight_saving_days_keeps_its_local_date() {
        // 00:30 Amsterdam on 31 March 2024 (summer time starts at 02:00) is
        // 23:30 UTC the day before; on 27 October 2024 it is 22:30 UTC.
        let spring = parse_bunq_timestamp("2024-03-30 23:30:00.000000").expect("valid");
        let autumn = parse_bunq_timestamp("2024-10-26 22:30:00.000000").expect("valid");
        assert_eq!(local_date(spring, Amsterdam).to_string(), "2024-03-31");
        assert_eq!(local_date(autumn, Amsterdam).to_string(), "2024-10-27");
    }

    #[test]
    fn start_dates_are_read_in_the_configured_zone() {
        let date = parse_local_instant("2024-01-01", Amsterdam).expect("valid");
        assert_eq!(date.to_rfc3339(), "2023-12-31T23:00:00+00:00");
        let time = parse_local_instant("2024-07-01 08:00", Amsterdam).expect("valid");
        assert_eq!(time.to_rfc3339(), "2024-07-01T06:00:00+00:00");
        let zulu = parse_local_instant("2024-07-01T08:00:00Z", Amsterdam).expect("valid");
        assert_eq!(zulu.to_rfc3339(), "2024-07-01T08:00:00+00:00");
    }

    #[test]
    fn rejects_malformed_and_skipped_local_times() {
        assert!(matches!(
            parse_local_instant("01-01-2024", Amsterdam),
            Err(TimeError::DateOrDateTime(_))
        ));
        assert!(matches!(
            parse_local_instant("2024-03-31 02:30", Amsterdam),
            Err(TimeError::Ambiguous(..))
        ));
    }
}
