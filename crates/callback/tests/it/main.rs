//! Integration tests of the callback service against the sandbox (bunq and
//! YNAB over HTTP, callbacks delivered from loopback addresses), a real
//! MongoDB server, and headless Chromium for the docs page.

mod bad_input;
mod delivery;
mod docs;
mod end_to_end;
mod helpers;
mod load;
mod registration;
mod spoofing;
