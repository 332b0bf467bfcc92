//! The one ticket workflow. Every change to a ticket (create, edit, board move, save & route,
//! apply routing rules, pull-next, assignment of waiting tickets, time-based rules, and later
//! replies and mail) ends with `after_change`, which runs in the caller's transaction and
//! always in this order:
//!
//! 1. **routing**: the first matching routing rule, when the change asks for it (creation,
//!    save & route, apply routing rules);
//! 2. **assignment**: a new ticket, or one routing handed over, still without an assignee gets
//!    the team's automatic assignment (or its queue user);
//! 3. **automation**: the rules triggered by the change's events and by what steps 1–2 changed,
//!    and the rules those trigger in turn;
//! 4. **SLA**: the entitlement is charged when due, and the clocks are brought in line.

use chrono::{DateTime, Utc};

use super::routing::Routed;
use super::{assignment, automation, routing, sla, Conn};
use crate::domain::automation::Event;
use crate::error::AppError;

/// A change just written to a ticket.
pub(crate) struct Change {
    pub actor_id: Option<i64>,
    pub ticket_id: i64,
    /// What the change was, for the automation rules (`Created`, `Updated`, `StageChanged`, …).
    pub events: Vec<Event>,
    /// Whether the routing rules should look at the ticket.
    pub route: bool,
}

/// What the workflow did beyond the change itself.
pub(crate) struct Outcome {
    /// The routing rule that applied, and the teams whose boards must refresh.
    pub routed: Option<Routed>,
}

pub(crate) async fn after_change(conn: &mut Conn, change: Change, now: DateTime<Utc>) -> Result<Outcome, AppError> {
    let Change { actor_id, ticket_id, mut events, route } = change;
    let created = events.contains(&Event::Created);
    let routed = if route { routing::route(conn, actor_id, ticket_id, now).await? } else { None };
    if let Some(routed) = &routed {
        events.push(Event::Updated);
        if routed.team_ids.len() > 1 {
            events.push(Event::StageChanged);
        }
    }
    if created || routed.is_some() {
        let (team_id, unassigned): (i64, bool) =
            sqlx::query_as("SELECT team_id, assignee_id IS NULL FROM tickets WHERE id = ?").bind(ticket_id).fetch_one(&mut *conn).await?;
        if unassigned {
            if assignment::assign_automatically(conn, ticket_id, team_id, actor_id, now).await?.is_some() {
                events.push(Event::Updated);
            }
        }
    }
    if events.is_empty() {
        // Nothing changed (e.g. no routing rule applied to a selected ticket): nothing follows.
        return Ok(Outcome { routed });
    }
    // A creation is one event, whatever routing and assignment did as part of it.
    if created {
        events.retain(|e| *e == Event::Created);
    }
    let mut unique: Vec<Event> = Vec::new();
    for event in events {
        if !unique.contains(&event) {
            unique.push(event);
        }
    }
    automation::run(conn, actor_id, ticket_id, unique, now).await?;
    sla::settle(conn, ticket_id, actor_id, now).await?;
    Ok(Outcome { routed })
}

#[cfg(test)]
#[path = "ticket_flow_tests.rs"]
mod tests;
