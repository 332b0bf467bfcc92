//! The audit log: who changed the installation's setup, and when. Written in the same
//! transaction as the change it describes, like a ticket's timeline.

use chrono::{DateTime, Utc};

use super::{Conn, Db};
use crate::domain::access::{self, Action};
use crate::error::AppError;
use crate::model::{AuditEntry, CurrentUser};

/// The most entries one page of the audit log shows.
pub const PAGE: i64 = 200;

pub(crate) async fn record(
    conn: &mut Conn,
    actor_id: i64,
    area: &str,
    object_id: Option<i64>,
    at: DateTime<Utc>,
    summary: &str,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO audit_entries (actor_id, at, area, object_id, summary) VALUES (?, ?, ?, ?, ?)")
        .bind(actor_id)
        .bind(at)
        .bind(area)
        .bind(object_id)
        .bind(summary)
        .execute(conn)
        .await?;
    Ok(())
}

/// The newest entries, optionally of one area (and one object in it); for admins.
pub async fn entries(db: &Db, user: &CurrentUser, area: Option<&str>, object_id: Option<i64>) -> Result<Vec<AuditEntry>, AppError> {
    access::require(user, Action::ConfigureInstallation)?;
    let rows: Vec<(i64, Option<String>, DateTime<Utc>, String, Option<i64>, String)> = sqlx::query_as(
        "SELECT e.id, u.name, e.at, e.area, e.object_id, e.summary
           FROM audit_entries e LEFT JOIN users u ON u.id = e.actor_id
          WHERE (?1 IS NULL OR e.area = ?1) AND (?2 IS NULL OR e.object_id = ?2)
          ORDER BY e.at DESC, e.id DESC LIMIT ?3",
    )
    .bind(area)
    .bind(object_id)
    .bind(PAGE)
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, actor, at, area, object_id, summary)| AuditEntry { id, actor, at, area, object_id, summary })
        .collect())
}
