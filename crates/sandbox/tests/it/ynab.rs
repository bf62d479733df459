//! The YNAB half of the sandbox, over HTTP: reads and deltas, writes with
//! YNAB's validation, duplicates and transfers, the token and rate-limit
//! gate, and every answer checked against the official OpenAPI documents.

mod gate;
mod generated;
mod reads;
mod support;
mod writes;
