//! Integration tests of the ingest service against the sandbox (bunq and
//! YNAB over HTTP) and a real MongoDB server.

mod config;
mod faults;
mod helpers;
mod load;
mod logs;
