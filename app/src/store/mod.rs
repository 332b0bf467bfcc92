//! Persistence: every function is one transaction; authorization facts are read inside it.

pub mod assignment;
pub mod automation;
pub mod customers;
pub mod notifications;
pub mod portal;
pub mod qualifications;
pub mod queues;
pub mod routing;
mod rules;
pub mod seed;
pub mod sla;
pub mod sla_setup;
pub mod sla_work;
pub mod entitlements;
pub mod teams;
pub mod tickets;
pub mod time_off;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::error::AppError;

/// SQLite allows one writer at a time: writes go through a single connection so that they
/// queue in the pool instead of failing with "database is locked"; reads run in parallel (WAL).
#[derive(Clone, Debug)]
pub struct Db {
    pub read: SqlitePool,
    pub write: SqlitePool,
}

impl Db {
    /// Opens (creating file and folder if needed) and migrates the database at `url`.
    pub async fn connect(url: &str) -> Result<Db, AppError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| AppError::Internal(format!("Bad DATABASE_URL {url:?}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(folder) = options.get_filename().parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder)
                .map_err(|e| AppError::Internal(format!("Cannot create {}: {e}", folder.display())))?;
        }
        let write = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        sqlx::migrate!("./migrations").run(&write).await?;
        let read = SqlitePoolOptions::new().max_connections(8).connect_with(options.read_only(true)).await?;
        Ok(Db { read, write })
    }
}

/// `(id, name)` rows of a query as names to pick from.
pub(crate) async fn named_list(conn: &mut sqlx::SqliteConnection, sql: &str) -> Result<Vec<crate::model::Named>, AppError> {
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

/// Everyone who can work tickets (staff), by name, for pickers.
pub(crate) const STAFF_SQL: &str = "SELECT id, name FROM users WHERE role <> 'customer' ORDER BY name";

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
