//! Automatic assignment: which member a team's method picks, and giving an unassigned ticket
//! to them (or to the team's queue user). Pull-next is in `pull`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use super::ticket_writes::{set_assignee, Claim};
use super::timeline::add_timeline;
use super::{decode, Conn};
use crate::domain::access::{self, Relation};
use crate::domain::assign::{self, Absence, Candidate, Method};
use crate::error::AppError;
use crate::model::{Role, TimelineKind, UserRef, Visibility};

fn explain(method: Method) -> &'static str {
    match method {
        Method::EqualTotal => "equal total: fewest tickets received",
        Method::EqualOpen => "equal open: fewest open tickets",
        Method::RoundRobin => "round-robin: next in turn",
    }
}

/// The assignee a team's automatic assignment picks for a new ticket, with the reason for the
/// timeline; `None` when the team assigns manually or nobody is available (the ticket waits).
pub async fn auto_assignee(conn: &mut Conn, team_id: i64, now: DateTime<Utc>) -> Result<Option<(UserRef, String)>, AppError> {
    choose_member(conn, team_id, None, now).await
}

/// The member `method` (by default the team's own automatic assignment) picks for the next
/// ticket, with the reason; `None` when no method applies or nobody is available.
pub(crate) async fn choose_member(
    conn: &mut Conn,
    team_id: i64,
    method: Option<Method>,
    now: DateTime<Utc>,
) -> Result<Option<(UserRef, String)>, AppError> {
    let (team_method, last_assigned, visibility): (Option<String>, Option<i64>, String) =
        sqlx::query_as("SELECT assignment_method, last_assigned_id, visibility FROM teams WHERE id = ?")
            .bind(team_id)
            .fetch_one(&mut *conn)
            .await?;
    let team_method = team_method.as_deref().map(|code| decode(Method::parse, code)).transpose()?;
    let Some(method) = method.or(team_method) else { return Ok(None) };
    let members: Vec<(i64, String, String, bool, bool)> = sqlx::query_as(
        "SELECT u.id, u.name, u.role, EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = ?1 AND m.user_id = u.id), u.deactivated_at IS NULL
           FROM users u WHERE u.role <> ?2 ORDER BY u.id",
    )
    .bind(team_id)
    .bind(Role::Customer.as_str())
    .fetch_all(&mut *conn)
    .await?;
    // An empty member list means every agent who can see the team; a team whose members were
    // all deactivated still has members (and waits for new ones).
    let has_members = members.iter().any(|(_, _, _, member, _)| *member);
    let visibility = decode(Visibility::parse, &visibility)?;
    let mut eligible = Vec::new();
    for (id, name, role, member, active) in members {
        let role = decode(Role::parse, &role)?;
        let relation = Relation { role, visibility, in_team: member, follows_ticket: false };
        if active && ((has_members && member) || (!has_members && role == Role::Agent && access::can_see_team(relation))) {
            eligible.push(UserRef { id, name });
        }
    }
    let loads: HashMap<i64, (i64, i64)> = sqlx::query_as::<_, (i64, i64, i64)>(&format!(
        "SELECT assignee_id, SUM(CASE WHEN status IN ({}) THEN 1 ELSE 0 END), COUNT(*)
           FROM tickets WHERE team_id = ? AND assignee_id IS NOT NULL GROUP BY assignee_id",
        super::open_statuses()
    ))
    .bind(team_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(id, open, total)| (id, (open, total)))
    .collect();
    let absences: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> =
        sqlx::query_as("SELECT user_id, from_at, until_at FROM time_off WHERE until_at > ?").bind(now).fetch_all(&mut *conn).await?;
    let candidates: Vec<Candidate> = eligible
        .iter()
        .map(|user| {
            let (open, total) = loads.get(&user.id).copied().unwrap_or((0, 0));
            let away: Vec<Absence> =
                absences.iter().filter(|(id, ..)| *id == user.id).map(|(_, from, until)| Absence { from: *from, until: *until }).collect();
            Candidate { user_id: user.id, open, total, available: assign::is_available(&away, now) }
        })
        .collect();
    let Some(chosen) = assign::choose(method, &candidates, last_assigned) else { return Ok(None) };
    sqlx::query("UPDATE teams SET last_assigned_id = ? WHERE id = ?").bind(chosen).bind(team_id).execute(&mut *conn).await?;
    let user = eligible.into_iter().find(|u| u.id == chosen).ok_or_else(|| AppError::Internal("Chosen assignee vanished.".into()))?;
    Ok(Some((user, explain(method).to_string())))
}

/// Gives an unassigned ticket to whoever its team's automatic assignment picks, if the team
/// assigns automatically and somebody is available; otherwise to the team's default queue user,
/// who only holds it (it stays *Active – New*, so pick-up-next still offers it). Writes why on
/// the timeline.
pub(crate) async fn assign_automatically(
    conn: &mut Conn,
    ticket_id: i64,
    team_id: i64,
    actor_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<UserRef>, AppError> {
    let (assignee, line) = match auto_assignee(conn, team_id, now).await? {
        Some((assignee, why)) => {
            let line = format!("Assigned to {} automatically ({why})", assignee.name);
            (assignee, line)
        }
        None => {
            let holder: Option<(i64, String)> =
                sqlx::query_as("SELECT u.id, u.name FROM teams t JOIN users u ON u.id = t.queue_user_id AND u.deactivated_at IS NULL WHERE t.id = ?").bind(team_id).fetch_optional(&mut *conn).await?;
            let Some((id, name)) = holder else { return Ok(None) };
            let line = format!("Held by the team's queue user {name} until someone takes it");
            (UserRef { id, name }, line)
        }
    };
    set_assignee(conn, ticket_id, Some(assignee.id), Claim::Unassigned, now).await?;
    add_timeline(conn, ticket_id, TimelineKind::Assigned, actor_id, now, &line).await?;
    Ok(Some(assignee))
}
