//! Integration tests of the restarter against the machine's real Docker
//! engine, with containers from a locally made busybox image (no registry
//! is needed), each test under its own label prefix so tests can run in
//! parallel, and every container removed afterwards.

mod check;
mod health;
mod helpers;
mod manual;
mod schedule;
mod socket;
