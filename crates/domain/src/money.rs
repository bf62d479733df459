//! Money as integer YNAB milliunits (1.000 EUR = 1000), parsed exactly from
//! the decimal strings bunq sends. Never goes through a float.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount in YNAB milliunits: thousandths of the currency unit.
/// Negative amounts are outflows, as in both bunq and YNAB.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Milliunits(pub i64);

/// Why a decimal amount string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// The string is not a plain decimal number.
    #[error("amount {0:?} is not a decimal number")]
    NotDecimal(String),
    /// More than three significant decimals cannot be held in milliunits.
    #[error("amount {0:?} has more precision than milliunits can hold")]
    TooPrecise(String),
    /// The value does not fit in 64-bit milliunits.
    #[error("amount {0:?} is out of range")]
    OutOfRange(String),
}

impl Milliunits {
    /// Parses a decimal string such as `"-12.34"`, `"0.5"` or `"100"`.
    ///
    /// Digits after the third decimal are accepted only when they are zero.
    ///
    /// # Errors
    /// [`AmountError`] when the string is not a plain decimal number (no
    /// exponent, no thousands separators), is too precise, or overflows.
    pub fn from_decimal_str(text: &str) -> Result<Self, AmountError> {
        let not_decimal = || AmountError::NotDecimal(text.to_owned());
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(not_decimal());
        }
        if unsigned.ends_with('.') {
            return Err(not_decimal());
        }

        let (kept, dropped) = fraction.split_at(fraction.len().min(3));
        if dropped.bytes().any(|b| b != b'0') {
            return Err(AmountError::TooPrecise(text.to_owned()));
        }
        let out_of_range = || AmountError::OutOfRange(text.to_owned());
        let whole: i64 = whole.parse().map_err(|_| out_of_range())?;
        // `kept` holds at most three digits; pad to exactly three.
        let mut thousandths: i64 = 0;
        for position in 0..3 {
            let digit = kept
                .as_bytes()
                .get(position)
                .map_or(0, |b| i64::from(b - b'0'));
            thousandths = thousandths * 10 + digit;
        }

        let magnitude = whole
            .checked_mul(1000)
            .and_then(|m| m.checked_add(thousandths))
            .ok_or_else(out_of_range)?;
        Ok(Self(if negative { -magnitude } else { magnitude }))
    }

    /// Formats as a decimal string with `decimals` places (2 for bunq),
    /// truncating nothing: milliunits that do not fit are shown in full.
    pub fn to_decimal_string(self, decimals: usize) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        let whole = magnitude / 1000;
        let thousandths = format!("{:03}", magnitude % 1000);
        let significant = thousandths.trim_end_matches('0').len();
        let shown = decimals.max(significant).min(3);
        if shown == 0 {
            return format!("{sign}{whole}");
        }
        let mut fraction = thousandths[..shown].to_owned();
        while fraction.len() < decimals {
            fraction.push('0');
        }
        format!("{sign}{whole}.{fraction}")
    }
}

impl fmt::Display for Milliunits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal_string(2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<i64, AmountError> {
        Milliunits::from_decimal_str(text).map(|m| m.0)
    }

    #[test]
    fn parses_the_values_a_float_gets_wrong() {
        assert_eq!(parse("2.01"), Ok(2010));
        assert_eq!(parse("-8.03"), Ok(-8030));
        assert_eq!(parse("0.29"), Ok(290));
    }

    #[test]
    fn every_cent_from_minus_to_plus_ten_thousand_round_trips() {
        for cents in -1_000_000_i64..=1_000_000 {
            let sign = if cents < 0 { "-" } else { "" };
            let text = format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100);
            let parsed = Milliunits::from_decimal_str(&text).expect("valid amount");
            assert_eq!(parsed.0, cents * 10, "{text}");
            assert_eq!(parsed.to_decimal_string(2), text.replace("-0.00", "0.00"));
        }
    }

    #[test]
    fn accepts_short_and_signed_forms() {
        assert_eq!(parse("100"), Ok(100_000));
        assert_eq!(parse("+0.5"), Ok(500));
        assert_eq!(parse("1.2300"), Ok(1230));
        assert_eq!(parse("-0.001"), Ok(-1));
    }

    #[test]
    fn rejects_what_is_not_a_plain_decimal() {
        for bad in [
            "", "-", ".5", "1.", "1e3", "1,00", " 1.00", "1.00 ", "abc", "--1", "1.2.3",
        ] {
            assert!(
                matches!(parse(bad), Err(AmountError::NotDecimal(_))),
                "{bad:?}"
            );
        }
        assert!(matches!(parse("0.0001"), Err(AmountError::TooPrecise(_))));
        assert!(matches!(
            parse("99999999999999999999"),
            Err(AmountError::OutOfRange(_))
        ));
    }
}
