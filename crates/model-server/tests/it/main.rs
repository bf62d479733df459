//! Integration tests of the model server: protocol conformance, request
//! decoding, bad input, live reload, and the sync path end to end.

mod bad_requests;
mod conformance;
mod end_to_end;
mod helpers;
mod pandas;
mod reload;
