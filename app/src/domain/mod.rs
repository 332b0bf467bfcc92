//! Pure rules: no I/O, no async; the current time is always passed in.

pub mod access;
pub mod age;
pub mod assign;
pub mod automation;
pub mod board;
pub mod calendar;
pub mod changes;
pub mod ordering;
pub mod reference;
pub mod routing;
pub mod sla;
pub mod similarity;
pub mod sla_sync;
pub mod status;
pub mod templates;
pub mod throttle;
pub mod validate;

#[cfg(test)]
mod fuzz;
