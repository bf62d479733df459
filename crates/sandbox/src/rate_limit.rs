//! A sliding-window request counter per key (for bunq: method and path
//! template), the way bunq counts: at most N calls in any window of W.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Counts calls per key over a sliding window.
#[derive(Debug, Default)]
pub struct SlidingWindow {
    calls: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl SlidingWindow {
    /// Records a call under `key` and says whether it is within `limit`
    /// calls per `window`. Refused calls are not recorded, so a client that
    /// waits gets through again once the window has moved on.
    pub fn admit(&self, key: &str, limit: u32, window: Duration) -> bool {
        let now = Instant::now();
        let mut calls = self
            .calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let log = calls.entry(key.to_owned()).or_default();
        while log
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            log.pop_front();
        }
        if log.len() >= limit as usize {
            return false;
        }
        log.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_fourth_call_in_a_window_of_three_is_refused_until_the_window_moves() {
        let limiter = SlidingWindow::default();
        let window = Duration::from_millis(200);

        let first_three = (0..3).all(|_| limiter.admit("GET /x", 3, window));
        let fourth = limiter.admit("GET /x", 3, window);
        let other_key = limiter.admit("GET /y", 3, window);
        tokio::time::sleep(window).await;
        let later = limiter.admit("GET /x", 3, window);

        assert!(first_three);
        assert!(!fourth);
        assert!(other_key);
        assert!(later);
    }
}
