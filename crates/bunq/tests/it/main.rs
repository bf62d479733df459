//! Integration tests of the bunq client against the sandbox's bunq half,
//! over real HTTP, with the context shared through a real MongoDB.

mod context;
mod helpers;
mod lists;
mod resilience;
mod sessions;
