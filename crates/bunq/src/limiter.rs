//! Client-side throttling so that this process never sends bunq more than
//! its limits allow: per method and per endpoint (path template), a lane
//! admits a request only while fewer than `requests` others are in flight
//! or finished within the last window.
//!
//! A request counts from when it is sent until `per` after its answer has
//! been read. bunq counts from when it received the request, which lies
//! between the two, so any window bunq looks at sees at most `requests` of
//! ours, whatever the network does.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use reqwest::Method;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::config::{Limit, RateLimits};

/// The endpoint whose limit differs from its method's.
const SESSION_SERVER: &str = "/session-server";

/// One method on one endpoint template.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct LaneKey {
    method: Method,
    template: String,
}

#[derive(Default)]
struct Lane {
    in_flight: u32,
    /// When recent requests finished, oldest first.
    finished: VecDeque<Instant>,
}

/// Shared by every request of one client.
pub(crate) struct RateLimiter {
    limits: RateLimits,
    lanes: Mutex<HashMap<LaneKey, Lane>>,
    released: Notify,
}

/// Admission for one request; dropping it records the request as finished.
pub(crate) struct Permit<'a> {
    limiter: &'a RateLimiter,
    key: LaneKey,
}

impl RateLimiter {
    /// A limiter enforcing `limits`.
    pub(crate) fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            lanes: Mutex::new(HashMap::new()),
            released: Notify::new(),
        }
    }

    /// Waits until a request with `method` to the endpoint `template` may
    /// be sent.
    pub(crate) async fn acquire(&self, method: &Method, template: &str) -> Permit<'_> {
        let key = LaneKey {
            method: method.clone(),
            template: template.to_owned(),
        };
        let limit = self.limit_for(&key);
        loop {
            // Register for wake-ups before looking, so that a release
            // between the look and the wait is not missed.
            let released = self.released.notified();
            tokio::pin!(released);
            released.as_mut().enable();

            match self.try_admit(&key, limit) {
                Ok(()) => return Permit { limiter: self, key },
                Err(Some(free_at)) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(free_at) => {}
                        () = released => {}
                    }
                }
                Err(None) => released.await,
            }
        }
    }

    /// Admits the request, or says when the lane frees up (`None`: when a
    /// request in flight finishes).
    fn try_admit(&self, key: &LaneKey, limit: Limit) -> Result<(), Option<Instant>> {
        let mut lanes = self.lanes.lock().unwrap_or_else(PoisonError::into_inner);
        let lane = lanes.entry(key.clone()).or_default();
        let now = Instant::now();
        while lane
            .finished
            .front()
            .is_some_and(|&done| done + limit.per <= now)
        {
            lane.finished.pop_front();
        }

        let busy = u32::try_from(lane.finished.len()).unwrap_or(u32::MAX) + lane.in_flight;
        if busy < limit.requests.max(1) {
            lane.in_flight += 1;
            return Ok(());
        }
        Err(lane.finished.front().map(|&done| done + limit.per))
    }

    fn limit_for(&self, key: &LaneKey) -> Limit {
        if key.template == SESSION_SERVER {
            return self.limits.session_server;
        }
        match key.method {
            Method::GET | Method::HEAD => self.limits.get,
            Method::POST => self.limits.post,
            _ => self.limits.put,
        }
    }

    fn release(&self, key: &LaneKey) {
        let mut lanes = self.lanes.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(lane) = lanes.get_mut(key) {
            lane.in_flight = lane.in_flight.saturating_sub(1);
            lane.finished.push_back(Instant::now());
        }
        drop(lanes);
        self.released.notify_waiters();
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.limiter.release(&self.key);
    }
}

/// The endpoint template of a path: the query is dropped and every numeric
/// segment becomes `{id}`, so `/user/1/monetary-account/2/payment?count=200`
/// is `/user/{id}/monetary-account/{id}/payment`.
pub(crate) fn path_template(path: &str) -> String {
    let without_query = path.split(['?', '#']).next().unwrap_or_default();
    without_query
        .split('/')
        .map(|segment| {
            let numeric = !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit());
            if numeric { "{id}" } else { segment }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn limiter() -> RateLimiter {
        RateLimiter::new(RateLimits::default())
    }

    #[test]
    fn templates_replace_ids_and_drop_the_query() {
        assert_eq!(
            path_template("/user/12/monetary-account/345/payment?count=200&older_id=9"),
            "/user/{id}/monetary-account/{id}/payment"
        );
        assert_eq!(path_template("/session-server"), "/session-server");
        assert_eq!(path_template("/user/7"), "/user/{id}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_fourth_get_within_three_seconds_waits_for_the_window() {
        let limiter = limiter();
        let start = Instant::now();

        for _ in 0..3 {
            drop(limiter.acquire(&Method::GET, "/user").await);
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        drop(limiter.acquire(&Method::GET, "/user").await);

        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn the_window_counts_from_when_the_answer_arrived() {
        let limiter = limiter();
        let start = Instant::now();
        let slow = limiter.acquire(&Method::PUT, "/x").await;
        drop(limiter.acquire(&Method::PUT, "/x").await);

        // The first request takes 2 s to answer: its slot frees at 2 + 3 s.
        tokio::time::sleep(Duration::from_secs(2)).await;
        drop(slow);
        drop(limiter.acquire(&Method::PUT, "/x").await);

        // The second finished at 0 s, so the third went at 3 s; the fourth
        // waits for the slow one's window to end at 5 s.
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        drop(limiter.acquire(&Method::PUT, "/x").await);
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn lanes_are_separate_per_method_and_endpoint() {
        let limiter = limiter();
        let start = Instant::now();

        for _ in 0..3 {
            drop(
                limiter
                    .acquire(&Method::GET, "/user/{id}/monetary-account")
                    .await,
            );
        }
        for _ in 0..5 {
            drop(
                limiter
                    .acquire(&Method::POST, "/user/{id}/monetary-account")
                    .await,
            );
        }
        drop(limiter.acquire(&Method::GET, "/user").await);

        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn session_server_allows_one_call_per_thirty_seconds() {
        let limiter = limiter();
        let start = Instant::now();

        drop(limiter.acquire(&Method::POST, SESSION_SERVER).await);
        drop(limiter.acquire(&Method::POST, SESSION_SERVER).await);

        assert_eq!(start.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_lane_of_requests_in_flight_waits_for_one_to_finish() {
        let limiter = std::sync::Arc::new(limiter());
        let start = Instant::now();
        let held: Vec<_> = futures_hold(&limiter).await;

        let waiter = {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                drop(limiter.acquire(&Method::GET, "/held").await);
                Instant::now()
            })
        };
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(held);
        let admitted = waiter.await.expect("task");

        assert_eq!(admitted - start, Duration::from_secs(13));
    }

    async fn futures_hold(limiter: &RateLimiter) -> Vec<Permit<'_>> {
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(limiter.acquire(&Method::GET, "/held").await);
        }
        held
    }
}
