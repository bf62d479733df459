//! The local time zone: `TIMEZONE`.

use chrono_tz::Tz;
use runtime::env::{self, Vars};

/// The zone when `TIMEZONE` is unset: the household lives in the
/// Netherlands.
pub const DEFAULT_TIMEZONE: Tz = chrono_tz::Europe::Amsterdam;

/// [`timezone_from`] over the process environment.
///
/// # Errors
/// When `TIMEZONE` is not an IANA zone name.
pub fn timezone_from_env() -> anyhow::Result<Tz> {
    timezone_from(env::lookup)
}

/// The zone schedules run in and local dates are read in (`TIMEZONE`, an
/// IANA name such as `Europe/Amsterdam`, default [`DEFAULT_TIMEZONE`]).
///
/// # Errors
/// When `TIMEZONE` is not an IANA zone name.
pub fn timezone_from(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Tz> {
    let zone = Vars::new(lookup).optional_with("TIMEZONE", |v| v.parse::<Tz>())?;
    Ok(zone.unwrap_or(DEFAULT_TIMEZONE))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_lookup::lookup;

    #[test]
    fn an_unset_or_blank_zone_is_amsterdam() {
        for vars in [lookup(&[]), lookup(&[("TIMEZONE", " ")])] {
            assert_eq!(timezone_from(vars).expect("default"), DEFAULT_TIMEZONE);
        }
    }

    #[test]
    fn an_iana_name_is_read() {
        let zone = timezone_from(lookup(&[("TIMEZONE", "America/New_York")]));

        assert_eq!(zone.expect("valid"), chrono_tz::America::New_York);
    }

    #[test]
    fn an_unknown_zone_is_invalid_and_named() {
        let err = timezone_from(lookup(&[("TIMEZONE", "Mars/Olympus")])).expect_err("bad");

        assert!(
            err.to_string()
                .starts_with("TIMEZONE is invalid (\"Mars/Olympus\")"),
            "{err}"
        );
    }
}
