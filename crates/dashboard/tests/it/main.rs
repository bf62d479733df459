//! The dashboard's integration tests: on sandbox data, over real HTTP and
//! in headless Chromium.

mod browser;
mod browser_tests;
mod helpers;
mod http;
mod services;
