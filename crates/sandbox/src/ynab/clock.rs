//! The YNAB half's notion of "now": the wall clock in normal runs, or a
//! manual clock that tests set and advance (date validation, the default
//! `since_date` and the rolling rate-limit hour all read it).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Where the current time comes from. Cloning a manual clock shares it, so
/// a test keeps one handle and moves the sandbox's time with it.
#[derive(Clone, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self { manual: None }
    }

    /// A clock that stands still at `start` until [`Clock::set`] or
    /// [`Clock::advance`] moves it.
    pub fn manual(start: DateTime<Utc>) -> Self {
        Self {
            manual: Some(Arc::new(Mutex::new(start))),
        }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.manual {
            Some(at) => *at.lock().unwrap_or_else(PoisonError::into_inner),
            None => Utc::now(),
        }
    }

    /// Today's date in UTC, which is what YNAB compares dates against.
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// Moves a manual clock to `at`; the system clock ignores this.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(current) = &self.manual {
            *current.lock().unwrap_or_else(PoisonError::into_inner) = at;
        }
    }

    /// Moves a manual clock forward by `by`; the system clock ignores this.
    pub fn advance(&self, by: Duration) {
        if let Some(current) = &self.manual {
            let mut guard = current.lock().unwrap_or_else(PoisonError::into_inner);
            *guard += by;
        }
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.manual {
            Some(_) => write!(f, "Clock::manual({})", self.now()),
            None => f.write_str("Clock::system()"),
        }
    }
}
