//! Contract tests: the sandbox's answers and the real clients' requests,
//! checked against the official bunq and YNAB OpenAPI documents, plus the
//! harness's own refusals of deliberately wrong bodies.

mod bunq_answers;
mod client_requests;
mod harness;
mod helpers;
mod proxy;
mod ynab_answers;
