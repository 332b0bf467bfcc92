//! The only writers of a ticket's assignee, stage, team, priority and status: every feature that
//! changes them (forms, board moves, routing, assignment, automation) comes through here, so the
//! status, `closed_at` and followers always follow the same rules.

use chrono::{DateTime, Utc};

use super::lookup::stages_of;
use super::{decode, expect_one_row, Conn};
use crate::domain::{ordering, status};
use crate::error::AppError;
use crate::model::{Priority, Stage, StageCategory, TicketStatus};

/// What an assignment may take: any ticket, or only one nobody claimed in the meantime.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    /// A person chose the assignee (form, routing or automation rule).
    Any,
    /// Automatic assignment: only while the ticket is still unassigned.
    Unassigned,
    /// Pull-next: only while the ticket is still waiting (*Active – New*).
    Waiting,
}

/// Sets (or clears) the assignee. The status follows from the stage and from whether the
/// assignee works the ticket (a team's queue user only holds it); a working assignee follows
/// the ticket. A `Claim` the ticket no longer satisfies is a conflict.
pub(crate) async fn set_assignee(conn: &mut Conn, ticket_id: i64, assignee_id: Option<i64>, claim: Claim, now: DateTime<Utc>) -> Result<(), AppError> {
    let (category, queue_user): (String, Option<i64>) = sqlx::query_as(
        "SELECT s.category, t.queue_user_id FROM tickets k JOIN stages s ON s.id = k.stage_id JOIN teams t ON t.id = k.team_id WHERE k.id = ?",
    )
    .bind(ticket_id)
    .fetch_one(&mut *conn)
    .await?;
    let worked = status::is_worked(assignee_id, queue_user);
    let derived = status::derive(decode(StageCategory::parse, &category)?, worked);
    let guard = match claim {
        Claim::Any => "",
        Claim::Unassigned => " AND assignee_id IS NULL",
        Claim::Waiting => " AND status = ?",
    };
    let statement = format!("UPDATE tickets SET assignee_id = ?, status = ?, updated_at = ?, version = version + 1 WHERE id = ?{guard}");
    let mut update = sqlx::query(&statement).bind(assignee_id).bind(derived.as_str()).bind(now).bind(ticket_id);
    if claim == Claim::Waiting {
        update = update.bind(TicketStatus::ActiveNew.as_str());
    }
    let claimed = update.execute(&mut *conn).await?.rows_affected();
    expect_one_row(claimed, "The ticket")?;
    if let Some(user_id) = assignee_id.filter(|_| worked) {
        follow(conn, ticket_id, user_id).await?;
    }
    Ok(())
}

/// Puts the ticket on `target` (and so in the stage's team) at `position`. The status follows
/// the stage; entering a closing stage stamps `closed_at` (kept when moving between closing
/// stages), reopening clears it. With `version`, a ticket changed meanwhile is left alone and
/// `false` returned.
pub(crate) async fn set_stage(
    conn: &mut Conn,
    ticket_id: i64,
    target: &Stage,
    position: f64,
    version: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let (assignee, queue_user): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT k.assignee_id, t.queue_user_id FROM tickets k JOIN teams t ON t.id = ? WHERE k.id = ?")
            .bind(target.team_id)
            .bind(ticket_id)
            .fetch_one(&mut *conn)
            .await?;
    let derived = status::derive(target.category, status::is_worked(assignee, queue_user));
    let closing = target.category.is_closing();
    let affected = sqlx::query(
        "UPDATE tickets SET team_id = ?, stage_id = ?, position = ?, status = ?, closed_at = CASE WHEN ? THEN COALESCE(closed_at, ?) END,
                updated_at = ?, version = version + 1
          WHERE id = ? AND (? IS NULL OR version = ?)",
    )
    .bind(target.team_id)
    .bind(target.id)
    .bind(position)
    .bind(derived.as_str())
    .bind(closing)
    .bind(now)
    .bind(now)
    .bind(ticket_id)
    .bind(version)
    .bind(version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(affected == 1)
}

/// Stores the resolution a person gave when solving the ticket; a reopened ticket keeps it as its
/// last resolution (the timeline keeps every one).
pub(crate) async fn set_resolution(conn: &mut Conn, ticket_id: i64, code_id: i64, note: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE tickets SET resolution_code_id = ?, resolution_note = ? WHERE id = ?").bind(code_id).bind(note).bind(ticket_id).execute(conn).await?;
    Ok(())
}

/// Archives the ticket (converted to a lead): it leaves the board, stays readable by reference.
pub(crate) async fn archive(conn: &mut Conn, ticket_id: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query("UPDATE tickets SET archived_at = ?, updated_at = ?, version = version + 1 WHERE id = ?")
        .bind(now)
        .bind(now)
        .bind(ticket_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn set_priority(conn: &mut Conn, ticket_id: i64, priority: Priority, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query("UPDATE tickets SET priority = ?, updated_at = ?, version = version + 1 WHERE id = ?")
        .bind(priority.as_str())
        .bind(now)
        .bind(ticket_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks a change that has no column of its own (a tag added by a rule) as an update.
pub(crate) async fn touch(conn: &mut Conn, ticket_id: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query("UPDATE tickets SET updated_at = ?, version = version + 1 WHERE id = ?").bind(now).bind(ticket_id).execute(conn).await?;
    Ok(())
}

/// A message counts as activity on the ticket ("no update for N hours" looks at it), but leaves
/// its fields and so its version alone: a reply does not make an open edit form stale.
pub(crate) async fn mark_active(conn: &mut Conn, ticket_id: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query("UPDATE tickets SET updated_at = ? WHERE id = ?").bind(now).bind(ticket_id).execute(conn).await?;
    Ok(())
}

pub(crate) async fn follow(conn: &mut Conn, ticket_id: i64, user_id: i64) -> Result<(), AppError> {
    sqlx::query("INSERT INTO ticket_followers (ticket_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
        .bind(ticket_id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Where new tickets of a team land: its first open stage of category *new*, else its first
/// open stage. An archived team takes no new tickets.
pub(crate) async fn intake_stage(conn: &mut Conn, team_id: i64) -> Result<Stage, AppError> {
    let (name, archived): (String, bool) =
        sqlx::query_as("SELECT name, archived_at IS NOT NULL FROM teams WHERE id = ?").bind(team_id).fetch_one(&mut *conn).await?;
    if archived {
        return Err(AppError::Invalid(format!("The team \"{name}\" is archived and takes no new tickets.")));
    }
    let stages = stages_of(conn, team_id).await?;
    stages
        .iter()
        .find(|s| s.category == StageCategory::New)
        .or_else(|| stages.iter().find(|s| !s.category.is_closing()))
        .cloned()
        .ok_or_else(|| AppError::Invalid("The team has no open stage to receive tickets.".into()))
}

/// The position after the last card of a stage, leaving the moving ticket itself out.
pub(crate) async fn end_of(conn: &mut Conn, stage_id: i64, except_ticket: i64) -> Result<f64, AppError> {
    let last: Option<f64> = sqlx::query_scalar("SELECT MAX(position) FROM tickets WHERE stage_id = ? AND id <> ?")
        .bind(stage_id)
        .bind(except_ticket)
        .fetch_one(conn)
        .await?;
    Ok(ordering::between(last, None))
}

/// Moves a ticket to the end of another stage (a rule, or a handover to another team).
pub(crate) async fn move_to_end(conn: &mut Conn, ticket_id: i64, target: &Stage, now: DateTime<Utc>) -> Result<(), AppError> {
    let position = end_of(conn, target.id, ticket_id).await?;
    set_stage(conn, ticket_id, target, position, None, now).await?;
    Ok(())
}
