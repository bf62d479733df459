//! The settings several binaries read alike: MongoDB, bunq, YNAB and the
//! local time zone. Each reader comes twice: `*_from(lookup)` reads through
//! any lookup function (tests pass a map), `*_from_env()` reads the process
//! environment.
#![doc = include_str!("../README.md")]

mod apis;
mod mongo;
mod timezone;

pub use apis::{bunq_from, bunq_from_env, ynab_from, ynab_from_env};
pub use mongo::{mongo_from, mongo_from_env, optional_mongo_from, optional_mongo_from_env};
pub use timezone::{DEFAULT_TIMEZONE, timezone_from, timezone_from_env};

#[cfg(test)]
mod test_lookup {
    use std::collections::HashMap;

    /// A lookup over `pairs`, as the process environment would answer.
    pub fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }
}
