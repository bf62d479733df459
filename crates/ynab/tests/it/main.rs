//! The YNAB client against the sandbox's YNAB half over real HTTP: reads
//! and delta reads, writes, retries and fault handling, and the hourly
//! request budget.

mod faults;
mod helpers;
mod limits;
mod reads;
mod writes;
