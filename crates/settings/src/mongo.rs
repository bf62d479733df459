//! MongoDB: `MONGO_URI`, `MONGO_DB`, `MONGO_USER`, `MONGO_PASSWORD`.

use runtime::env::{self, Vars};
use secrecy::SecretString;
use store::MongoConfig;

/// [`mongo_from`] over the process environment.
///
/// # Errors
/// When `MONGO_URI` is missing or not a MongoDB URI.
pub fn mongo_from_env() -> anyhow::Result<MongoConfig> {
    mongo_from(env::lookup)
}

/// The MongoDB settings every service reads: `MONGO_URI` (required),
/// `MONGO_DB`, `MONGO_USER` and `MONGO_PASSWORD`; the timeouts keep their
/// defaults.
///
/// # Errors
/// When `MONGO_URI` is missing or not a MongoDB URI.
pub fn mongo_from(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<MongoConfig> {
    optional_mongo_from(lookup)?.ok_or_else(|| anyhow::anyhow!("MONGO_URI is not set"))
}

/// [`optional_mongo_from`] over the process environment.
///
/// # Errors
/// When `MONGO_URI` is set but not a MongoDB URI.
pub fn optional_mongo_from_env() -> anyhow::Result<Option<MongoConfig>> {
    optional_mongo_from(env::lookup)
}

/// The MongoDB settings, or `None` when `MONGO_URI` is unset or blank: for
/// a binary that has work to do without a database.
///
/// # Errors
/// When `MONGO_URI` is set but not a MongoDB URI.
pub fn optional_mongo_from(
    lookup: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<MongoConfig>> {
    let vars = Vars::new(lookup);
    let uri = vars.optional_with("MONGO_URI", |v| {
        if v.starts_with("mongodb://") || v.starts_with("mongodb+srv://") {
            Ok(v.to_owned())
        } else {
            Err("expected a mongodb:// or mongodb+srv:// URI")
        }
    })?;
    let Some(uri) = uri else { return Ok(None) };

    let mut config = MongoConfig::new(uri);
    if let Some(database) = vars.optional("MONGO_DB") {
        config.database = database;
    }
    config.user = vars.optional("MONGO_USER");
    config.password = vars.optional("MONGO_PASSWORD").map(SecretString::from);
    Ok(Some(config))
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;
    use crate::test_lookup::lookup;

    #[test]
    fn a_uri_alone_gives_the_default_database_and_no_credentials() {
        let vars = lookup(&[("MONGO_URI", "mongodb://mongo:27017/?replicaSet=rs0")]);

        let config = mongo_from(vars).expect("valid");

        assert_eq!(config.uri, "mongodb://mongo:27017/?replicaSet=rs0");
        assert_eq!(config.database, store::DEFAULT_DATABASE);
        assert!(config.user.is_none() && config.password.is_none());
    }

    #[test]
    fn database_and_credentials_are_read_beside_an_srv_uri() {
        let vars = lookup(&[
            ("MONGO_URI", " mongodb+srv://cluster.example.com "),
            ("MONGO_DB", "household"),
            ("MONGO_USER", "connect"),
            ("MONGO_PASSWORD", "s3cret"),
        ]);

        let config = mongo_from(vars).expect("valid");

        assert_eq!(config.uri, "mongodb+srv://cluster.example.com");
        assert_eq!(config.database, "household");
        assert_eq!(config.user.as_deref(), Some("connect"));
        let password = config.password.as_ref().map(ExposeSecret::expose_secret);
        assert_eq!(password, Some("s3cret"));
    }

    #[test]
    fn a_missing_or_blank_uri_is_not_set() {
        for vars in [lookup(&[]), lookup(&[("MONGO_URI", "  ")])] {
            let err = mongo_from(vars).expect_err("no URI");

            assert_eq!(err.to_string(), "MONGO_URI is not set");
        }
    }

    #[test]
    fn a_uri_without_a_mongodb_scheme_is_invalid_and_named() {
        let err = mongo_from(lookup(&[("MONGO_URI", "localhost:27017")])).expect_err("bad");

        assert_eq!(
            err.to_string(),
            "MONGO_URI is invalid (\"localhost:27017\"): \
             expected a mongodb:// or mongodb+srv:// URI"
        );
    }

    #[test]
    fn the_optional_reader_is_none_without_a_uri_and_strict_with_one() {
        let unset = optional_mongo_from(lookup(&[("MONGO_DB", "household")]));
        let invalid = optional_mongo_from(lookup(&[("MONGO_URI", "http://mongo")]));

        assert!(unset.expect("no URI is fine").is_none());
        let err = invalid.expect_err("a set URI is checked");
        assert!(err.to_string().starts_with("MONGO_URI is invalid"), "{err}");
    }
}
