//! Reading configuration from environment variables. Every error names the
//! variable, so a service stops at start with one clear line.

use std::str::FromStr;

use anyhow::{Context, anyhow};

/// The variable's value, trimmed, or `None` when unset or blank.
pub fn optional(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The variable's value.
///
/// # Errors
/// When it is unset or blank.
pub fn required(name: &str) -> anyhow::Result<String> {
    optional(name).ok_or_else(|| anyhow!("{name} is not set"))
}

/// The variable parsed with `parse`, or `None` when unset.
///
/// # Errors
/// When it is set but `parse` rejects it; the message names the variable.
pub fn optional_with<T, E: std::fmt::Display>(
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> anyhow::Result<Option<T>> {
    optional(name)
        .map(|value| parse(&value).map_err(|e| anyhow!("{name} is invalid ({value:?}): {e}")))
        .transpose()
}

/// The variable parsed with `parse`.
///
/// # Errors
/// When it is unset, blank or rejected by `parse`.
pub fn required_with<T, E: std::fmt::Display>(
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> anyhow::Result<T> {
    optional_with(name, parse)?.ok_or_else(|| anyhow!("{name} is not set"))
}

/// The variable parsed by [`FromStr`], or `default` when unset.
///
/// # Errors
/// When it is set but does not parse.
pub fn parsed_or<T>(name: &str, default: T) -> anyhow::Result<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    Ok(optional_with(name, T::from_str)?.unwrap_or(default))
}

/// A URL-valued variable (must start with `http://` or `https://`), with
/// any trailing slash removed.
///
/// # Errors
/// When it is set but is not an HTTP(S) URL.
pub fn optional_url(name: &str) -> anyhow::Result<Option<String>> {
    optional_with(name, |v| {
        if v.starts_with("http://") || v.starts_with("https://") {
            Ok(v.trim_end_matches('/').to_owned())
        } else {
            Err("expected an http:// or https:// URL")
        }
    })
}

/// Adds the variable name to an error from a helper that does not know it.
///
/// # Errors
/// Passes `result`'s error on, with context.
pub fn context<T>(name: &str, result: anyhow::Result<T>) -> anyhow::Result<T> {
    result.with_context(|| format!("{name} is invalid"))
}
