//! The domain of bunq-ynab-connect: validated values (money, IBANs, dates),
//! the source records read from bunq and YNAB, account linking and run
//! records. Nothing in this crate performs I/O; every adapter and binary
//! builds on these types.

pub mod bunq;
pub mod bunq_context;
pub mod iban;
pub mod linking;
pub mod matching;
pub mod money;
pub mod run;
pub mod sync;
pub mod time;
pub mod ynab;

mod json;

pub use iban::Iban;
pub use json::RecordError;
pub use money::Milliunits;
