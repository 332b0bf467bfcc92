//! Handing out waiting tickets: "pick up next ticket" by an agent, and the periodic assignment
//! of waiting tickets once someone is available. Both go through the ticket workflow.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::board::card;
use super::ticket_flow::{after_change, Change};
use super::ticket_writes::{set_assignee, Claim};
use super::timeline::add_timeline;
use super::{assignment, decode, id_list, lookup, queues, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::assign::{self, Rating};
use crate::domain::age;
use crate::domain::automation::Event;
use crate::error::AppError;
use crate::model::{CurrentUser, Priority, PullSource, TicketCard, TicketStatus, TimelineKind};

/// Waiting tickets are examined in batches of this many, best first.
const PULL_BATCH: i64 = 200;

#[derive(sqlx::FromRow)]
struct Waiting {
    id: i64,
    team_id: i64,
    priority: String,
    priority_rank: i64,
    created_at: DateTime<Utc>,
}

/// A ticket claimed by pull-next, and its team (whose boards must refresh).
pub struct Pulled {
    pub card: TicketCard,
    pub team_id: i64,
}

/// Claims the best waiting ticket that the agent is qualified for from `source` (their teams,
/// one team they are a member of, or a named queue they are a member of): highest priority
/// first, then the oldest. The claim happens inside one write transaction, so two agents
/// pulling at the same moment never get the same ticket.
pub async fn pull_next(db: &Db, user: &CurrentUser, source: PullSource, now: DateTime<Utc>) -> Result<Option<Pulled>, AppError> {
    access::require(user, Action::WorkTickets)?;
    let mut tx = db.begin_write().await?;
    // A deactivated user has no session left; this holds for every other caller too.
    let active: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = ? AND deactivated_at IS NULL)").bind(user.id).fetch_one(&mut *tx).await?;
    if !active {
        return Err(AppError::Forbidden("This account is deactivated.".into()));
    }
    let held: Vec<Rating> = sqlx::query_as::<_, (i64, i64)>("SELECT qualification_id, rating FROM user_qualifications WHERE user_id = ?")
        .bind(user.id)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(qualification_id, rating)| Rating { qualification_id, rating })
        .collect();
    let my_teams: Vec<i64> = sqlx::query_scalar("SELECT team_id FROM team_members WHERE user_id = ?").bind(user.id).fetch_all(&mut *tx).await?;
    let scopes = match source {
        PullSource::MyTeams => my_teams.into_iter().map(Scope::Team).collect(),
        PullSource::Team(team_id) if my_teams.contains(&team_id) => vec![Scope::Team(team_id)],
        PullSource::Team(_) => return Err(AppError::Forbidden("You can pick up tickets only from teams you are a member of.".into())),
        PullSource::Queue(queue_id) => {
            let name = queues::queue_name(&mut tx, queue_id).await?;
            let member: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM queue_members WHERE queue_id = ? AND user_id = ?)")
                .bind(queue_id)
                .bind(user.id)
                .fetch_one(&mut *tx)
                .await?;
            if !member {
                return Err(AppError::Forbidden(format!("You are not a member of the queue \"{name}\".")));
            }
            vec![Scope::Queue { queue_id, teams: lookup::visible_team_ids(&mut tx, user).await? }]
        }
    };
    // Each scope's best is found through its own index range; the best of those wins.
    let mut best: Option<Waiting> = None;
    for scope in scopes {
        if let Some(candidate) = best_waiting(&mut tx, &scope, &held).await? {
            if best.as_ref().is_none_or(|b| candidate.pull_key() < b.pull_key()) {
                best = Some(candidate);
            }
        }
    }
    let Some(ticket) = best else { return Ok(None) };
    set_assignee(&mut tx, ticket.id, Some(user.id), Claim::Waiting, now).await?;
    let priority = decode(Priority::parse, &ticket.priority)?;
    let why = format!("Picked up by {} (pull next: {} priority, waiting {})", user.name, priority.label(), age::compact(ticket.created_at, now));
    add_timeline(&mut tx, ticket.id, TimelineKind::Assigned, Some(user.id), now, &why).await?;
    after_change(&mut tx, Change { actor_id: Some(user.id), ticket_id: ticket.id, events: vec![Event::Updated], route: false }, now).await?;
    let card = card(&mut tx, ticket.id, now).await?;
    tx.commit().await?;
    Ok(Some(Pulled { card, team_id: ticket.team_id }))
}

impl Waiting {
    /// Smaller is better: higher priority, then older, then lower id.
    fn pull_key(&self) -> (std::cmp::Reverse<i64>, DateTime<Utc>, i64) {
        (std::cmp::Reverse(self.priority_rank), self.created_at, self.id)
    }
}

/// Where pull-next looks: one team's waiting tickets, or a queue's in the teams the puller may see.
enum Scope {
    Team(i64),
    Queue { queue_id: i64, teams: Vec<i64> },
}

/// The best waiting ticket in `scope` that someone holding `held` qualifies for, walking the
/// waiting tickets best first in batches.
async fn best_waiting(conn: &mut Conn, scope: &Scope, held: &[Rating]) -> Result<Option<Waiting>, AppError> {
    let (from, id) = match scope {
        Scope::Team(team_id) => ("tickets k WHERE k.team_id = ?1".to_string(), *team_id),
        Scope::Queue { queue_id, teams } => (
            format!("queue_tickets qt JOIN tickets k ON k.id = qt.ticket_id WHERE qt.queue_id = ?1 AND k.team_id IN ({})", id_list(teams)),
            *queue_id,
        ),
    };
    let mut after: Option<(i64, DateTime<Utc>, i64)> = None;
    loop {
        let batch: Vec<Waiting> = sqlx::query_as(&format!(
            "SELECT k.id, k.team_id, k.priority, k.priority_rank, k.created_at FROM {from}
                AND k.status = ?6 AND k.archived_at IS NULL
                AND (?2 IS NULL OR k.priority_rank < ?2 OR (k.priority_rank = ?2 AND (k.created_at > ?3 OR (k.created_at = ?3 AND k.id > ?4))))
              ORDER BY k.priority_rank DESC, k.created_at, k.id
              LIMIT ?5"
        ))
        .bind(id)
        .bind(after.map(|a| a.0))
        .bind(after.map(|a| a.1))
        .bind(after.map(|a| a.2))
        .bind(PULL_BATCH)
        .bind(TicketStatus::ActiveNew.as_str())
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = batch.last() else { return Ok(None) };
        after = Some((last.priority_rank, last.created_at, last.id));
        let requirements = requirements_of(conn, &batch).await?;
        let none = Vec::new();
        if let Some(found) = batch.into_iter().find(|t| assign::qualifies(held, requirements.get(&t.id).unwrap_or(&none))) {
            return Ok(Some(found));
        }
    }
}

/// Assigns waiting tickets of teams with automatic assignment once somebody is available
/// (after time off, or when members were added); run periodically by the server.
pub async fn assign_waiting(db: &Db, now: DateTime<Utc>) -> Result<Vec<Pulled>, AppError> {
    let teams: Vec<i64> = sqlx::query_scalar("SELECT id FROM teams WHERE assignment_method IS NOT NULL").fetch_all(&db.read).await?;
    let mut assigned = Vec::new();
    for team_id in teams {
        loop {
            let mut tx = db.begin_write().await?;
            let waiting: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM tickets WHERE team_id = ? AND assignee_id IS NULL AND status = ? AND archived_at IS NULL
                  ORDER BY priority_rank DESC, created_at, id LIMIT 1",
            )
            .bind(team_id)
            .bind(TicketStatus::ActiveNew.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(ticket_id) = waiting else { break };
            if assignment::assign_automatically(&mut tx, ticket_id, team_id, None, now).await?.is_none() {
                break;
            }
            after_change(&mut tx, Change { actor_id: None, ticket_id, events: vec![Event::Updated], route: false }, now).await?;
            let card = card(&mut tx, ticket_id, now).await?;
            tx.commit().await?;
            assigned.push(Pulled { card, team_id });
        }
    }
    Ok(assigned)
}

async fn requirements_of(conn: &mut Conn, batch: &[Waiting]) -> Result<HashMap<i64, Vec<Rating>>, AppError> {
    let ids = id_list(&batch.iter().map(|t| t.id).collect::<Vec<_>>());
    let rows: Vec<(i64, i64, i64)> =
        sqlx::query_as(&format!("SELECT ticket_id, qualification_id, min_rating FROM ticket_requirements WHERE ticket_id IN ({ids})"))
            .fetch_all(conn)
            .await?;
    let mut requirements: HashMap<i64, Vec<Rating>> = HashMap::new();
    for (ticket_id, qualification_id, rating) in rows {
        requirements.entry(ticket_id).or_default().push(Rating { qualification_id, rating });
    }
    Ok(requirements)
}

#[cfg(test)]
#[path = "pull_tests.rs"]
mod tests;
