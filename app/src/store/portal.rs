//! What customers see of their tickets: projections built from an allow-list of fields and
//! timeline entries, never from the staff view.

use chrono::{DateTime, Utc};

use super::lookup::accessible;
use super::{conversation, decode, Db};
use crate::domain::access::{self, Relation};
use crate::domain::reference;
use crate::error::AppError;
use crate::model::*;

/// How many tickets a customer's list shows, most recently updated first.
pub const LIST_LIMIT: i64 = 200;

/// The tickets the caller follows and may see (for a customer: in public teams).
pub async fn my_tickets(db: &Db, user: &CurrentUser) -> Result<Vec<PortalTicketRow>, AppError> {
    // The same relation as `lookup::follows_sql`, from the indexed side.
    let rows: Vec<(i64, String, String, DateTime<Utc>, String)> = sqlx::query_as(
        "SELECT k.number, k.title, k.status, k.updated_at, t.visibility
           FROM tickets k JOIN teams t ON t.id = k.team_id
          WHERE k.id IN (SELECT ticket_id FROM ticket_followers WHERE user_id = ?1
                         UNION SELECT id FROM tickets WHERE contact_id = (SELECT contact_id FROM users WHERE id = ?1)
                         UNION SELECT ticket_id FROM ticket_contact_followers WHERE contact_id = (SELECT contact_id FROM users WHERE id = ?1))
          ORDER BY k.updated_at DESC, k.id DESC LIMIT ?2",
    )
    .bind(user.id)
    .bind(LIST_LIMIT)
    .fetch_all(&db.read)
    .await?;
    let mut tickets = Vec::new();
    for (number, title, status, updated_at, visibility) in rows {
        let relation = Relation { role: user.role, visibility: decode(Visibility::parse, &visibility)?, in_team: false, follows_ticket: true };
        if access::can_see_ticket(relation) {
            tickets.push(PortalTicketRow { reference: reference::format(number), title, status: decode(TicketStatus::parse, &status)?, updated_at });
        }
    }
    Ok(tickets)
}

/// One ticket as its customer sees it.
pub async fn ticket(db: &Db, user: &CurrentUser, reference_text: &str) -> Result<PortalTicket, AppError> {
    let mut conn = db.read.acquire().await?;
    let core = accessible(&mut conn, user, reference_text, false).await?;
    let (number, title, description, team_name, stage_name, status, priority, created_at, updated_at, closed_at): (
        i64,
        String,
        String,
        String,
        String,
        String,
        String,
        DateTime<Utc>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
    ) = sqlx::query_as(
        "SELECT k.number, k.title, k.description, t.name, s.name, k.status, k.priority, k.created_at, k.updated_at, k.closed_at
           FROM tickets k JOIN teams t ON t.id = k.team_id JOIN stages s ON s.id = k.stage_id WHERE k.id = ?",
    )
    .bind(core.id)
    .fetch_one(&mut *conn)
    .await?;
    let entries: Vec<(i64, String, Option<i64>, Option<String>, DateTime<Utc>, String)> = sqlx::query_as(
        "SELECT e.id, e.kind, e.actor_id, u.name, e.at, e.summary FROM timeline_entries e LEFT JOIN users u ON u.id = e.actor_id
          WHERE e.ticket_id = ? ORDER BY e.at DESC, e.id DESC",
    )
    .bind(core.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut timeline = Vec::new();
    for (id, kind, actor_id, actor_name, at, summary) in entries {
        let kind = decode(TimelineKind::parse, &kind)?;
        if !kind.customer_visible() {
            continue;
        }
        // Staff names and other teams stay internal: the customer sees their own name and
        // what happened to their ticket.
        let actor = if actor_id == Some(user.id) { actor_name } else { None };
        let summary = match kind {
            TimelineKind::Created => "Ticket received".to_string(),
            TimelineKind::Moved if summary.starts_with("Stage: ") => summary,
            _ => "Handed over to another team".to_string(),
        };
        timeline.push(TimelineEntry { id, kind, actor, at, summary, message: None });
    }
    let timeline = conversation::interleave(timeline, conversation::customer_messages(&mut conn, user, core.id).await?);
    Ok(PortalTicket {
        reference: reference::format(number),
        title,
        description,
        team_name,
        stage_name,
        status: decode(TicketStatus::parse, &status)?,
        priority: decode(Priority::parse, &priority)?,
        created_at,
        updated_at,
        closed_at,
        timeline,
    })
}
