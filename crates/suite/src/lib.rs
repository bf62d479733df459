//! `bunq-ynab-connect`, the multi-call binary: every service of the suite
//! in one executable, so that the image carries tokio, the MongoDB driver
//! and rustls once instead of once per service. The image links each
//! service's name to it (`/usr/local/bin/ingest` → `bunq-ynab-connect`);
//! called by a link it runs that service, called by its own name it runs
//! the service its first argument names. Each service runs exactly as its
//! own binary would (same command line, logging and exit codes).
//!
//! ```text
//! ingest serve                              # through the link
//! bunq-ynab-connect ingest serve            # the same
//! healthcheck http://127.0.0.1:8080/health  # exit 0 when it answers 2xx
//! healthcheck --mongo                       # exit 0 when MongoDB answers
//! ```

pub mod applet;
pub mod dispatch;
pub mod healthcheck;
pub mod servers;

pub use applet::Applet;
pub use dispatch::{DispatchError, Invocation, resolve, run};
