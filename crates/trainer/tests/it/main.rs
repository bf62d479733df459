//! Integration tests of the trainer against a real MongoDB and the sandbox.

mod evaluate;
mod helpers;
mod matching;
mod registry;
