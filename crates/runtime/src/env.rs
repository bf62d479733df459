//! Reading configuration from environment variables. Every error names the
//! variable, so a service stops at start with one clear line. The free
//! functions read the process environment; [`Vars`] applies the same rules
//! to any lookup, so that tests need not set process-wide variables.

use std::str::FromStr;

use anyhow::{Context, anyhow};

/// Variables seen through a lookup function (a name to its raw value), read
/// by the same rules as this module's free functions. Tests pass a lookup
/// over a map: process variables are shared by the test threads running in
/// parallel.
#[derive(Clone, Copy, Debug)]
pub struct Vars<L>(L);

/// The raw value of `name` in the process environment, as a lookup for
/// [`Vars::new`]; a value that is not Unicode counts as unset.
pub fn lookup(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The process environment as [`Vars`].
pub fn process() -> Vars<fn(&str) -> Option<String>> {
    Vars(lookup)
}

impl<L: Fn(&str) -> Option<String>> Vars<L> {
    /// Variables as `lookup` returns them.
    pub fn new(lookup: L) -> Self {
        Self(lookup)
    }

    /// The variable's value, trimmed, or `None` when unset or blank.
    pub fn optional(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// The variable's value.
    ///
    /// # Errors
    /// When it is unset or blank.
    pub fn required(&self, name: &str) -> anyhow::Result<String> {
        self.optional(name)
            .ok_or_else(|| anyhow!("{name} is not set"))
    }

    /// The variable parsed with `parse`, or `None` when unset.
    ///
    /// # Errors
    /// When it is set but `parse` rejects it; the message names the
    /// variable.
    pub fn optional_with<T, E: std::fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> anyhow::Result<Option<T>> {
        self.optional(name)
            .map(|value| parse(&value).map_err(|e| anyhow!("{name} is invalid ({value:?}): {e}")))
            .transpose()
    }

    /// The variable parsed with `parse`.
    ///
    /// # Errors
    /// When it is unset, blank or rejected by `parse`.
    pub fn required_with<T, E: std::fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> anyhow::Result<T> {
        self.optional_with(name, parse)?
            .ok_or_else(|| anyhow!("{name} is not set"))
    }

    /// The variable parsed by [`FromStr`], or `default` when unset.
    ///
    /// # Errors
    /// When it is set but does not parse.
    pub fn parsed_or<T>(&self, name: &str, default: T) -> anyhow::Result<T>
    where
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        Ok(self.optional_with(name, T::from_str)?.unwrap_or(default))
    }

    /// A URL-valued variable (must start with `http://` or `https://`),
    /// with any trailing slash removed.
    ///
    /// # Errors
    /// When it is set but is not an HTTP(S) URL.
    pub fn optional_url(&self, name: &str) -> anyhow::Result<Option<String>> {
        self.optional_with(name, |v| {
            if v.starts_with("http://") || v.starts_with("https://") {
                Ok(v.trim_end_matches('/').to_owned())
            } else {
                Err("expected an http:// or https:// URL")
            }
        })
    }
}

/// The variable's value, trimmed, or `None` when unset or blank.
pub fn optional(name: &str) -> Option<String> {
    process().optional(name)
}

/// The variable's value.
///
/// # Errors
/// When it is unset or blank.
pub fn required(name: &str) -> anyhow::Result<String> {
    process().required(name)
}

/// The variable parsed with `parse`, or `None` when unset.
///
/// # Errors
/// When it is set but `parse` rejects it; the message names the variable.
pub fn optional_with<T, E: std::fmt::Display>(
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> anyhow::Result<Option<T>> {
    process().optional_with(name, parse)
}

/// The variable parsed with `parse`.
///
/// # Errors
/// When it is unset, blank or rejected by `parse`.
pub fn required_with<T, E: std::fmt::Display>(
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> anyhow::Result<T> {
    process().required_with(name, parse)
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
    process().parsed_or(name, default)
}

/// A URL-valued variable (must start with `http://` or `https://`), with
/// any trailing slash removed.
///
/// # Errors
/// When it is set but is not an HTTP(S) URL.
pub fn optional_url(name: &str) -> anyhow::Result<Option<String>> {
    process().optional_url(name)
}

/// Adds the variable name to an error from a helper that does not know it.
///
/// # Errors
/// Passes `result`'s error on, with context.
pub fn context<T>(name: &str, result: anyhow::Result<T>) -> anyhow::Result<T> {
    result.with_context(|| format!("{name} is invalid"))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars<impl Fn(&str) -> Option<String> + use<>> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Vars::new(move |name: &str| map.get(name).cloned())
    }

    #[test]
    fn blank_values_count_as_unset_and_values_are_trimmed() {
        let vars = vars(&[("BLANK", "  "), ("PADDED", " x ")]);

        assert_eq!(vars.optional("BLANK"), None);
        assert_eq!(vars.optional("PADDED").as_deref(), Some("x"));
        let err = vars.required("BLANK").expect_err("blank");
        assert_eq!(err.to_string(), "BLANK is not set");
    }

    #[test]
    fn a_rejected_value_is_named_with_the_variable_and_the_reason() {
        let vars = vars(&[("PORT", "eighty"), ("URL", "ftp://x/")]);

        let port = vars.parsed_or("PORT", 80_u16).expect_err("not a number");
        let url = vars.optional_url("URL").expect_err("not http");

        assert!(
            port.to_string()
                .starts_with("PORT is invalid (\"eighty\"): ")
        );
        assert_eq!(
            url.to_string(),
            "URL is invalid (\"ftp://x/\"): expected an http:// or https:// URL"
        );
    }

    #[test]
    fn urls_lose_their_trailing_slash_and_defaults_fill_unset_values() {
        let vars = vars(&[("URL", "https://example.com/v1/")]);

        let url = vars.optional_url("URL").expect("valid");
        let port = vars.parsed_or("PORT", 80_u16).expect("default");

        assert_eq!(url.as_deref(), Some("https://example.com/v1"));
        assert_eq!(port, 80);
    }
}
