//! The ticket timeline: who changed what and when, written next to every change.

use chrono::{DateTime, Utc};

use super::Conn;
use crate::error::AppError;
use crate::model::TimelineKind;

pub(crate) async fn add_timeline(
    conn: &mut Conn,
    ticket_id: i64,
    kind: TimelineKind,
    actor_id: Option<i64>,
    at: DateTime<Utc>,
    summary: &str,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO timeline_entries (ticket_id, kind, actor_id, at, summary) VALUES (?, ?, ?, ?, ?)")
        .bind(ticket_id)
        .bind(kind.as_str())
        .bind(actor_id)
        .bind(at)
        .bind(summary)
        .execute(conn)
        .await?;
    Ok(())
}
