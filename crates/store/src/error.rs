//! What can go wrong talking to MongoDB. Every message names the collection
//! (or the redacted URI), never a credential or a whole document.

use std::time::Duration;

/// A store operation that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The URI could not be parsed into client options.
    #[error("invalid MongoDB URI {uri}")]
    InvalidUri {
        /// The URI without credentials.
        uri: String,
        /// The driver's reason.
        #[source]
        source: mongodb::error::Error,
    },
    /// No server answered the first ping.
    #[error("could not reach MongoDB at {uri}")]
    Unreachable {
        /// The URI without credentials.
        uri: String,
        /// The driver's reason.
        #[source]
        source: mongodb::error::Error,
    },
    /// The driver or the server failed an operation.
    #[error("{operation} on {collection} failed")]
    Driver {
        /// What the store was doing (`bulk upsert`, `find`, ...).
        operation: &'static str,
        /// The collection it was doing it on.
        collection: String,
        /// The driver's error.
        #[source]
        source: mongodb::error::Error,
    },
    /// The server accepted the command but refused some of its writes.
    #[error("{operation} on {collection}: the server refused {count} write(s), first: {first}")]
    Rejected {
        /// What the store was doing.
        operation: &'static str,
        /// The collection.
        collection: String,
        /// How many statements were refused.
        count: usize,
        /// The server's message for the first of them.
        first: String,
    },
    /// An operation took longer than the configured bound.
    #[error("{operation} on {collection} timed out after {after:?}")]
    Timeout {
        /// What the store was doing.
        operation: &'static str,
        /// The collection.
        collection: String,
        /// The bound that was exceeded.
        after: Duration,
    },
    /// A record could not be turned into a document (a date field that is
    /// not a date, say).
    #[error("cannot store {collection} record {key}: {message}")]
    Record {
        /// The collection it was meant for.
        collection: String,
        /// The record's key.
        key: String,
        /// What is wrong with it.
        message: String,
    },
    /// A stored document no longer parses as the record it should be.
    #[error("corrupt document {key} in {collection}: {message}")]
    Corrupt {
        /// The collection.
        collection: String,
        /// The document's key, or `?` when even that is unreadable.
        key: String,
        /// What does not parse.
        message: String,
    },
}

/// The result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// A driver failure of `operation` on `collection`.
    pub fn driver(
        operation: &'static str,
        collection: &str,
        source: mongodb::error::Error,
    ) -> Self {
        Self::Driver {
            operation,
            collection: collection.to_owned(),
            source,
        }
    }

    /// Whether the server said it cannot run transactions (a standalone
    /// server), so that the caller may fall back to plain writes.
    pub fn is_transactions_unsupported(&self) -> bool {
        let Self::Driver { source, .. } = self else {
            return false;
        };
        let (code, message) = match source.kind.as_ref() {
            mongodb::error::ErrorKind::Command(command) => {
                (Some(command.code), command.message.clone())
            }
            _ => (None, source.to_string()),
        };
        transactions_unsupported(code, &message)
    }

    /// Whether the driver marked the error as worth retrying the whole
    /// transaction for (a write conflict, a primary step-down).
    pub(crate) fn is_transient_transaction_error(&self) -> bool {
        use mongodb::error::{TRANSIENT_TRANSACTION_ERROR, UNKNOWN_TRANSACTION_COMMIT_RESULT};

        matches!(self, Self::Driver { source, .. }
            if source.contains_label(TRANSIENT_TRANSACTION_ERROR)
                || source.contains_label(UNKNOWN_TRANSACTION_COMMIT_RESULT))
    }
}

/// Classifies a server or driver error as "this deployment has no
/// transactions". A standalone `mongod` answers a transaction's first
/// command with code 20 (IllegalOperation) and the message below; the
/// driver itself refuses up front on deployments without sessions.
pub(crate) fn transactions_unsupported(code: Option<i32>, message: &str) -> bool {
    const STANDALONE: &str =
        "Transaction numbers are only allowed on a replica set member or mongos";
    const DRIVER: &str = "Transactions are not supported by this deployment";

    let standalone_code = code == Some(20) && message.contains("Transaction numbers");
    standalone_code || message.contains(STANDALONE) || message.contains(DRIVER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_standalone_server_refusing_transactions_is_recognised() {
        let message = "Transaction numbers are only allowed on a replica set member or mongos";
        assert!(transactions_unsupported(Some(20), message));
        assert!(transactions_unsupported(
            None,
            &format!("Command failed: {message}")
        ));
    }

    #[test]
    fn the_driver_refusing_transactions_is_recognised() {
        let message = "Transaction error: Transactions are not supported by this deployment";
        assert!(transactions_unsupported(None, message));
    }

    #[test]
    fn other_errors_are_not_mistaken_for_a_standalone_server() {
        assert!(!transactions_unsupported(Some(20), "operation not allowed"));
        assert!(!transactions_unsupported(Some(112), "WriteConflict"));
        assert!(!transactions_unsupported(None, "connection refused"));
    }

    #[test]
    fn messages_name_the_collection() {
        let err = StoreError::Corrupt {
            collection: "bunq_accounts".into(),
            key: "42".into(),
            message: "missing field `created`".into(),
        };
        assert_eq!(
            err.to_string(),
            "corrupt document 42 in bunq_accounts: missing field `created`"
        );
    }
}
