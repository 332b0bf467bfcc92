//! A ticket's conversation (SPEC S5): replies to the customer and internal notes, their edits,
//! and who follows the ticket. Internal notes never leave this module towards a customer: the
//! customer's queries filter them out in SQL, not in a view.

use chrono::{DateTime, Utc};

use super::lookup::{accessible, may_see, TicketCore};
use super::notifications::{self, NotificationKind};
use super::ticket_flow::{self, Change};
use super::timeline::add_timeline;
use super::{attachments, code, decode, ticket_writes, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::automation::Event;
use crate::domain::{markdown, reference, validate};
use crate::error::AppError;
use crate::model::*;

/// What posting a message did, for the live events and the bells.
#[derive(Debug)]
pub struct Posted {
    pub message_id: i64,
    pub ticket_id: i64,
    pub team_id: i64,
    pub reference: String,
    pub kind: MessageKind,
    /// Users who got an in-app notification.
    pub notified: Vec<i64>,
}

/// A changed message or follower list, for the live events.
#[derive(Debug)]
pub struct Touched {
    pub ticket_id: i64,
    /// Customers may be shown the change (a reply, not a note).
    pub customer_visible: bool,
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    kind: String,
    author_id: Option<i64>,
    author: Option<String>,
    from_customer: bool,
    body: String,
    body_html: String,
    created_at: DateTime<Utc>,
    edited_at: Option<DateTime<Utc>>,
    deleted: bool,
    version: i64,
}

const MESSAGE_SELECT: &str = "SELECT m.id, m.kind, m.author_id, u.name AS author, m.from_customer, m.body, m.body_html, m.created_at,
        m.edited_at, m.deleted_at IS NOT NULL AS deleted, m.version
   FROM messages m LEFT JOIN users u ON u.id = m.author_id";

fn kind_of(kind: MessageKind) -> TimelineKind {
    match kind {
        MessageKind::Reply => TimelineKind::Reply,
        MessageKind::Note => TimelineKind::Note,
    }
}

/// Staff may edit and delete their own messages; admins anyone's. Customers change nothing sent.
fn may_change(user: &CurrentUser, author_id: Option<i64>) -> bool {
    user.role.is_internal() && (author_id == Some(user.id) || user.role == Role::Admin)
}

/// Every message of a ticket, notes included, newest first: for staff only.
pub(crate) async fn staff_messages(conn: &mut Conn, viewer: &CurrentUser, ticket_id: i64) -> Result<Vec<TimelineEntry>, AppError> {
    debug_assert!(viewer.role.is_internal());
    let rows: Vec<MessageRow> =
        sqlx::query_as(&format!("{MESSAGE_SELECT} WHERE m.ticket_id = ? ORDER BY m.created_at DESC, m.id DESC")).bind(ticket_id).fetch_all(&mut *conn).await?;
    let revisions: Vec<(i64, String, Option<String>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT r.message_id, r.body, u.name, r.replaced_at FROM message_revisions r JOIN messages m ON m.id = r.message_id
           LEFT JOIN users u ON u.id = r.replaced_by WHERE m.ticket_id = ? ORDER BY r.id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut files = attachments::by_message(conn, viewer, ticket_id).await?;
    rows.into_iter()
        .map(|row| {
            let kind = decode(MessageKind::parse, &row.kind)?;
            let editable = may_change(viewer, row.author_id) && !row.deleted;
            let revisions = revisions
                .iter()
                .filter(|(id, ..)| *id == row.id)
                .map(|(_, body, by, at)| MessageRevision { body: body.clone(), replaced_by: by.clone(), replaced_at: *at })
                .collect();
            Ok(TimelineEntry {
                id: row.id,
                kind: kind_of(kind),
                actor: row.author,
                at: row.created_at,
                summary: String::new(),
                message: Some(MessageView {
                    id: row.id,
                    html: row.body_html,
                    from_customer: row.from_customer,
                    edited_at: row.edited_at,
                    deleted: row.deleted,
                    version: row.version,
                    source: editable.then_some(row.body),
                    revisions,
                    attachments: if row.deleted { Vec::new() } else { files.remove(&row.id).unwrap_or_default() },
                }),
            })
        })
        .collect()
}

/// The replies a customer sees, newest first: never a note, never a deleted reply, no earlier
/// wordings, and staff unnamed (as on the rest of the portal).
pub(crate) async fn customer_messages(conn: &mut Conn, viewer: &CurrentUser, ticket_id: i64) -> Result<Vec<TimelineEntry>, AppError> {
    let rows: Vec<MessageRow> = sqlx::query_as(&format!(
        "{MESSAGE_SELECT} WHERE m.ticket_id = ? AND m.kind = {} AND m.deleted_at IS NULL ORDER BY m.created_at DESC, m.id DESC",
        code(MessageKind::Reply.as_str())
    ))
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut files = attachments::by_message(conn, viewer, ticket_id).await?;
    Ok(rows
        .into_iter()
        .map(|row| TimelineEntry {
            id: row.id,
            kind: TimelineKind::Reply,
            actor: if row.author_id == Some(viewer.id) { row.author } else { None },
            at: row.created_at,
            summary: String::new(),
            message: Some(MessageView {
                id: row.id,
                html: row.body_html,
                from_customer: row.from_customer,
                edited_at: row.edited_at,
                deleted: false,
                version: row.version,
                source: None,
                revisions: Vec::new(),
                attachments: files.remove(&row.id).unwrap_or_default(),
            }),
        })
        .collect())
}

/// Timeline entries and messages in one list, newest first.
pub(crate) fn interleave(mut entries: Vec<TimelineEntry>, messages: Vec<TimelineEntry>) -> Vec<TimelineEntry> {
    entries.extend(messages);
    // Stable: at equal times a message stays after the entries its own change wrote.
    entries.sort_by(|a, b| b.at.cmp(&a.at));
    entries
}

/// Posts a reply or an internal note. Staff write both; a customer only replies, on a ticket
/// they may see. The ticket workflow runs on the reply (first/next response, status rules).
pub async fn post(db: &Db, user: &CurrentUser, reference_text: &str, message: &NewMessage, now: DateTime<Utc>) -> Result<Posted, AppError> {
    if message.attachment_ids.len() > validate::MESSAGE_ATTACHMENTS_MAX {
        return Err(AppError::Invalid(format!("A message carries at most {} files.", validate::MESSAGE_ATTACHMENTS_MAX)));
    }
    let body = validate::message_body(&message.body, !message.attachment_ids.is_empty())?;
    if message.kind == MessageKind::Note {
        access::require(user, Action::WorkTickets)?;
    }
    let mut tx = db.begin_write().await?;
    let core = accessible(&mut tx, user, reference_text, user.role.is_internal()).await?;
    let from_customer = !user.role.is_internal();
    let message_id: i64 = sqlx::query_scalar(
        "INSERT INTO messages (ticket_id, kind, author_id, from_customer, body, body_html, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(core.id)
    .bind(message.kind.as_str())
    .bind(user.id)
    .bind(from_customer)
    .bind(&body)
    .bind(markdown::render(&body))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    attachments::attach_to_message(&mut tx, user, core.id, message_id, &message.attachment_ids).await?;
    ticket_writes::mark_active(&mut tx, core.id, now).await?;
    let events = match (message.kind, from_customer) {
        (MessageKind::Note, _) => Vec::new(),
        (MessageKind::Reply, true) => vec![Event::CustomerReplied],
        (MessageKind::Reply, false) => vec![Event::AgentReplied],
    };
    ticket_flow::after_change(&mut tx, Change { actor_id: Some(user.id), ticket_id: core.id, events, route: false }, now).await?;
    let notified = notify_followers(&mut tx, user, &core, message.kind, now).await?;
    let (number, team_id): (i64, i64) = sqlx::query_as("SELECT number, team_id FROM tickets WHERE id = ?").bind(core.id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(Posted { message_id, ticket_id: core.id, team_id, reference: reference::format(number), kind: message.kind, notified })
}

/// Tells the ticket's followers and assignee (not the author, not who muted it) about a new
/// message; customers only about replies, and only on tickets they may see.
async fn notify_followers(conn: &mut Conn, author: &CurrentUser, core: &TicketCore, kind: MessageKind, now: DateTime<Utc>) -> Result<Vec<i64>, AppError> {
    let customers_hear = kind == MessageKind::Reply;
    let candidates: Vec<(i64, String)> = sqlx::query_as(
        "SELECT u.id, u.role FROM users u, tickets k
          WHERE k.id = ?1 AND u.id <> ?2 AND u.deactivated_at IS NULL
            AND (u.id = k.assignee_id
                 OR EXISTS (SELECT 1 FROM ticket_followers f WHERE f.ticket_id = k.id AND f.user_id = u.id)
                 OR (u.contact_id IS NOT NULL AND (u.contact_id = k.contact_id
                     OR EXISTS (SELECT 1 FROM ticket_contact_followers cf WHERE cf.ticket_id = k.id AND cf.contact_id = u.contact_id))))
            AND NOT EXISTS (SELECT 1 FROM ticket_mutes mu WHERE mu.ticket_id = k.id AND mu.user_id = u.id)
          ORDER BY u.id",
    )
    .bind(core.id)
    .bind(author.id)
    .fetch_all(&mut *conn)
    .await?;
    let (number, title): (i64, String) = sqlx::query_as("SELECT number, title FROM tickets WHERE id = ?").bind(core.id).fetch_one(&mut *conn).await?;
    let what = match kind {
        MessageKind::Reply => "replied on",
        MessageKind::Note => "wrote an internal note on",
    };
    let mut notified = Vec::new();
    for (user_id, role) in candidates {
        let internal = decode(Role::parse, &role)?.is_internal();
        if (!internal && !customers_hear) || !may_see(conn, user_id, core.id).await? {
            continue;
        }
        // Customers are not told staff names (as everywhere on the portal).
        let who = if internal || !author.role.is_internal() { author.name.as_str() } else { "Support" };
        let text = format!("{who} {what} {}: {title}", reference::format(number));
        if notifications::notify(conn, user_id, NotificationKind::Message, Some(core.id), &text, now).await? {
            notified.push(user_id);
        }
    }
    Ok(notified)
}

/// The message `message_id` of the ticket, checked for the caller's right to change it.
async fn changeable(conn: &mut Conn, user: &CurrentUser, core: &TicketCore, message_id: i64, version: i64) -> Result<MessageRow, AppError> {
    let row: MessageRow = sqlx::query_as(&format!("{MESSAGE_SELECT} WHERE m.id = ? AND m.ticket_id = ?"))
        .bind(message_id)
        .bind(core.id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| access::missing("Message", message_id))?;
    if row.deleted {
        return Err(AppError::Invalid("This message was deleted.".into()));
    }
    if !may_change(user, row.author_id) {
        return Err(AppError::Forbidden("Only its author (or an admin) changes a message.".into()));
    }
    if row.version != version {
        return Err(AppError::Conflict("Someone changed this message meanwhile; the latest version is shown.".into()));
    }
    Ok(row)
}

async fn keep_revision(conn: &mut Conn, row: &MessageRow, user: &CurrentUser, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query("INSERT INTO message_revisions (message_id, body, replaced_by, replaced_at) VALUES (?, ?, ?, ?)")
        .bind(row.id)
        .bind(&row.body)
        .bind(user.id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Rewrites a message; the earlier wording is kept and the timeline says so.
pub async fn edit(db: &Db, user: &CurrentUser, reference_text: &str, message_id: i64, version: i64, body: &str, now: DateTime<Utc>) -> Result<Touched, AppError> {
    let body = validate::message_body(body, false)?;
    replace(db, user, reference_text, message_id, version, Some(&body), now).await
}

/// Deletes a message: its text leaves the conversation (and the customer's view) but stays in
/// its history for staff.
pub async fn delete(db: &Db, user: &CurrentUser, reference_text: &str, message_id: i64, version: i64, now: DateTime<Utc>) -> Result<Touched, AppError> {
    replace(db, user, reference_text, message_id, version, None, now).await
}

/// Puts `body` in place of a message's text (`None`: deletes it), keeping the old wording.
async fn replace(
    db: &Db,
    user: &CurrentUser,
    reference_text: &str,
    message_id: i64,
    version: i64,
    body: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Touched, AppError> {
    let mut tx = db.begin_write().await?;
    let core = accessible(&mut tx, user, reference_text, true).await?;
    let row = changeable(&mut tx, user, &core, message_id, version).await?;
    keep_revision(&mut tx, &row, user, now).await?;
    let (deleted_at, edited_at, what) = match body {
        Some(_) => (None, Some(now), "Edited"),
        None => (Some(now), None, "Deleted"),
    };
    let body = body.unwrap_or_default();
    sqlx::query(
        "UPDATE messages SET body = ?, body_html = ?, edited_at = COALESCE(?, edited_at), deleted_at = ?, version = version + 1 WHERE id = ?",
    )
    .bind(body)
    .bind(if body.is_empty() { String::new() } else { markdown::render(body) })
    .bind(edited_at)
    .bind(deleted_at)
    .bind(row.id)
    .execute(&mut *tx)
    .await?;
    let kind = decode(MessageKind::parse, &row.kind)?;
    add_timeline(&mut tx, core.id, TimelineKind::Edited, Some(user.id), now, &format!("{what} a message ({})", kind.label().to_lowercase())).await?;
    tx.commit().await?;
    Ok(Touched { ticket_id: core.id, customer_visible: kind == MessageKind::Reply })
}

/// How many internal users the follower picker offers at most.
pub const CANDIDATES_MAX: i64 = 200;

/// The ticket's followers (requester first), whether the caller muted it, and whom staff may add.
pub async fn followers(db: &Db, user: &CurrentUser, reference_text: &str) -> Result<TicketFollowers, AppError> {
    let mut conn = db.read.acquire().await?;
    let core = accessible(&mut conn, user, reference_text, true).await?;
    let mut followers = Vec::new();
    let requester: Option<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT c.id, c.name, c.email FROM tickets k JOIN contacts c ON c.id = k.contact_id WHERE k.id = ?").bind(core.id).fetch_optional(&mut *conn).await?;
    if let Some((id, name, email)) = requester {
        followers.push(Follower { follower: FollowerRef::Contact(id), name, detail: email.unwrap_or_default(), internal: false, requester: true });
    }
    let users: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT u.id, u.name, u.role, u.email FROM ticket_followers f JOIN users u ON u.id = f.user_id WHERE f.ticket_id = ? ORDER BY u.name",
    )
    .bind(core.id)
    .fetch_all(&mut *conn)
    .await?;
    for (id, name, role, email) in users {
        let role = decode(Role::parse, &role)?;
        let detail = if role.is_internal() { role.label().to_string() } else { email };
        followers.push(Follower { follower: FollowerRef::User(id), name, detail, internal: role.is_internal(), requester: false });
    }
    let contacts: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT c.id, c.name, c.email FROM ticket_contact_followers f JOIN contacts c ON c.id = f.contact_id WHERE f.ticket_id = ? ORDER BY c.name",
    )
    .bind(core.id)
    .fetch_all(&mut *conn)
    .await?;
    for (id, name, email) in contacts {
        followers.push(Follower { follower: FollowerRef::Contact(id), name, detail: email.unwrap_or_default(), internal: false, requester: false });
    }
    let muted: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM ticket_mutes WHERE ticket_id = ? AND user_id = ?)")
        .bind(core.id)
        .bind(user.id)
        .fetch_one(&mut *conn)
        .await?;
    let staff: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT u.id, u.name FROM users u WHERE u.role <> {} AND u.deactivated_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM ticket_followers f WHERE f.ticket_id = ? AND f.user_id = u.id)
          ORDER BY u.name LIMIT ?",
        code(Role::Customer.as_str())
    ))
    .bind(core.id)
    .bind(CANDIDATES_MAX)
    .fetch_all(&mut *conn)
    .await?;
    let mut candidates = Vec::new();
    for (id, name) in staff {
        if may_see(&mut conn, id, core.id).await? {
            candidates.push(UserRef { id, name });
        }
    }
    Ok(TicketFollowers { followers, muted, candidates })
}

/// Adds a follower: an internal user who may see the ticket, or a customer contact (public teams
/// only, since customers see nothing else).
pub async fn add_follower(db: &Db, user: &CurrentUser, reference_text: &str, follower: FollowerRef, now: DateTime<Utc>) -> Result<Touched, AppError> {
    let mut tx = db.begin_write().await?;
    let core = accessible(&mut tx, user, reference_text, true).await?;
    let name = match follower {
        FollowerRef::User(id) => {
            let found: Option<(String, String)> =
                sqlx::query_as("SELECT name, role FROM users WHERE id = ? AND deactivated_at IS NULL").bind(id).fetch_optional(&mut *tx).await?;
            let (name, role) = found.ok_or_else(|| AppError::Invalid(format!("User {id} does not exist.")))?;
            if !decode(Role::parse, &role)?.is_internal() || !may_see(&mut tx, id, core.id).await? {
                return Err(AppError::Invalid(format!("{name} cannot see this ticket, so cannot follow it.")));
            }
            ticket_writes::follow(&mut tx, core.id, id).await?;
            name
        }
        FollowerRef::Contact(id) => {
            let name: String = sqlx::query_scalar("SELECT name FROM contacts WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| AppError::Invalid(format!("Contact {id} does not exist.")))?;
            if core.visibility != Visibility::Public.as_str() {
                return Err(AppError::Invalid("Customers follow tickets of public teams only.".into()));
            }
            sqlx::query("INSERT INTO ticket_contact_followers (ticket_id, contact_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .bind(core.id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            name
        }
    };
    add_timeline(&mut tx, core.id, TimelineKind::Followers, Some(user.id), now, &format!("{name} follows the ticket")).await?;
    tx.commit().await?;
    Ok(Touched { ticket_id: core.id, customer_visible: false })
}

pub async fn remove_follower(db: &Db, user: &CurrentUser, reference_text: &str, follower: FollowerRef, now: DateTime<Utc>) -> Result<Touched, AppError> {
    let mut tx = db.begin_write().await?;
    let core = accessible(&mut tx, user, reference_text, true).await?;
    let requester: Option<i64> = sqlx::query_scalar("SELECT contact_id FROM tickets WHERE id = ?").bind(core.id).fetch_one(&mut *tx).await?;
    let (removed, name): (u64, Option<String>) = match follower {
        FollowerRef::Contact(id) if Some(id) == requester => return Err(AppError::Invalid("The requester always follows their ticket.".into())),
        FollowerRef::User(id) => (
            sqlx::query("DELETE FROM ticket_followers WHERE ticket_id = ? AND user_id = ?").bind(core.id).bind(id).execute(&mut *tx).await?.rows_affected(),
            sqlx::query_scalar("SELECT name FROM users WHERE id = ?").bind(id).fetch_optional(&mut *tx).await?,
        ),
        FollowerRef::Contact(id) => (
            sqlx::query("DELETE FROM ticket_contact_followers WHERE ticket_id = ? AND contact_id = ?").bind(core.id).bind(id).execute(&mut *tx).await?.rows_affected(),
            sqlx::query_scalar("SELECT name FROM contacts WHERE id = ?").bind(id).fetch_optional(&mut *tx).await?,
        ),
    };
    if removed == 0 {
        return Err(AppError::Invalid("They do not follow this ticket.".into()));
    }
    let name = name.unwrap_or_default();
    add_timeline(&mut tx, core.id, TimelineKind::Followers, Some(user.id), now, &format!("{name} no longer follows the ticket")).await?;
    tx.commit().await?;
    Ok(Touched { ticket_id: core.id, customer_visible: false })
}

/// Mutes or unmutes the ticket for the caller (staff or customer): no message notifications.
pub async fn set_muted(db: &Db, user: &CurrentUser, reference_text: &str, muted: bool) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    let core = accessible(&mut tx, user, reference_text, false).await?;
    let sql = if muted {
        "INSERT INTO ticket_mutes (ticket_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM ticket_mutes WHERE ticket_id = ? AND user_id = ?"
    };
    sqlx::query(sql).bind(core.id).bind(user.id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The ticket behind a reference, for a live stream: its id, when the caller may see it.
pub async fn watchable(db: &Db, user: &CurrentUser, reference_text: &str) -> Result<i64, AppError> {
    let mut conn = db.read.acquire().await?;
    Ok(accessible(&mut conn, user, reference_text, false).await?.id)
}

#[cfg(test)]
#[path = "conversation_tests.rs"]
mod tests;
