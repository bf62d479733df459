//! One module per page. Each reads what it shows from MongoDB on every
//! request (the dashboard keeps no state of its own) and renders it with
//! [`crate::templates`].

pub mod accounts;
pub mod actions;
pub mod models;
pub mod queue;
pub mod runs;
pub mod schedules;
