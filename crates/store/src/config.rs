//! How to reach MongoDB: the URI, database, optional credentials and the
//! timeouts every call is bounded by. Binaries fill it from `MONGO_URI`,
//! `MONGO_DB`, `MONGO_USER` and `MONGO_PASSWORD`.

use std::time::Duration;

use secrecy::SecretString;

/// The database name when `MONGO_DB` is not set.
pub const DEFAULT_DATABASE: &str = "bunq_ynab_connect";

/// Where the store connects and how patient it is.
#[derive(Clone, Debug)]
pub struct MongoConfig {
    /// The connection string (`MONGO_URI`), for example
    /// `mongodb://mongo:27017/?replicaSet=rs0`. It may carry credentials;
    /// the store only ever shows it through [`redact_uri`].
    pub uri: String,
    /// The database (`MONGO_DB`), default [`DEFAULT_DATABASE`].
    pub database: String,
    /// A user name (`MONGO_USER`) that overrides any in the URI.
    pub user: Option<String>,
    /// The user's password (`MONGO_PASSWORD`); never logged.
    pub password: Option<SecretString>,
    /// How long opening one connection may take; default 5 s.
    pub connect_timeout: Duration,
    /// How long to wait for a usable server before an operation fails;
    /// default 10 s, enough for a replica set electing its primary.
    pub server_selection_timeout: Duration,
    /// The bound on one whole operation (a bulk batch, a query, a commit);
    /// default 60 s, far above what a 1,000-statement batch needs.
    pub operation_timeout: Duration,
}

impl MongoConfig {
    /// A configuration for `uri` with every other field at its default.
    pub fn new(uri: impl Into<String>) -> Self {
        Self {
            uri: uri.into(),
            database: DEFAULT_DATABASE.to_owned(),
            user: None,
            password: None,
            connect_timeout: Duration::from_secs(5),
            server_selection_timeout: Duration::from_secs(10),
            operation_timeout: Duration::from_secs(60),
        }
    }

    /// The URI without credentials, safe to log or show in an error.
    pub fn redacted_uri(&self) -> String {
        redact_uri(&self.uri)
    }
}

/// `uri` with any `user:password@` part replaced by `***@`, so that it can
/// be logged: `mongodb://app:pw@db:27017/x` becomes `mongodb://***@db:27017/x`.
pub fn redact_uri(uri: &str) -> String {
    let Some(scheme_end) = uri.find("://").map(|i| i + 3) else {
        // Not a URI we understand: show nothing that could be a secret.
        return "<unparseable URI>".to_owned();
    };
    let rest = &uri[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***@{}", &uri[..scheme_end], &rest[at + 1..]),
        None => uri.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_removed_from_a_uri() {
        assert_eq!(
            redact_uri("mongodb://app:s3cret@db:27017/bunq?authSource=admin"),
            "mongodb://***@db:27017/bunq?authSource=admin"
        );
        assert_eq!(
            redact_uri("mongodb+srv://u:p@w@cluster.example/"),
            "mongodb+srv://***@cluster.example/"
        );
    }

    #[test]
    fn a_uri_without_credentials_is_shown_as_is() {
        assert_eq!(
            redact_uri("mongodb://127.0.0.1:27017"),
            "mongodb://127.0.0.1:27017"
        );
        assert_eq!(
            redact_uri("mongodb://a:1,b:2/?replicaSet=rs0&x=a@b"),
            "mongodb://a:1,b:2/?replicaSet=rs0&x=a@b"
        );
    }

    #[test]
    fn something_that_is_no_uri_is_not_echoed() {
        assert_eq!(redact_uri("user:password@host"), "<unparseable URI>");
    }

    #[test]
    fn defaults_name_the_product_database() {
        let config = MongoConfig::new("mongodb://mongo:27017");
        assert_eq!(config.database, "bunq_ynab_connect");
        assert!(config.password.is_none());
        assert_eq!(config.connect_timeout, Duration::from_secs(5));
    }
}
