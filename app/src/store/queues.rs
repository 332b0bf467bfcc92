//! Named queues (SPEC S3): tickets are put into them by hand or by routing rules, and the
//! queue's members pull the best waiting ticket from them.

use chrono::{DateTime, Utc};

use super::board::card;
use super::lookup::{accessible, visible_team_ids};
use super::timeline::add_timeline;
use super::{expect_one_row, id_list, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::validate;
use crate::error::AppError;
use crate::model::*;

/// The most members a queue may have.
pub const MEMBERS_MAX: usize = 500;

pub(crate) async fn queue_name(conn: &mut Conn, queue_id: i64) -> Result<String, AppError> {
    sqlx::query_scalar("SELECT name FROM queues WHERE id = ?")
        .bind(queue_id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| access::missing("Queue", queue_id))
}

/// Every queue with its members and the caller's view of its tickets.
pub async fn overview(db: &Db, user: &CurrentUser) -> Result<QueuesOverview, AppError> {
    access::require(user, Action::SeeSetup)?;
    let mut conn = db.read.acquire().await?;
    let teams = id_list(&visible_team_ids(&mut conn, user).await?);
    let (waiting, open) = (super::code(TicketStatus::ActiveNew.as_str()), super::open_statuses());
    let rows: Vec<(i64, String, String, i64, i64, i64)> = sqlx::query_as(&format!(
        "SELECT q.id, q.name, q.description, q.version,
                (SELECT COUNT(*) FROM queue_tickets qt JOIN tickets k ON k.id = qt.ticket_id
                  WHERE qt.queue_id = q.id AND k.team_id IN ({teams}) AND k.status = {waiting}),
                (SELECT COUNT(*) FROM queue_tickets qt JOIN tickets k ON k.id = qt.ticket_id
                  WHERE qt.queue_id = q.id AND k.team_id IN ({teams}) AND k.status IN ({open}))
           FROM queues q ORDER BY q.name"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let members: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT m.queue_id, u.id, u.name FROM queue_members m JOIN users u ON u.id = m.user_id ORDER BY u.name").fetch_all(&mut *conn).await?;
    let queues = rows
        .into_iter()
        .map(|(id, name, description, version, waiting, open)| {
            let members: Vec<Named> = members.iter().filter(|(q, ..)| *q == id).map(|(_, user_id, name)| Named { id: *user_id, name: name.clone() }).collect();
            QueueSummary { is_member: members.iter().any(|m| m.id == user.id), id, name, description, members, waiting, open, version }
        })
        .collect();
    let people = super::named_list(&mut conn, &super::staff_sql()).await?;
    Ok(QueuesOverview { queues, people, can_manage: access::may(user.role, Action::ShapeWork) })
}

pub async fn create(db: &Db, user: &CurrentUser, name: &str, description: &str) -> Result<Named, AppError> {
    access::require(user, Action::ShapeWork)?;
    let name = validate::queue_name(name)?;
    let description = validate::description(description)?;
    let id = sqlx::query_scalar::<_, i64>("INSERT INTO queues (name, description) VALUES (?, ?) RETURNING id")
        .bind(&name)
        .bind(&description)
        .fetch_one(&db.write).await
        .map_err(super::name_taken("A queue", &name))?;
    Ok(Named { id, name })
}

/// Replaces the queue's members (staff only), if `version` is still current.
pub async fn save_members(db: &Db, user: &CurrentUser, queue_id: i64, version: i64, members: &[i64]) -> Result<(), AppError> {
    access::require(user, Action::ShapeWork)?;
    if members.len() > MEMBERS_MAX {
        return Err(AppError::Invalid(format!("A queue can have at most {MEMBERS_MAX} members.")));
    }
    let mut tx = db.begin_write().await?;
    let name = queue_name(&mut tx, queue_id).await?;
    for id in members {
        let role: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = ?").bind(id).fetch_optional(&mut *tx).await?;
        if role.as_deref().and_then(Role::parse).is_none_or(|role| !role.is_internal()) {
            return Err(AppError::Invalid(format!("User {id} cannot be a queue member.")));
        }
    }
    let affected = sqlx::query("UPDATE queues SET version = version + 1 WHERE id = ? AND version = ?").bind(queue_id).bind(version).execute(&mut *tx).await?.rows_affected();
    expect_one_row(affected, &format!("The queue \"{name}\""))?;
    sqlx::query("DELETE FROM queue_members WHERE queue_id = ?").bind(queue_id).execute(&mut *tx).await?;
    for id in members {
        sqlx::query("INSERT INTO queue_members (queue_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING").bind(queue_id).bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// How many of a queue's tickets its page lists.
pub const QUEUE_PAGE: i64 = 200;

/// A queue's open tickets the caller may see, in the order pull-next hands them out.
pub async fn tickets_in(db: &Db, user: &CurrentUser, queue_id: i64, now: DateTime<Utc>) -> Result<(Named, Vec<TicketCard>), AppError> {
    access::require(user, Action::SeeSetup)?;
    let mut conn = db.read.acquire().await?;
    let name = queue_name(&mut conn, queue_id).await?;
    let teams = id_list(&visible_team_ids(&mut conn, user).await?);
    let (waiting, open) = (super::code(TicketStatus::ActiveNew.as_str()), super::open_statuses());
    let ids: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT k.id FROM queue_tickets qt JOIN tickets k ON k.id = qt.ticket_id
          WHERE qt.queue_id = ? AND k.team_id IN ({teams}) AND k.status IN ({open})
          ORDER BY CASE WHEN k.status = {waiting} THEN 0 ELSE 1 END, k.priority_rank DESC, k.created_at, k.id LIMIT ?"
    ))
    .bind(queue_id)
    .bind(QUEUE_PAGE)
    .fetch_all(&mut *conn)
    .await?;
    let mut cards = Vec::with_capacity(ids.len());
    for id in ids {
        cards.push(card(&mut conn, id, now).await?);
    }
    Ok((Named { id: queue_id, name }, cards))
}

/// Puts a ticket into a queue; false when it was there already.
pub(crate) async fn enqueue(conn: &mut Conn, queue_id: i64, ticket_id: i64, now: DateTime<Utc>) -> Result<bool, AppError> {
    let added = sqlx::query("INSERT INTO queue_tickets (queue_id, ticket_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        .bind(queue_id)
        .bind(ticket_id)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(added == 1)
}

pub(crate) async fn queues_of(conn: &mut Conn, ticket_id: i64) -> Result<Vec<Named>, AppError> {
    Ok(sqlx::query_as::<_, (i64, String)>(
        "SELECT q.id, q.name FROM queue_tickets qt JOIN queues q ON q.id = qt.queue_id WHERE qt.ticket_id = ? ORDER BY q.name",
    )
    .bind(ticket_id)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|(id, name)| Named { id, name })
    .collect())
}

/// How many tickets one bulk queue action may touch.
pub const MAX_SELECTION: usize = 500;

/// Adds (`add`) or removes the selected tickets to or from a queue, in one transaction; returns
/// how many changed and the teams whose boards must refresh.
pub async fn change_membership(
    db: &Db,
    user: &CurrentUser,
    queue_id: i64,
    references: &[String],
    add: bool,
    now: DateTime<Utc>,
) -> Result<(usize, Vec<i64>), AppError> {
    access::require(user, Action::SeeSetup)?;
    if references.is_empty() || references.len() > MAX_SELECTION {
        return Err(AppError::Invalid(format!("Select between 1 and {MAX_SELECTION} tickets.")));
    }
    let mut tx = db.begin_write().await?;
    let name = queue_name(&mut tx, queue_id).await?;
    let mut changed = 0;
    let mut team_ids = Vec::new();
    for text in references {
        let ticket = accessible(&mut tx, user, text, true).await?;
        let done = if add {
            enqueue(&mut tx, queue_id, ticket.id, now).await?
        } else {
            sqlx::query("DELETE FROM queue_tickets WHERE queue_id = ? AND ticket_id = ?").bind(queue_id).bind(ticket.id).execute(&mut *tx).await?.rows_affected() == 1
        };
        if done {
            let line = if add { format!("Added to queue {name}") } else { format!("Removed from queue {name}") };
            add_timeline(&mut tx, ticket.id, TimelineKind::Queued, Some(user.id), now, &line).await?;
            changed += 1;
            team_ids.push(ticket.team_id);
        }
    }
    tx.commit().await?;
    team_ids.sort_unstable();
    team_ids.dedup();
    Ok((changed, team_ids))
}

#[cfg(test)]
#[path = "queues_tests.rs"]
mod tests;
