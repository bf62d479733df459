//! The container labels that opt a container in, and what a container's
//! labels ask for. Nothing without one of these labels is ever touched.
//!
//! With the default prefix `bunqynab`:
//! - `bunqynab.restart.schedule=<cron>`: restart on that schedule (six
//!   fields with seconds, or five classic ones), in `TIMEZONE`;
//! - `bunqynab.autoheal=true`: restart when Docker reports it unhealthy.

use std::collections::HashMap;

use chrono_tz::Tz;
use runtime::schedule::Schedule;

/// The label prefix when `RESTARTER_LABEL_PREFIX` is not set.
pub const DEFAULT_LABEL_PREFIX: &str = "bunqynab";

/// A label prefix that is not a usable label namespace.
#[derive(Debug, thiserror::Error)]
#[error("label prefix {prefix:?} must be non-empty and use only a-z, 0-9, '.', '-' and '_'")]
pub struct LabelPrefixError {
    prefix: String,
}

/// The two label keys under one prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labels {
    schedule: String,
    autoheal: String,
}

impl Labels {
    /// The keys `<prefix>.restart.schedule` and `<prefix>.autoheal`.
    ///
    /// # Errors
    /// [`LabelPrefixError`] for an empty prefix or one with characters
    /// Docker's label convention does not use.
    pub fn new(prefix: &str) -> Result<Self, LabelPrefixError> {
        let valid = !prefix.is_empty()
            && prefix
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
        if !valid {
            return Err(LabelPrefixError {
                prefix: prefix.to_owned(),
            });
        }
        Ok(Self {
            schedule: format!("{prefix}.restart.schedule"),
            autoheal: format!("{prefix}.autoheal"),
        })
    }

    /// The key whose value is a cron schedule.
    pub fn schedule_key(&self) -> &str {
        &self.schedule
    }

    /// The key whose value `true` asks for restarts when unhealthy.
    pub fn autoheal_key(&self) -> &str {
        &self.autoheal
    }

    /// What a container with these labels asks for.
    pub fn policy(&self, labels: &HashMap<String, String>, zone: Tz) -> Policy {
        Policy {
            schedule: labels
                .get(&self.schedule)
                .map(|cron| Schedule::parse(cron, zone).map_err(|e| e.to_string())),
            autoheal: labels.get(&self.autoheal).is_some_and(|v| is_true(v)),
        }
    }
}

/// `true` in any case: the only value that turns autoheal on.
fn is_true(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case("true")
}

/// What one container's labels ask the restarter to do.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The schedule label, parsed; `None` without the label, an error for
    /// a label that is not a cron expression (the container is then only
    /// reported, never restarted on schedule). The error names the label's
    /// value.
    pub schedule: Option<Result<Schedule, String>>,
    /// Whether the autoheal label is `true`.
    pub autoheal: bool,
}

impl Policy {
    /// Whether the container carries either label at all.
    pub fn is_managed(&self) -> bool {
        self.schedule.is_some() || self.autoheal
    }

    /// The valid schedule, if any.
    pub fn valid_schedule(&self) -> Option<&Schedule> {
        self.schedule.as_ref().and_then(|s| s.as_ref().ok())
    }
}

#[cfg(test)]
mod tests {
    use chrono_tz::Europe::Amsterdam;

    use super::*;

    fn labels_of(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_container_with_a_schedule_label_is_managed_on_that_schedule() {
        let labels = Labels::new("bunqynab").expect("valid prefix");

        let policy = labels.policy(
            &labels_of(&[("bunqynab.restart.schedule", "0 0 4 * * *")]),
            Amsterdam,
        );

        assert!(policy.is_managed());
        assert!(!policy.autoheal);
        assert_eq!(
            policy.valid_schedule().map(Schedule::expression),
            Some("0 0 4 * * *")
        );
    }

    #[test]
    fn autoheal_is_on_only_for_true() {
        let labels = Labels::new("bunqynab").expect("valid prefix");

        let on = labels.policy(&labels_of(&[("bunqynab.autoheal", "TRUE")]), Amsterdam);
        let off = labels.policy(&labels_of(&[("bunqynab.autoheal", "false")]), Amsterdam);
        let other = labels.policy(&labels_of(&[("other.autoheal", "true")]), Amsterdam);

        assert!(on.autoheal && on.is_managed());
        assert!(!off.autoheal && !off.is_managed());
        assert!(!other.is_managed());
    }

    #[test]
    fn a_malformed_schedule_is_kept_as_an_error_not_dropped() {
        let labels = Labels::new("bunqynab").expect("valid prefix");

        let policy = labels.policy(
            &labels_of(&[("bunqynab.restart.schedule", "daily")]),
            Amsterdam,
        );

        assert!(policy.is_managed());
        assert!(policy.valid_schedule().is_none());
        assert!(matches!(policy.schedule, Some(Err(_))));
    }

    #[test]
    fn prefixes_outside_the_label_convention_are_rejected() {
        assert!(Labels::new("").is_err());
        assert!(Labels::new("Bunq Ynab").is_err());
        let error = Labels::new("a=b").expect_err("rejected");
        assert!(error.to_string().contains("\"a=b\""));
    }
}
