//! In-app notifications: what rules (and later SLA escalations) tell a user.

use chrono::{DateTime, Utc};

use super::{Conn, Db};
use crate::domain::reference;
use crate::error::AppError;
use crate::model::{CurrentUser, Notification};

/// How many notifications the list shows.
pub const SHOWN: i64 = 50;

pub(crate) async fn notify(conn: &mut Conn, user_id: i64, ticket_id: Option<i64>, message: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query("INSERT INTO notifications (user_id, ticket_id, message, created_at) VALUES (?, ?, ?, ?)")
        .bind(user_id)
        .bind(ticket_id)
        .bind(message)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// The user's latest notifications, newest first, and how many are unread in all.
pub async fn list(db: &Db, user: &CurrentUser) -> Result<(Vec<Notification>, i64), AppError> {
    let rows: Vec<(i64, Option<i64>, String, DateTime<Utc>, bool)> = sqlx::query_as(
        "SELECT n.id, k.number, n.message, n.created_at, n.read_at IS NOT NULL FROM notifications n LEFT JOIN tickets k ON k.id = n.ticket_id
          WHERE n.user_id = ? ORDER BY n.id DESC LIMIT ?",
    )
    .bind(user.id)
    .bind(SHOWN)
    .fetch_all(&db.read)
    .await?;
    let unread = unread(db, user).await?;
    let list = rows
        .into_iter()
        .map(|(id, number, message, at, read)| Notification { id, reference: number.map(reference::format), message, at, read })
        .collect();
    Ok((list, unread))
}

pub async fn unread(db: &Db, user: &CurrentUser) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL").bind(user.id).fetch_one(&db.read).await?)
}

/// Marks all of the user's notifications read.
pub async fn mark_all_read(db: &Db, user: &CurrentUser, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL").bind(now).bind(user.id).execute(&db.write).await?;
    Ok(())
}
