//! The gate in front of every YNAB route: the bearer token must be the
//! configured one (401 otherwise), and each token gets a fixed number of
//! requests per rolling hour (429 past it). Every authenticated response
//! carries `X-Rate-Limit: used/limit`, which clients read to pace
//! themselves.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, PoisonError};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};

use super::YnabState;
use super::error::ApiError;

/// The response header that reports the token's usage.
pub(crate) const RATE_LIMIT_HEADER: &str = "x-rate-limit";

/// The window YNAB counts requests in.
const WINDOW: Duration = Duration::hours(1);

/// Request times per token within the last hour.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    hits: HashMap<String, VecDeque<DateTime<Utc>>>,
}

/// The limiter's verdict on one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// Whether the request may proceed.
    pub(crate) allowed: bool,
    /// Requests counted in the window, this one included when allowed.
    pub(crate) used: usize,
}

impl RateLimiter {
    /// Counts a request at `now`. A refused request is not counted, so a
    /// client that keeps retrying does not push its own reset further out.
    pub(crate) fn check(
        &mut self,
        token: &str,
        now: DateTime<Utc>,
        limit: u32,
        enforce: bool,
    ) -> Verdict {
        let hits = self.hits.entry(token.to_owned()).or_default();
        while hits.front().is_some_and(|&at| now - at >= WINDOW) {
            hits.pop_front();
        }
        let full = hits.len() >= usize::try_from(limit).unwrap_or(usize::MAX);
        if enforce && full {
            return Verdict {
                allowed: false,
                used: hits.len(),
            };
        }
        hits.push_back(now);
        Verdict {
            allowed: true,
            used: hits.len(),
        }
    }

    /// Requests counted for `token` in the hour before `now`.
    pub(crate) fn used(&self, token: &str, now: DateTime<Utc>) -> usize {
        self.hits.get(token).map_or(0, |hits| {
            hits.iter().filter(|&&at| now - at < WINDOW).count()
        })
    }
}

/// The axum middleware: authenticate, count, then run the route.
pub(crate) async fn guard(
    State(state): State<Arc<YnabState>>,
    request: Request,
    next: Next,
) -> Response {
    let settings = &state.settings;
    if bearer(request.headers()) != Some(settings.token.as_str()) {
        let path = request.uri().path();
        tracing::debug!(path, "refused a YNAB request without the right token");
        return ApiError::Unauthorized.into_response();
    }

    let verdict = state
        .limiter
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .check(
            &settings.token,
            settings.clock.now(),
            settings.hourly_limit,
            settings.enforce_rate_limit,
        );
    let mut response = if verdict.allowed {
        next.run(request).await
    } else {
        tracing::warn!(
            limit = settings.hourly_limit,
            "YNAB hourly request limit reached"
        );
        ApiError::TooManyRequests.into_response()
    };

    let usage = format!("{}/{}", verdict.used, settings.hourly_limit);
    if let Ok(value) = HeaderValue::from_str(&usage) {
        response.headers_mut().insert(RATE_LIMIT_HEADER, value);
    }
    response
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_request_past_the_limit_is_refused_until_the_hour_rolls_on() {
        let mut limiter = RateLimiter::default();
        let start = Utc
            .with_ymd_and_hms(2024, 5, 1, 12, 0, 0)
            .single()
            .expect("valid");

        let first = limiter.check("t", start, 2, true);
        let second = limiter.check("t", start + Duration::minutes(30), 2, true);
        let third = limiter.check("t", start + Duration::minutes(59), 2, true);
        let later = limiter.check("t", start + Duration::minutes(60), 2, true);

        assert_eq!((first.allowed, first.used), (true, 1));
        assert_eq!((second.allowed, second.used), (true, 2));
        assert_eq!((third.allowed, third.used), (false, 2));
        assert_eq!((later.allowed, later.used), (true, 2));
    }

    #[test]
    fn an_unenforced_limit_still_counts() {
        let mut limiter = RateLimiter::default();
        let now = Utc::now();

        let verdicts: Vec<_> = (0..3).map(|_| limiter.check("t", now, 1, false)).collect();

        assert!(verdicts.iter().all(|v| v.allowed));
        assert_eq!(limiter.used("t", now), 3);
    }

    #[test]
    fn only_a_bearer_scheme_yields_a_token() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer abc"),
        );
        assert_eq!(bearer(&headers), Some("abc"));

        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&headers), None);
    }
}
