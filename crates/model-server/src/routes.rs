//! The HTTP routes of the V2 protocol: health, server and model metadata,
//! and inference. Each endpoint family has its own file.

pub mod health;
pub mod infer;
pub mod metadata;
