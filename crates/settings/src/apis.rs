//! The two APIs: bunq (`BUNQ_ENVIRONMENT`, `BUNQ_API_URL`) and YNAB
//! (`YNAB_TOKEN`, `YNAB_API_URL`).

use runtime::env::{self, Vars};
use secrecy::SecretString;

/// [`bunq_from`] over the process environment.
///
/// # Errors
/// When `BUNQ_ENVIRONMENT` is missing or not PRODUCTION/SANDBOX, or
/// `BUNQ_API_URL` is not a URL.
pub fn bunq_from_env() -> anyhow::Result<bunq::BunqConfig> {
    bunq_from(env::lookup)
}

/// The bunq settings: `BUNQ_ENVIRONMENT` (required, with no silent default:
/// a wrong guess would talk to the real bank) and `BUNQ_API_URL` (default
/// the environment's own URL).
///
/// # Errors
/// When `BUNQ_ENVIRONMENT` is missing or not PRODUCTION/SANDBOX, or
/// `BUNQ_API_URL` is not a URL.
pub fn bunq_from(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<bunq::BunqConfig> {
    let vars = Vars::new(lookup);
    let environment = vars.required_with("BUNQ_ENVIRONMENT", |v| match v {
        "PRODUCTION" => Ok(bunq::Environment::Production),
        "SANDBOX" => Ok(bunq::Environment::Sandbox),
        _ => Err("expected PRODUCTION or SANDBOX"),
    })?;

    let mut config = bunq::BunqConfig::new(environment);
    if let Some(url) = vars.optional_url("BUNQ_API_URL")? {
        config.base_url = url;
    }
    Ok(config)
}

/// [`ynab_from`] over the process environment.
///
/// # Errors
/// When `YNAB_TOKEN` is missing or `YNAB_API_URL` is not a URL.
pub fn ynab_from_env() -> anyhow::Result<ynab::YnabConfig> {
    ynab_from(env::lookup)
}

/// The YNAB settings: `YNAB_TOKEN` (required) and `YNAB_API_URL` (default
/// YNAB's public API).
///
/// # Errors
/// When `YNAB_TOKEN` is missing or holds white space, or `YNAB_API_URL` is
/// not a URL. No message shows the token.
pub fn ynab_from(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<ynab::YnabConfig> {
    let vars = Vars::new(lookup);
    let token = vars.required("YNAB_TOKEN")?;
    if token.chars().any(char::is_whitespace) {
        anyhow::bail!("YNAB_TOKEN is invalid: it contains white space");
    }

    let mut config = ynab::YnabConfig::new(SecretString::from(token));
    if let Some(url) = vars.optional_url("YNAB_API_URL")? {
        config.base_url = url;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;
    use crate::test_lookup::lookup;

    #[test]
    fn the_bunq_environment_picks_its_own_url_unless_one_is_given() {
        let production = bunq_from(lookup(&[("BUNQ_ENVIRONMENT", "PRODUCTION")]));
        let sandbox = bunq_from(lookup(&[
            ("BUNQ_ENVIRONMENT", "SANDBOX"),
            ("BUNQ_API_URL", "http://127.0.0.1:9000/v1/"),
        ]));

        let production = production.expect("valid");
        assert_eq!(production.environment, bunq::Environment::Production);
        assert_eq!(production.base_url, "https://api.bunq.com/v1");
        let sandbox = sandbox.expect("valid");
        assert_eq!(sandbox.environment, bunq::Environment::Sandbox);
        assert_eq!(sandbox.base_url, "http://127.0.0.1:9000/v1");
    }

    #[test]
    fn the_bunq_environment_has_no_default_and_no_lenient_spelling() {
        let unset = bunq_from(lookup(&[])).expect_err("required");
        let lower = bunq_from(lookup(&[("BUNQ_ENVIRONMENT", "sandbox")])).expect_err("exact");

        assert_eq!(unset.to_string(), "BUNQ_ENVIRONMENT is not set");
        assert_eq!(
            lower.to_string(),
            "BUNQ_ENVIRONMENT is invalid (\"sandbox\"): expected PRODUCTION or SANDBOX"
        );
    }

    #[test]
    fn a_bunq_url_that_is_not_http_is_invalid() {
        let err = bunq_from(lookup(&[
            ("BUNQ_ENVIRONMENT", "SANDBOX"),
            ("BUNQ_API_URL", "ftp://example.com"),
        ]))
        .expect_err("not http");

        assert!(
            err.to_string().starts_with("BUNQ_API_URL is invalid"),
            "{err}"
        );
    }

    #[test]
    fn the_ynab_token_and_url_are_read() {
        let config = ynab_from(lookup(&[
            ("YNAB_TOKEN", " token-123 "),
            ("YNAB_API_URL", "http://127.0.0.1:9001/v1"),
        ]))
        .expect("valid");

        assert_eq!(config.token.expose_secret(), "token-123");
        assert_eq!(config.base_url, "http://127.0.0.1:9001/v1");
    }

    #[test]
    fn the_ynab_url_defaults_to_the_public_api() {
        let config = ynab_from(lookup(&[("YNAB_TOKEN", "token")])).expect("valid");

        assert_eq!(config.base_url, ynab::DEFAULT_BASE_URL);
    }

    #[test]
    fn a_missing_token_or_one_with_white_space_is_refused_without_showing_it() {
        let unset = ynab_from(lookup(&[])).expect_err("required");
        let spaced = ynab_from(lookup(&[("YNAB_TOKEN", "to ken")])).expect_err("white space");
        let bad_url = ynab_from(lookup(&[("YNAB_TOKEN", "token"), ("YNAB_API_URL", "ynab")]));

        assert_eq!(unset.to_string(), "YNAB_TOKEN is not set");
        assert_eq!(
            spaced.to_string(),
            "YNAB_TOKEN is invalid: it contains white space"
        );
        let bad_url = bad_url.expect_err("not http");
        assert!(
            bad_url.to_string().starts_with("YNAB_API_URL is invalid"),
            "{bad_url}"
        );
    }
}
