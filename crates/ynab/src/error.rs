//! Everything a YNAB call can fail with. Messages never carry the token or
//! a response body; YNAB's own error `detail` is kept because it explains a
//! validation failure without echoing the request.

use std::time::Duration;

use serde::Deserialize;

/// Why a YNAB call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum YnabError {
    /// YNAB answered with an error body `{"error": {id, name, detail}}`.
    #[error("YNAB answered {status} ({id} {name}): {detail}")]
    Api {
        /// HTTP status.
        status: u16,
        /// YNAB's error id, e.g. `400` or `404.2`.
        id: String,
        /// YNAB's error name, e.g. `bad_request`.
        name: String,
        /// YNAB's explanation.
        detail: String,
    },
    /// The token is missing, wrong or revoked (401).
    #[error("YNAB rejected the token (401 unauthorized)")]
    Unauthorized,
    /// YNAB kept answering 429 until the retries ran out.
    #[error("YNAB answered 429 too many requests on all {attempts} attempts")]
    RateLimited {
        /// Requests sent for this call.
        attempts: u32,
    },
    /// Sending one more request would exceed the hourly limit (less the
    /// reserve, for reads), and the window does not free one in time.
    #[error(
        "the hourly YNAB request budget is spent; the window frees a request in {} s",
        resets_in.as_secs() + u64::from(resets_in.subsec_nanos() > 0)
    )]
    BudgetExhausted {
        /// When the sliding window frees the next request.
        resets_in: Duration,
    },
    /// A single create hit an existing `import_id` on the account (409).
    #[error("YNAB refused a duplicate import id: {detail}")]
    Duplicate {
        /// YNAB's explanation.
        detail: String,
    },
    /// The request could not be sent or its answer not received.
    #[error("could not reach YNAB")]
    Transport(#[source] reqwest::Error),
    /// No complete answer within the configured timeout.
    #[error("YNAB did not answer within {} ms", after.as_millis())]
    Timeout {
        /// The configured timeout.
        after: Duration,
    },
    /// A success answer that is not JSON, is cut short, or does not have
    /// the documented shape.
    #[error("malformed YNAB answer to {path}: {message}")]
    Decode {
        /// The API path requested, relative to the base URL and without
        /// the query (`/plans/{id}/accounts`).
        path: String,
        /// What is wrong and where in the body (`data.accounts[2]: ...`).
        message: String,
    },
    /// A transaction breaks one of YNAB's field rules; nothing was sent.
    #[error("transaction {index} is invalid: {message}")]
    InvalidTransaction {
        /// Its position in the slice given to the call.
        index: usize,
        /// Which rule, naming the field.
        message: String,
    },
    /// The configuration cannot work (bad URL, empty token, reserve above
    /// the limit).
    #[error("invalid YNAB client configuration: {0}")]
    InvalidConfig(String),
}

impl YnabError {
    /// Whether the same request may succeed later without any change: rate
    /// limits, 5xx answers, timeouts and transport failures.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Api { status, .. } => *status >= 500,
            Self::RateLimited { .. }
            | Self::BudgetExhausted { .. }
            | Self::Transport(_)
            | Self::Timeout { .. } => true,
            _ => false,
        }
    }
}

/// `error` and its sources, joined by `: `, for a log line.
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// YNAB's error body.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    id: String,
    name: String,
    detail: String,
}

/// The error for a non-success answer other than 401, 409 and 429. A body
/// that is not YNAB's error shape (a proxy's HTML page) still gives an
/// error, named after the status only.
pub(crate) fn api_error(status: u16, body: &[u8]) -> YnabError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => YnabError::Api {
            status,
            id: error.id,
            name: error.name,
            detail: error.detail,
        },
        Err(_) => YnabError::Api {
            status,
            id: status.to_string(),
            name: "unknown".to_owned(),
            detail: "the answer carried no YNAB error body".to_owned(),
        },
    }
}

/// YNAB's `detail` for a 409, or a plain note when the body lacks one.
pub(crate) fn duplicate_error(body: &[u8]) -> YnabError {
    let detail = serde_json::from_slice::<ErrorBody>(body)
        .map(|b| b.error.detail)
        .unwrap_or_else(|_| "409 conflict".to_owned());
    YnabError::Duplicate { detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_body_becomes_an_api_error_with_its_fields() {
        let body = br#"{"error":{"id":"404.2","name":"resource_not_found","detail":"Resource not found"}}"#;

        let err = api_error(404, body);

        assert_eq!(
            err.to_string(),
            "YNAB answered 404 (404.2 resource_not_found): Resource not found"
        );
    }

    #[test]
    fn a_foreign_error_page_still_names_the_status_and_hides_the_body() {
        let err = api_error(502, b"<html>Bad gateway secret-ish</html>");

        assert!(matches!(err, YnabError::Api { status: 502, .. }));
        assert!(!err.to_string().contains("secret-ish"));
        assert!(err.is_transient());
    }

    #[test]
    fn a_chain_joins_an_error_and_its_sources() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] std::io::Error);

        let error = Outer(std::io::Error::other("connection refused"));

        assert_eq!(chain(&error), "outer: connection refused");
    }

    #[test]
    fn budget_exhausted_rounds_the_wait_up_to_whole_seconds() {
        let err = YnabError::BudgetExhausted {
            resets_in: Duration::from_millis(61_200),
        };

        assert!(err.to_string().ends_with("in 62 s"), "{err}");
    }
}
