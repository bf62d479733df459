//! Category models for bunq payments: features, candidates, time-ordered
//! evaluation and the stored, served model. No I/O.
#![doc = include_str!("../README.md")]

pub mod baseline;
pub mod candidates;
pub mod classifier;
mod error;
pub mod features;
pub mod fields;
pub mod metrics;
pub mod model;
pub mod text;
pub mod train;
pub mod vocabulary;

pub use candidates::Candidate;
pub use error::LearningError;
pub use features::PaymentFeatures;
pub use fields::PaymentFields;
pub use metrics::{DEFAULT_CONFIDENCE_THRESHOLD, Metrics};
pub use model::{Model, ModelCategory, Prediction};
pub use train::{CandidateReport, Evaluation, Example, Trained, TrainingConfig, evaluate, train};
