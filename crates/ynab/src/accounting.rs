//! Request accounting against YNAB's limit of 200 requests per token per
//! rolling hour. A sliding window of the requests this client sent, plus
//! the count YNAB reports in `X-Rate-Limit`, which also covers requests
//! other processes made with the same token. The client asks the window
//! before every request, so it never sends one the hour has no room for.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use domain::time::millis;
use tokio::time::Instant;

use crate::YnabError;

/// The length of YNAB's rolling window.
pub(crate) const WINDOW: Duration = Duration::from_secs(3600);

/// The name of YNAB's rate-limit header, holding `used/limit`.
pub(crate) const RATE_LIMIT_HEADER: &str = "x-rate-limit";

/// How the client has used its hourly budget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Requests counted in the last hour: this client's, plus others'
    /// that YNAB reported.
    pub used: u32,
    /// Requests allowed per hour: the configured limit, lowered by YNAB's
    /// header when it reports less.
    pub limit: u32,
    /// Requests that reads leave for writes.
    pub reserve: u32,
    /// 429 answers seen since the client started.
    pub rate_limited: u64,
    /// Requests repeated after a failure since the client started.
    pub retries: u64,
}

/// Whether a request may dip into the reserve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Priority {
    /// GETs: stop at `limit - reserve`.
    Read,
    /// Creates and updates: may use the whole limit.
    Write,
}

/// Reads `X-Rate-Limit: used/limit` (such as `36/200`).
pub(crate) fn parse_rate_limit(value: &str) -> Option<(u32, u32)> {
    let (used, limit) = value.split_once('/')?;
    let used = used.trim().parse().ok()?;
    let limit = limit.trim().parse().ok()?;
    Some((used, limit))
}

/// The window itself. Every method takes `now`, so tests drive the clock.
///
/// Entries are expiry times. This client's own requests expire one hour
/// plus the request timeout after they were sent: YNAB counts a request
/// when it arrives, which is at most a timeout later, so the window never
/// frees a slot before YNAB does. Requests only known from the header are
/// stamped when seen, the latest they can have been made.
#[derive(Debug)]
pub(crate) struct Window {
    limit: u32,
    reserve: u32,
    margin: Duration,
    server_limit: Option<u32>,
    own: Vec<Instant>,
    observed: Vec<Instant>,
    rate_limited: u64,
    retries: u64,
}

impl Window {
    /// An empty window for `limit` requests per hour, `reserve` of them
    /// kept from reads; `margin` is the request timeout.
    pub(crate) fn new(limit: u32, reserve: u32, margin: Duration) -> Self {
        Self {
            limit,
            reserve,
            margin,
            server_limit: None,
            own: Vec::new(),
            observed: Vec::new(),
            rate_limited: 0,
            retries: 0,
        }
    }

    /// Takes one request from the window, or says how long until the
    /// window has room for it.
    pub(crate) fn try_take(&mut self, priority: Priority, now: Instant) -> Result<(), Duration> {
        self.prune(now);
        let allowed = self.allowance(priority);
        let used = self.used();
        if used < allowed {
            self.own.push(now + WINDOW + self.margin);
            return Ok(());
        }

        // `used - allowed + 1` entries must expire before one more fits.
        let mut expiries: Vec<Instant> = self.own.iter().chain(&self.observed).copied().collect();
        expiries.sort_unstable();
        let index = usize::try_from(used - allowed).unwrap_or(usize::MAX);
        Err(match (allowed, expiries.get(index)) {
            (1.., Some(expiry)) => expiry.saturating_duration_since(now),
            // No room even in an empty window (the server's limit is below
            // the reserve): a full hour is the honest answer.
            _ => WINDOW,
        })
    }

    /// Adopts YNAB's count from an `X-Rate-Limit` header. Requests YNAB
    /// counts beyond this client's own are recorded as others'; this
    /// client's own are never dropped, as a header may lag behind requests
    /// still in flight.
    pub(crate) fn observe(&mut self, used: u32, server_limit: u32, now: Instant) {
        self.prune(now);
        self.server_limit = Some(server_limit);
        let own = u32::try_from(self.own.len()).unwrap_or(u32::MAX);
        let others = usize::try_from(used.saturating_sub(own)).unwrap_or(usize::MAX);
        if others > self.observed.len() {
            let missing = others - self.observed.len();
            self.observed
                .extend(std::iter::repeat_n(now + WINDOW, missing));
        } else {
            // Stamped in time order, so the first expire first.
            let surplus = self.observed.len() - others;
            self.observed.drain(..surplus);
        }
    }

    /// Counts a 429 answer.
    pub(crate) fn record_rate_limited(&mut self) {
        self.rate_limited += 1;
    }

    /// Counts a repeated request.
    pub(crate) fn record_retry(&mut self) {
        self.retries += 1;
    }

    /// The numbers as of `now`.
    pub(crate) fn usage(&mut self, now: Instant) -> Usage {
        self.prune(now);
        Usage {
            used: self.used(),
            limit: self.effective_limit(),
            reserve: self.reserve,
            rate_limited: self.rate_limited,
            retries: self.retries,
        }
    }

    fn prune(&mut self, now: Instant) {
        self.own.retain(|expiry| *expiry > now);
        self.observed.retain(|expiry| *expiry > now);
    }

    fn used(&self) -> u32 {
        u32::try_from(self.own.len() + self.observed.len()).unwrap_or(u32::MAX)
    }

    fn effective_limit(&self) -> u32 {
        self.server_limit
            .map_or(self.limit, |server| server.min(self.limit))
    }

    fn allowance(&self, priority: Priority) -> u32 {
        match priority {
            Priority::Read => self.effective_limit().saturating_sub(self.reserve),
            Priority::Write => self.effective_limit(),
        }
    }
}

/// The window shared by every call of one client, and the waiting policy.
#[derive(Debug)]
pub(crate) struct Accounting {
    window: Mutex<Window>,
    max_wait: Duration,
}

impl Accounting {
    /// A window per [`Window::new`]; calls wait at most `max_wait` for room.
    pub(crate) fn new(window: Window, max_wait: Duration) -> Self {
        Self {
            window: Mutex::new(window),
            max_wait,
        }
    }

    /// The latest moment a call started now may still send a request.
    pub(crate) fn deadline(&self) -> Instant {
        Instant::now() + self.max_wait
    }

    /// Takes one request from the window, waiting for room until
    /// `deadline`.
    ///
    /// # Errors
    /// [`YnabError::BudgetExhausted`] when the window does not free a
    /// request before `deadline`; nothing is waited for in that case.
    pub(crate) async fn acquire(
        &self,
        priority: Priority,
        deadline: Instant,
    ) -> Result<(), YnabError> {
        loop {
            let now = Instant::now();
            let resets_in = match self.lock().try_take(priority, now) {
                Ok(()) => return Ok(()),
                Err(resets_in) => resets_in,
            };
            if now + resets_in > deadline {
                // The caller logs the error it gets; this is the detail.
                tracing::debug!(
                    resets_in_ms = millis(resets_in),
                    "YNAB hourly request budget spent; refusing to send"
                );
                return Err(YnabError::BudgetExhausted { resets_in });
            }
            tracing::info!(
                wait_ms = millis(resets_in),
                "YNAB hourly request budget spent; waiting for the window"
            );
            tokio::time::sleep(resets_in).await;
        }
    }

    /// Applies an `X-Rate-Limit` value, ignoring one that does not parse.
    pub(crate) fn observe_header(&self, value: &str) {
        match parse_rate_limit(value) {
            Some((used, limit)) => self.lock().observe(used, limit, Instant::now()),
            None => tracing::debug!(header = value, "ignoring unreadable X-Rate-Limit header"),
        }
    }

    /// Counts a 429 answer.
    pub(crate) fn record_rate_limited(&self) {
        self.lock().record_rate_limited();
    }

    /// Counts a repeated request.
    pub(crate) fn record_retry(&self) {
        self.lock().record_retry();
    }

    /// The numbers as of now.
    pub(crate) fn usage(&self) -> Usage {
        self.lock().usage(Instant::now())
    }

    fn lock(&self) -> MutexGuard<'_, Window> {
        // The window holds plain counters that every method leaves
        // consistent, so a panic elsewhere cannot have broken it.
        self.window.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests;
