//! How a [`YnabClient`](crate::YnabClient) is set up: where YNAB lives, the
//! token, timeouts, the hourly request budget and its reserve, retries, and
//! which path family (`/plans` or `/budgets`) to speak.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use runtime::backoff::Backoff;
use secrecy::SecretString;

use crate::YnabError;

/// YNAB's public API.
pub const DEFAULT_BASE_URL: &str = "https://api.ynab.com/v1";

/// Requests per token per rolling hour that YNAB allows.
pub const DEFAULT_HOURLY_LIMIT: u32 = 200;

/// Requests kept back from reads so that writes still fit after an ingest.
pub const DEFAULT_RESERVE: u32 = 10;

/// How long one request may take, answer body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything the client needs, read once at start.
#[derive(Clone, Debug)]
pub struct YnabConfig {
    /// The API root, without a trailing slash. Default [`DEFAULT_BASE_URL`];
    /// the sandbox's URL in tests.
    pub base_url: String,
    /// Personal access token, sent as `Authorization: Bearer`. Never logged
    /// and never part of an error.
    pub token: SecretString,
    /// Per-request timeout, body included. Default 10 s.
    pub timeout: Duration,
    /// Requests allowed per rolling hour. Default 200, YNAB's limit per
    /// token; the `X-Rate-Limit` header can only lower it.
    pub hourly_limit: u32,
    /// Requests in the hour that reads (GET) leave free, so that a sync run
    /// can still create transactions after an ingest spent its share.
    /// Writes may use them. Default 10.
    pub reserve: u32,
    /// Retries for 429, 5xx and (for requests safe to repeat) timeouts and
    /// connection failures. Default [`Backoff::default`].
    pub backoff: Backoff,
    /// `/plans` (API 1.79 and later) or the older `/budgets` paths. Default
    /// [`PathStyle::Plans`].
    pub path_style: PathStyle,
    /// How long one call may wait for the hourly window to free a request
    /// before it fails with [`YnabError::BudgetExhausted`]. Default zero:
    /// a scheduled run fails fast and says when the window frees.
    pub max_wait: Duration,
}

impl YnabConfig {
    /// The defaults, with `token`, against YNAB's public API.
    pub fn new(token: SecretString) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            token,
            timeout: DEFAULT_TIMEOUT,
            hourly_limit: DEFAULT_HOURLY_LIMIT,
            reserve: DEFAULT_RESERVE,
            backoff: Backoff::default(),
            path_style: PathStyle::Plans,
            max_wait: Duration::ZERO,
        }
    }
}

impl Default for YnabConfig {
    /// The defaults with an empty token, for struct-update syntax; the
    /// client refuses to start until a token is set.
    fn default() -> Self {
        Self::new(SecretString::default())
    }
}

/// The path family the client speaks. YNAB renamed budgets to plans in API
/// 1.79 and still answers the old paths with the old member names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PathStyle {
    /// `/plans/{plan_id}/...`, answers in `data.plans`.
    #[default]
    Plans,
    /// `/budgets/{budget_id}/...`, answers in `data.budgets`.
    Budgets,
}

impl PathStyle {
    /// The first path segment.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Plans => "plans",
            Self::Budgets => "budgets",
        }
    }

    /// The member of `GET /plans` (or `/budgets`) that holds the list, and
    /// the other one, read when a server answers in the other form.
    pub(crate) fn list_members(self) -> [&'static str; 2] {
        match self {
            Self::Plans => ["plans", "budgets"],
            Self::Budgets => ["budgets", "plans"],
        }
    }
}

impl fmt::Display for PathStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}

impl FromStr for PathStyle {
    type Err = YnabError;

    /// Reads `plans` or `budgets`, in any case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "plans" => Ok(Self::Plans),
            "budgets" => Ok(Self::Budgets),
            _ => Err(YnabError::InvalidConfig(format!(
                "path style {text:?} is neither \"plans\" nor \"budgets\""
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_documented_values() {
        let config = YnabConfig::default();

        assert_eq!(config.base_url, "https://api.ynab.com/v1");
        assert_eq!(config.hourly_limit, 200);
        assert_eq!(config.reserve, 10);
        assert_eq!(config.timeout, Duration::from_secs(10));
        assert_eq!(config.path_style, PathStyle::Plans);
        assert_eq!(config.max_wait, Duration::ZERO);
    }

    #[test]
    fn path_styles_parse_in_any_case_and_reject_other_words() {
        assert_eq!(
            "Budgets".parse::<PathStyle>().ok(),
            Some(PathStyle::Budgets)
        );
        assert_eq!(" plans ".parse::<PathStyle>().ok(), Some(PathStyle::Plans));

        let err = "plan".parse::<PathStyle>().expect_err("an error");

        assert!(err.to_string().contains("\"plan\""), "{err}");
    }
}
