//! Events logged on a ticket (SPEC S2): calls, mails, appointments, notes, of the types admins
//! keep in the event types catalog; and a returning customer's request added to their open
//! ticket as an event instead of becoming a duplicate ticket.

use chrono::{DateTime, Utc};

use super::lookup::{self, TicketCore};
use super::timeline::add_timeline;
use super::{catalogs, id_list, open_statuses, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::sla::format_minutes;
use crate::domain::validate::{self, quoted};
use crate::domain::{reference, work_log as rules};
use crate::error::AppError;
use crate::model::*;

/// How many open tickets the new-ticket form offers to add a request to.
const OPEN_TICKETS_SHOWN: i64 = 5;

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    event_type: String,
    note: String,
    happened_at: DateTime<Utc>,
    duration_minutes: i64,
    author: Option<String>,
}

impl From<EventRow> for TicketEvent {
    fn from(row: EventRow) -> Self {
        TicketEvent {
            id: row.id,
            event_type: row.event_type,
            note: row.note,
            happened_at: row.happened_at,
            duration_minutes: row.duration_minutes,
            author: row.author,
        }
    }
}

const EVENT_SELECT: &str = "SELECT e.id, t.name AS event_type, e.note, e.happened_at, e.duration_minutes, u.name AS author
    FROM ticket_events e JOIN event_types t ON t.id = e.event_type_id LEFT JOIN users u ON u.id = e.author_id";

/// The ticket's events (latest first) and the types a new one may have.
pub async fn ticket_events(db: &Db, user: &CurrentUser, reference: &str) -> Result<TicketEvents, AppError> {
    let mut conn = db.read.acquire().await?;
    let ticket = lookup::accessible(&mut conn, user, reference, true).await?;
    let rows: Vec<EventRow> = sqlx::query_as(&format!("{EVENT_SELECT} WHERE e.ticket_id = ? ORDER BY e.happened_at DESC, e.id DESC"))
        .bind(ticket.id)
        .fetch_all(&mut *conn)
        .await?;
    let types = catalogs::offered(&mut conn, Catalog::EventTypes).await?;
    Ok(TicketEvents { events: rows.into_iter().map(TicketEvent::from).collect(), types })
}

/// Writes the event and its timeline line; returns it.
async fn insert(
    conn: &mut Conn,
    user: &CurrentUser,
    ticket: &TicketCore,
    type_id: i64,
    note: &str,
    happened_at: DateTime<Utc>,
    minutes: i64,
    now: DateTime<Utc>,
) -> Result<TicketEvent, AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_events (ticket_id, event_type_id, note, happened_at, duration_minutes, author_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(ticket.id)
    .bind(type_id)
    .bind(note)
    .bind(happened_at)
    .bind(minutes)
    .bind(user.id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let event: TicketEvent = sqlx::query_as::<_, EventRow>(&format!("{EVENT_SELECT} WHERE e.id = ?")).bind(id).fetch_one(&mut *conn).await?.into();
    let duration = if minutes > 0 { format!(" ({})", format_minutes(minutes)) } else { String::new() };
    let first_line = note.lines().next().unwrap_or_default();
    let summary = if first_line.is_empty() {
        format!("{} logged{duration}", event.event_type)
    } else {
        format!("{} logged{duration}: {}", event.event_type, first_line.chars().take(120).collect::<String>())
    };
    add_timeline(conn, ticket.id, TimelineKind::Event, Some(user.id), now, &summary).await?;
    Ok(event)
}

/// Logs an event of an offered type on the ticket.
pub async fn log_event(db: &Db, user: &CurrentUser, reference: &str, input: &TicketEventInput, now: DateTime<Utc>) -> Result<TicketEvent, AppError> {
    let note = rules::event_note(&input.note)?;
    let minutes = rules::event_minutes(&input.duration)?;
    let mut tx = db.begin_write().await?;
    let ticket = lookup::accessible(&mut tx, user, reference, true).await?;
    if !catalogs::offered(&mut tx, Catalog::EventTypes).await?.iter().any(|t| t.id == input.event_type_id) {
        return Err(AppError::Invalid(format!("Event type {} does not exist or is deactivated.", input.event_type_id)));
    }
    let event = insert(&mut tx, user, &ticket, input.event_type_id, &note, input.happened_at, minutes, now).await?;
    tx.commit().await?;
    Ok(event)
}

/// The open tickets of the customer chosen on the new-ticket form (the contact's, and the
/// account's), most recently updated first, among the teams the caller sees.
pub async fn open_tickets_of(db: &Db, user: &CurrentUser, customer: CustomerChoice) -> Result<Vec<OpenTicketRef>, AppError> {
    access::require(user, Action::WorkTickets)?;
    if customer.contact_id.is_none() && customer.account_id.is_none() {
        return Ok(Vec::new());
    }
    let mut conn = db.read.acquire().await?;
    let visible = id_list(&lookup::visible_team_ids(&mut conn, user).await?);
    let rows: Vec<(i64, String, String)> = sqlx::query_as(&format!(
        "SELECT k.number, k.title, s.name FROM tickets k JOIN stages s ON s.id = k.stage_id
          WHERE k.status IN ({}) AND k.team_id IN ({visible}) AND (k.contact_id = ?1 OR k.account_id = ?2)
          ORDER BY k.updated_at DESC, k.number DESC LIMIT {OPEN_TICKETS_SHOWN}",
        open_statuses()
    ))
    .bind(customer.contact_id)
    .bind(customer.account_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(number, title, stage)| OpenTicketRef { reference: reference::format(number), title, stage }).collect())
}

/// The event type a request from `origin` is logged as: the shipped one for its channel, else
/// the first offered type.
async fn type_for(conn: &mut Conn, origin: Origin) -> Result<i64, AppError> {
    let shipped: Option<i64> = sqlx::query_scalar("SELECT id FROM event_types WHERE code = ? AND deactivated_at IS NULL")
        .bind(rules::event_code_for(origin))
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(id) = shipped {
        return Ok(id);
    }
    let offered = catalogs::offered(conn, Catalog::EventTypes).await?;
    offered.first().map(|t| t.id).ok_or_else(|| AppError::Invalid("No event type is active; ask an admin to add one.".into()))
}

/// Adds a returning customer's request to their open ticket as an event (title and description
/// as its note) instead of creating a duplicate ticket.
pub async fn add_request_as_event(db: &Db, user: &CurrentUser, reference: &str, request: &RequestAsEvent, now: DateTime<Utc>) -> Result<TicketEvent, AppError> {
    let title = validate::title(&request.title)?;
    let description = validate::description(&request.description)?;
    let note = rules::event_note(&if description.is_empty() { title } else { format!("{title}\n\n{description}") })?;
    let mut tx = db.begin_write().await?;
    let ticket = lookup::accessible(&mut tx, user, reference, true).await?;
    let open: bool = sqlx::query_scalar(&format!("SELECT status IN ({}) FROM tickets WHERE id = ?", open_statuses())).bind(ticket.id).fetch_one(&mut *tx).await?;
    if !open {
        return Err(AppError::Invalid(format!("{} is closed; create a new ticket instead.", quoted(reference))));
    }
    let type_id = type_for(&mut tx, request.origin).await?;
    let event = insert(&mut tx, user, &ticket, type_id, &note, now, 0, now).await?;
    tx.commit().await?;
    Ok(event)
}

#[cfg(test)]
#[path = "ticket_events_tests.rs"]
mod tests;
