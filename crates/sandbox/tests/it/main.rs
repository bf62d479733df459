//! The sandbox's integration tests: one binary, a module per concern, each
//! test starting its own sandbox on free local ports.

mod bunq_context;
mod bunq_limits;
mod bunq_lists;
mod faults_and_admin;
mod generator;
mod helpers;
mod ynab;
