//! Counters of what a client did, for metrics and tests.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of a client's counters since it was built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// Requests sent to bunq, retries included.
    pub requests_sent: u64,
    /// Answers with status 429 Too Many Requests.
    pub rate_limited: u64,
    /// Requests repeated after a retryable failure.
    pub retries: u64,
    /// Sessions this client created (`session-server` calls that worked).
    pub sessions_created: u64,
}

/// The live counters behind [`ClientStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests_sent: AtomicU64,
    rate_limited: AtomicU64,
    retries: AtomicU64,
    sessions_created: AtomicU64,
}

impl Counters {
    pub(crate) fn request_sent(&self) {
        self.requests_sent.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn retried(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn session_created(&self) {
        self.sessions_created.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> ClientStats {
        ClientStats {
            requests_sent: self.requests_sent.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            sessions_created: self.sessions_created.load(Ordering::Relaxed),
        }
    }
}
