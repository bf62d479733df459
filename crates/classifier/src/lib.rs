//! The classifier client: asks a budget's model on the model server for a
//! category per payment (Open Inference Protocol V2), and falls back to "no
//! category" whenever the answer is missing, late, wrong or unsure.
#![doc = include_str!("../README.md")]

mod client;
mod config;
mod error;
mod request;
mod response;

pub use client::{Classification, ClassifierClient, Outcome};
pub use config::{ClassifierConfig, DEFAULT_THRESHOLD, DEFAULT_TIMEOUT};
pub use error::ClassifierError;
pub use request::{PAYMENT_FIELDS, infer_request};
pub use response::{Prediction, Suggestion};
