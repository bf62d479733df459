//! International bank account numbers: normalised (upper case, no spaces),
//! checked (ISO 13616 mod-97), masked for logs, and found inside free text
//! such as a YNAB account note.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A validated IBAN in its electronic form: upper case, no spaces.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iban(String);

/// Why a string is not an IBAN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IbanError {
    /// Wrong length or characters for an IBAN.
    #[error("{0:?} is not shaped like an IBAN")]
    Shape(String),
    /// The check digits do not match the account number.
    #[error("{0:?} has wrong IBAN check digits")]
    Checksum(String),
}

impl Iban {
    /// Parses an IBAN, ignoring spaces and case.
    ///
    /// # Errors
    /// [`IbanError`] when the text is not 15–34 letters and digits starting
    /// with a country code and two check digits, or the checksum is wrong.
    pub fn parse(text: &str) -> Result<Self, IbanError> {
        let compact = normalise(text);
        let bytes = compact.as_bytes();
        let shaped = (15..=34).contains(&bytes.len())
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..4].iter().all(u8::is_ascii_digit)
            && bytes.iter().all(u8::is_ascii_alphanumeric);
        if !shaped {
            return Err(IbanError::Shape(text.to_owned()));
        }
        if mod97(&compact[4..], &compact[..4]) != 1 {
            return Err(IbanError::Checksum(text.to_owned()));
        }
        Ok(Self(compact))
    }

    /// Builds an IBAN from a country code and a national account number
    /// (BBAN), computing the check digits. Used by the sandbox generator.
    ///
    /// # Errors
    /// [`IbanError::Shape`] when the parts do not form an IBAN.
    pub fn from_parts(country: &str, bban: &str) -> Result<Self, IbanError> {
        let country = normalise(country);
        let bban = normalise(bban);
        let check = 98 - mod97(&bban, &format!("{country}00"));
        Self::parse(&format!("{country}{check:02}{bban}"))
    }

    /// The electronic form, e.g. `NL91ABNA0417164300`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The IBAN with all but the first and last four characters hidden, for
    /// logs: `NL91**********4300`.
    pub fn masked(&self) -> String {
        let len = self.0.len();
        format!(
            "{}{}{}",
            &self.0[..4],
            "*".repeat(len - 8),
            &self.0[len - 4..]
        )
    }

    /// Whether free text (a YNAB account note) mentions this IBAN. Case and
    /// white space in the text do not matter, so `nl91 abna 0417 1643 00`
    /// matches.
    pub fn appears_in(&self, text: &str) -> bool {
        normalise(text).contains(&self.0)
    }
}

/// Upper-cases and drops all white space.
fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// ISO 7064 mod-97 over `body` followed by `tail`, letters as 10..35.
fn mod97(body: &str, tail: &str) -> u32 {
    body.chars().chain(tail.chars()).fold(0, |rem, c| {
        let value = c.to_digit(36).unwrap_or(0);
        if value >= 10 {
            (rem * 100 + value) % 97
        } else {
            (rem * 10 + value) % 97
        }
    })
}

impl TryFrom<String> for Iban {
    type Error = IbanError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Iban> for String {
    fn from(iban: Iban) -> Self {
        iban.0
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_valid_iban_in_any_layout() {
        let iban = Iban::parse("nl91 abna 0417 1643 00").expect("valid");
        assert_eq!(iban.as_str(), "NL91ABNA0417164300");
    }

    #[test]
    fn rejects_wrong_check_digits_and_shapes() {
        assert!(matches!(
            Iban::parse("NL92ABNA0417164300"),
            Err(IbanError::Checksum(_))
        ));
        assert!(matches!(Iban::parse("NL91"), Err(IbanError::Shape(_))));
        assert!(matches!(
            Iban::parse("12ABNA0417164300000"),
            Err(IbanError::Shape(_))
        ));
    }

    #[test]
    fn from_parts_computes_check_digits() {
        let iban = Iban::from_parts("NL", "ABNA0417164300").expect("valid");
        assert_eq!(iban.as_str(), "NL91ABNA0417164300");
        let bunq = Iban::from_parts("NL", "BUNQ2000000001").expect("valid");
        assert!(Iban::parse(bunq.as_str()).is_ok());
    }

    #[test]
    fn appears_in_ignores_case_and_white_space() {
        let iban = Iban::parse("NL91ABNA0417164300").expect("valid");
        assert!(iban.appears_in("Joint account\nNL91 ABNA 0417 1643 00 (bunq)"));
        assert!(iban.appears_in("nl91abna0417164300"));
        assert!(!iban.appears_in("NL91ABNA04171643"));
    }

    #[test]
    fn masked_keeps_only_the_ends() {
        let iban = Iban::parse("NL91ABNA0417164300").expect("valid");
        assert_eq!(iban.masked(), "NL91**********4300");
    }
}
