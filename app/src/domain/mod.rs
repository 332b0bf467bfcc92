//! Pure rules: no I/O, no async; the current time is always passed in.

pub mod access;
pub mod age;
pub mod assign;
pub mod automation;
pub mod board;
pub mod calendar;
pub mod changes;
pub mod files;
pub mod kb;
#[cfg(feature = "ssr")]
pub mod markdown;
pub mod ordering;
pub mod reference;
pub mod resolution;
pub mod routing;
pub mod sla;
pub mod similarity;
pub mod sla_sync;
pub mod status;
pub mod templates;
pub mod throttle;
pub mod validate;
pub mod work_log;

#[cfg(test)]
mod fuzz;
