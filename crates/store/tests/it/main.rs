//! Integration tests of the store against a real MongoDB server
//! (`MONGO_URI`, default `mongodb://127.0.0.1:27017`), one fresh database
//! per test.

mod connect;
mod dates;
mod full_loads;
mod helpers;
mod indexes;
mod matched;
mod queue;
mod round_trip;
mod runs;
mod upserts;
