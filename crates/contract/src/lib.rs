//! The contract-test harness: loads the official OpenAPI documents, finds
//! the operation for a method and concrete path, and checks request and
//! answer bodies against the document's schemas with `jsonschema`.
#![doc = include_str!("../README.md")]

mod bunq;
mod corrections;
mod error;
pub mod locate;
mod operation;
mod paths;
mod request;
mod response;
mod spec;
mod translate;

pub use error::ContractError;
pub use operation::Operation;
pub use request::HttpRequest;
pub use response::ErrorSchema;
pub use spec::{BUNQ_SPEC, Dialect, Spec, Strictness, YNAB_BUDGETS_SPEC, YNAB_PLANS_SPEC};
