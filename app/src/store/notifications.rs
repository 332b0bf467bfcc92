//! In-app notifications: what rules and SLA alerts tell a user, as far as they want to hear it.

use chrono::{DateTime, Utc};

use super::{Conn, Db};
use crate::domain::reference;
use crate::error::AppError;
use crate::model::{CurrentUser, Notification, NotificationSettings};

/// How many notifications the list shows.
pub const SHOWN: i64 = 50;

/// What a notification is about; each user turns each kind on or off (`NotificationSettings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotificationKind {
    /// An automation rule's "notify" action.
    Rule,
    /// An SLA warning, breach or escalation.
    Sla,
    /// A new message on a ticket the user follows or is assigned.
    Message,
}

impl NotificationKind {
    /// The `users` column that says whether the user wants this kind.
    fn setting_column(self) -> &'static str {
        match self {
            NotificationKind::Rule => "notify_rules",
            NotificationKind::Sla => "notify_sla",
            NotificationKind::Message => "notify_messages",
        }
    }
}

/// Notifies an active user who has not turned this kind off; `false` when nothing was sent.
pub(crate) async fn notify(
    conn: &mut Conn,
    user_id: i64,
    kind: NotificationKind,
    ticket_id: Option<i64>,
    message: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let sent = sqlx::query(&format!(
        "INSERT INTO notifications (user_id, ticket_id, message, created_at)
         SELECT id, ?, ?, ? FROM users WHERE id = ? AND {} = 1 AND deactivated_at IS NULL",
        kind.setting_column()
    ))
    .bind(ticket_id)
    .bind(message)
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(sent == 1)
}

pub(crate) async fn settings_of(conn: &mut Conn, user_id: i64) -> Result<NotificationSettings, AppError> {
    let (rules, sla, messages): (bool, bool, bool) =
        sqlx::query_as("SELECT notify_rules, notify_sla, notify_messages FROM users WHERE id = ?").bind(user_id).fetch_one(conn).await?;
    Ok(NotificationSettings { rules, sla, messages })
}

pub(crate) async fn save_settings(conn: &mut Conn, user_id: i64, settings: NotificationSettings) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET notify_rules = ?, notify_sla = ?, notify_messages = ? WHERE id = ?")
        .bind(settings.rules)
        .bind(settings.sla)
        .bind(settings.messages)
        .bind(user_id)
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
