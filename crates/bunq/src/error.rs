//! Everything that can go wrong talking to bunq. Messages name the method
//! and path (which never carry a token: tokens travel in headers) and never
//! a key, token or response body.

use std::time::Duration;

use domain::RecordError;
use domain::bunq_context::Environment;
use store::context::ContextError;

/// A failed bunq operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BunqError {
    /// Nothing is stored for this environment yet.
    #[error("no bunq API context: run `ingest exchange-pat` first")]
    NoContext,
    /// The client was configured with something unusable.
    #[error("invalid bunq client configuration: {message}")]
    Config {
        /// What is wrong, naming the value.
        message: String,
    },
    /// bunq answered with an error status.
    #[error("bunq answered {status} to {method} {path}: {description}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The request method.
        method: String,
        /// The request path, relative to the base URL, without query.
        path: String,
        /// bunq's `Error[0].error_description`.
        description: String,
    },
    /// bunq kept answering 429 after every retry.
    #[error("bunq kept answering 429 Too Many Requests to {method} {path}")]
    RateLimited {
        /// The request method.
        method: String,
        /// The request path.
        path: String,
    },
    /// The response's `X-Bunq-Server-Signature` is missing or does not
    /// verify with the server key from the installation.
    #[error("bunq's response to {path} has a missing or invalid server signature")]
    Signature {
        /// The request path.
        path: String,
    },
    /// The request could not be sent or its answer not read.
    #[error("could not reach bunq for {method} {path}")]
    Transport {
        /// The request method.
        method: String,
        /// The request path.
        path: String,
        /// The HTTP client's error (without the URL).
        #[source]
        source: reqwest::Error,
    },
    /// No complete answer within the configured timeout.
    #[error("bunq did not answer {method} {path} within {timeout:?}")]
    Timeout {
        /// The request method.
        method: String,
        /// The request path.
        path: String,
        /// The timeout that passed.
        timeout: Duration,
    },
    /// The answer is malformed, truncated or of the wrong shape.
    #[error("could not read bunq's answer to {path}")]
    Decode {
        /// The request path.
        path: String,
        /// What is wrong with it.
        #[source]
        source: DecodeError,
    },
    /// The shared context could not be loaded or saved.
    #[error("bunq API context store failed")]
    Store(#[from] ContextError),
    /// The stored context kept changing under a save that must win (an
    /// API key exchange).
    #[error("the stored bunq {environment} context kept changing while saving; try again")]
    Contention {
        /// The context concerned.
        environment: Environment,
    },
    /// A key could not be generated, read or used.
    #[error("bunq key handling failed: {0}")]
    Crypto(String),
}

/// Why an answer could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Not JSON, or cut short.
    #[error("malformed or truncated JSON")]
    Json(#[source] serde_json::Error),
    /// A record in it does not have the documented shape.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The envelope or an object in it is not what bunq documents.
    #[error("{0}")]
    Shape(String),
}

impl BunqError {
    /// A decode error about the shape of the answer to `path`.
    pub(crate) fn shape(path: &str, message: impl Into<String>) -> Self {
        Self::Decode {
            path: path.to_owned(),
            source: DecodeError::Shape(message.into()),
        }
    }

    /// Whether bunq refused the session token: a 401 or 403 saying
    /// "Insufficient authentication" or "Insufficient authorisation". The
    /// cure is a new session.
    pub fn is_session_rejected(&self) -> bool {
        let Self::Api {
            status: 401 | 403,
            description,
            ..
        } = self
        else {
            return false;
        };
        let description = description.to_ascii_lowercase();
        [
            "insufficient authentication",
            "insufficient authorisation",
            "insufficient authorization",
        ]
        .iter()
        .any(|phrase| description.contains(phrase))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, description: &str) -> BunqError {
        BunqError::Api {
            status,
            method: "GET".to_owned(),
            path: "/user".to_owned(),
            description: description.to_owned(),
        }
    }

    #[test]
    fn only_authentication_refusals_call_for_a_new_session() {
        assert!(api(401, "Insufficient authentication.").is_session_rejected());
        assert!(api(403, "Insufficient authorisation.").is_session_rejected());
        assert!(!api(403, "User credentials are incorrect.").is_session_rejected());
        assert!(!api(400, "Insufficient authentication.").is_session_rejected());
        assert!(!BunqError::NoContext.is_session_rejected());
    }

    #[test]
    fn messages_name_the_request() {
        let message = api(404, "Not found.").to_string();

        assert_eq!(message, "bunq answered 404 to GET /user: Not found.");
    }
}
