//! Persistence: every function is one transaction; authorization facts are read inside it.
//!
//! Layers, each importing only those above it in this list (checked by `layers_tests`):
//! 1. `dialect` (SQLite specifics) and this module (pools, row helpers);
//! 2. shared lookups and writers: `lookup`, `timeline`, `audit`, `catalogs` (what tickets may
//!    carry), `ticket_writes`, `rules`;
//! 3. features: `board`, `entitlements`, `notifications`, `qualifications`, `queues`, `sla`
//!    (clocks), `time_off`, `users`, `work_log` (timers, time entries, timesheets),
//!    `ticket_events`, then `customers` (which shows entitlements), `relations`, `resolutions`,
//!    `assignment`, `routing`, `automation`, `sla_setup`, `sla_work`, `attachments` (files on
//!    tickets and messages), `kb` (knowledge base);
//! 4. `ticket_flow`: what runs after every ticket change, in one order;
//! 5. entry points that change tickets through the flow: `conversation` (messages, followers),
//!    `tickets`, `leads`, `pull`, `timed`, `merge`, and the
//!    rest that only read or configure: `teams`, `organisation` (first-run setup), `portal`, `seed`, `fixtures`.

pub(crate) mod dialect;

pub mod assignment;
pub mod attachments;
pub mod audit;
pub mod automation;
pub mod board;
pub mod catalogs;
pub mod conversation;
pub mod customers;
pub mod entitlements;
pub mod kb;
pub mod lookup;
pub mod merge;
pub mod notifications;
pub mod organisation;
pub mod portal;
pub mod pull;
pub mod qualifications;
pub mod queues;
pub(crate) mod relations;
pub mod resolutions;
pub mod leads;
pub mod routing;
mod rules;
pub mod seed;
pub mod sla;
pub mod sla_setup;
pub mod sla_work;
pub mod teams;
pub mod ticket_events;
pub(crate) mod ticket_flow;
pub(crate) mod ticket_writes;
pub mod tickets;
pub mod timed;
pub(crate) mod timeline;
pub mod time_off;
pub mod users;
pub mod work_log;

pub use dialect::{Conn, Database};

use crate::error::AppError;
use crate::model::{Role, TicketStatus};

/// The database: parallel readers and one writer (see `dialect::connect`).
#[derive(Clone, Debug)]
pub struct Db {
    pub read: dialect::Pool,
    pub write: dialect::Pool,
}

impl Db {
    /// Opens (creating file and folder if needed) and migrates the database at `url`.
    pub async fn connect(url: &str) -> Result<Db, AppError> {
        let (read, write) = dialect::connect(url).await?;
        Ok(Db { read, write })
    }

    /// A write transaction; every change to the data runs in exactly one.
    pub async fn begin_write(&self) -> Result<dialect::Transaction, AppError> {
        dialect::begin_write(&self.write).await
    }
}

/// `(id, name)` rows of a query as names to pick from.
pub(crate) async fn named_list(conn: &mut Conn, sql: &str) -> Result<Vec<crate::model::Named>, AppError> {
    Ok(sqlx::query_as::<_, (i64, String)>(sql).fetch_all(conn).await?.into_iter().map(|(id, name)| crate::model::Named { id, name }).collect())
}

/// Maps a unique-name violation to a clear message about `what` (e.g. "A queue") named `name`.
pub(crate) fn name_taken(what: &'static str, name: &str) -> impl FnOnce(sqlx::Error) -> AppError {
    let name = name.to_string();
    move |error| match AppError::from(error) {
        AppError::Conflict(_) => AppError::Invalid(format!("{what} named \"{name}\" already exists.")),
        other => other,
    }
}

/// Reads a JSON document stored by this program (rule conditions and actions).
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(|e| AppError::Internal(format!("A stored rule cannot be read: {e}")))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))
}

/// Everyone who can work tickets (active staff), by name, for pickers.
pub(crate) fn staff_sql() -> String {
    format!("SELECT id, name FROM users WHERE role <> {} AND deactivated_at IS NULL ORDER BY name", code(Role::Customer.as_str()))
}

/// A code of one of our enums as an SQL literal (codes are fixed identifiers, never user input).
pub(crate) fn code(value: &'static str) -> String {
    debug_assert!(value.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    format!("'{value}'")
}

/// The codes of a ticket's open statuses, as an SQL list: `'active_new', 'active_assigned'`.
pub(crate) fn open_statuses() -> String {
    TicketStatus::OPEN.iter().map(|s| code(s.as_str())).collect::<Vec<_>>().join(", ")
}

/// `IN (…)` contents for ids read from the database (never user input); `NULL` matches nothing.
pub(crate) fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        "NULL".into()
    } else {
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    }
}

/// Reads a stored code back into its enum; an unknown code means the database was edited by hand.
pub(crate) fn decode<T>(parse: fn(&str) -> Option<T>, code: &str) -> Result<T, AppError> {
    parse(code).ok_or_else(|| AppError::Internal(format!("Unknown code {code:?} in the database.")))
}

/// Turns "no row updated" on a `WHERE id = ? AND version = ?` into a clear conflict.
pub(crate) fn expect_one_row(affected: u64, what: &str) -> Result<(), AppError> {
    if affected == 1 {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "{what} was changed by someone else in the meantime. The latest version has been loaded."
        )))
    }
}

#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;

#[cfg(test)]
mod layers_tests;
