//! Integration tests of the sync worker against the sandbox (bunq and YNAB
//! over HTTP), a real MongoDB server, and, for classification, a small
//! local listener that plays the model server.

mod amounts;
mod classify;
mod commands;
mod dates;
mod end_to_end;
mod faults;
mod helpers;
mod kill;
mod model_server;
mod races;
