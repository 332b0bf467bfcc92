//! Everything that is particular to SQLite, in one place, so that a second database (PostgreSQL)
//! is a matter of this file and the migrations. The rest of the store writes portable SQL:
//! `?` placeholders, `RETURNING id`, `ON CONFLICT … DO NOTHING / DO UPDATE`, `||`, and codes
//! taken from the enums.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::error::AppError;

/// The database the store runs on.
pub type Database = sqlx::Sqlite;
/// One connection or open transaction, as every store function below the entry points takes it.
pub type Conn = sqlx::SqliteConnection;
pub type Pool = SqlitePool;
pub type Transaction = sqlx::Transaction<'static, Database>;

/// Opens (creating file and folder if needed) the database at `url` as a pool of readers and
/// one writer: SQLite allows one writer at a time, so writes queue in the pool instead of
/// failing with "database is locked", while reads run in parallel (WAL).
pub(super) async fn connect(url: &str) -> Result<(Pool, Pool), AppError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| AppError::Internal(format!("Bad DATABASE_URL {url:?}: {e}")))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    if let Some(folder) = options.get_filename().parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|e| AppError::Internal(format!("Cannot create {}: {e}", folder.display())))?;
    }
    let write = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
    sqlx::migrate!("./migrations").run(&write).await?;
    let read = SqlitePoolOptions::new().max_connections(8).connect_with(options.read_only(true)).await?;
    Ok((read, write))
}

/// The folder the database file lives in (`data/` for the default `sqlite://data/helpdesk.db`):
/// files the installation keeps beside its database (attachments) go there by default.
pub(crate) fn database_folder(url: &str) -> std::path::PathBuf {
    SqliteConnectOptions::from_str(url)
        .ok()
        .and_then(|options| options.get_filename().parent().map(std::path::Path::to_path_buf))
        .filter(|folder| !folder.as_os_str().is_empty())
        .unwrap_or_else(|| std::path::PathBuf::from("data"))
}

/// Opens a write transaction that holds the write lock from its first statement, so that a
/// claim (pull-next, automatic assignment) read inside it cannot be taken by another writer
/// before it is written. On PostgreSQL this is a plain `BEGIN` with `SELECT … FOR UPDATE
/// SKIP LOCKED` on the claimed rows.
pub(super) async fn begin_write(write: &Pool) -> Result<Transaction, AppError> {
    Ok(write.begin_with("BEGIN IMMEDIATE").await?)
}

/// Case-insensitive substring match on a column against a pattern built by `contains_pattern`
/// (SQLite's `LIKE` ignores ASCII case; PostgreSQL needs `ILIKE`).
pub(crate) const LIKE: &str = "LIKE";

/// A `LIKE` pattern that finds `text` anywhere, with the wildcards in it escaped (by `\`).
pub(crate) fn contains_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}
