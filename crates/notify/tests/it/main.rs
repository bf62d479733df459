//! The failure webhook, received by a local listener: a failed run, a
//! payment failed for good and a refused bunq key reach it through the
//! store observer, in both body formats; retries are bounded and equal
//! notices are throttled.

mod webhook;
