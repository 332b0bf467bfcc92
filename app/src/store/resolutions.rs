//! Resolving tickets (issue 12): the codes a person chooses from, the open child tickets that make
//! solving a parent a deliberate act, and the resolution as the ticket page shows it. The rules
//! are `domain::resolution`'s; this module gathers the facts and writes the outcome.

use chrono::{DateTime, Utc};

use super::lookup::accessible;
use super::timeline::add_timeline;
use super::ticket_writes::set_resolution;
use super::{catalogs, open_statuses, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::resolution::{self, Move};
use crate::error::AppError;
use crate::model::*;

/// Child tickets of the ticket that someone still works on (archived ones are done with).
pub(crate) async fn open_children(conn: &mut Conn, ticket_id: i64) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM tickets WHERE parent_id = ? AND status IN ({}) AND archived_at IS NULL",
        open_statuses()
    ))
    .bind(ticket_id)
    .fetch_one(conn)
    .await?)
}

/// What the resolution dialog of a ticket offers (internal users who see the ticket).
pub async fn prompt(db: &Db, user: &CurrentUser, reference_text: &str) -> Result<ResolutionPrompt, AppError> {
    access::require(user, Action::WorkTickets)?;
    let mut conn = db.read.acquire().await?;
    let ticket = accessible(&mut conn, user, reference_text, false).await?;
    Ok(ResolutionPrompt { codes: catalogs::resolution_choices(&mut conn).await?, open_children: open_children(&mut conn, ticket.id).await? })
}

/// The resolution a person's move stores, checked against the codes on offer and the ticket's
/// open children; `None` when the move does not solve the ticket.
pub(crate) async fn check_move(
    conn: &mut Conn,
    reference_text: &str,
    ticket_id: i64,
    from: StageCategory,
    to: StageCategory,
    given: Option<&ResolutionInput>,
) -> Result<Option<ResolutionInput>, AppError> {
    let (codes, open_children) = if resolution::resolves(from, to) {
        (catalogs::resolution_choices(conn).await?, open_children(conn, ticket_id).await?)
    } else {
        (Vec::new(), 0)
    };
    resolution::check(Move { reference: reference_text, from, to, codes: &codes, open_children }, given)
}

/// The code as people read it: "Solved › Fixed".
async fn code_path(conn: &mut Conn, code_id: i64) -> Result<String, AppError> {
    Ok(catalogs::labels(conn, Catalog::ResolutionCodes).await?.into_iter().find(|c| c.id == code_id).map(|c| c.name).unwrap_or_default())
}

/// Stores a checked resolution on the ticket, with a timeline line that keeps it after a reopening.
pub(crate) async fn record(conn: &mut Conn, ticket_id: i64, actor_id: i64, given: &ResolutionInput, now: DateTime<Utc>) -> Result<(), AppError> {
    set_resolution(conn, ticket_id, given.code_id, &given.note).await?;
    let line = format!("Resolved: {}\n{}", code_path(conn, given.code_id).await?, given.note);
    add_timeline(conn, ticket_id, TimelineKind::Resolved, Some(actor_id), now, &line).await
}

/// The resolution as the ticket page shows it: current while the ticket is solved, otherwise
/// its last one.
pub(crate) async fn shown(conn: &mut Conn, code_id: Option<i64>, note: String, stage: StageCategory) -> Result<Option<TicketResolution>, AppError> {
    let Some(code_id) = code_id else { return Ok(None) };
    Ok(Some(TicketResolution { code: code_path(conn, code_id).await?, note, current: stage == StageCategory::Solved }))
}

#[cfg(test)]
#[path = "resolutions_tests.rs"]
mod tests;
