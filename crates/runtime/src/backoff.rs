//! Exponential backoff with full jitter, for every retried network call.

use std::time::Duration;

use rand::Rng;

/// How often and how patiently to retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Attempts in total, the first included.
    pub max_attempts: u32,
    /// The delay cap before the first retry; doubles per retry.
    pub base: Duration,
    /// No delay exceeds this.
    pub max_delay: Duration,
}

impl Default for Backoff {
    /// Five attempts, 0.5 s doubling to at most 30 s: rides out a minute of
    /// trouble without holding a run for long.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The jittered delay before retry number `retry` (1 for the first
    /// retry): uniform in `[0, min(max_delay, base * 2^(retry-1))]`, so that
    /// several clients do not retry in step.
    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::thread_rng().gen_range(0..=millis))
    }

    /// The upper bound of [`Backoff::delay`] for a retry.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2_u32.saturating_pow(retry.saturating_sub(1));
        self.base.saturating_mul(factor).min(self.max_delay)
    }

    /// Whether another attempt may follow attempt number `attempt` (1-based).
    pub fn allows_retry_after(&self, attempt: u32) -> bool {
        attempt < self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_up_to_the_cap() {
        let backoff = Backoff::default();
        assert_eq!(backoff.ceiling(1), Duration::from_millis(500));
        assert_eq!(backoff.ceiling(3), Duration::from_secs(2));
        assert_eq!(backoff.ceiling(30), Duration::from_secs(30));
        for retry in 1..10 {
            assert!(backoff.delay(retry) <= backoff.ceiling(retry));
        }
    }

    #[test]
    fn attempts_are_bounded() {
        let backoff = Backoff {
            max_attempts: 3,
            ..Backoff::default()
        };
        assert!(backoff.allows_retry_after(2));
        assert!(!backoff.allows_retry_after(3));
    }
}
