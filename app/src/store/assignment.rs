//! Assignment in the database: automatic assignment on creation and "pick up next ticket".

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::{decode, Db};
use crate::domain::access::{self, Action, Relation};
use crate::domain::assign::{self, Absence, Candidate, Method, Rating};
use crate::domain::age;
use crate::error::AppError;
use crate::model::{CurrentUser, Priority, PullSource, Role, StageCategory, TicketCard, TicketStatus, TimelineKind, UserRef, Visibility};

/// Waiting tickets are examined in batches of this many, best first.
const PULL_BATCH: i64 = 200;

fn explain(method: Method) -> &'static str {
    match method {
        Method::EqualTotal => "equal total: fewest tickets received",
        Method::EqualOpen => "equal open: fewest open tickets",
        Method::RoundRobin => "round-robin: next in turn",
    }
}

/// The assignee a team's automatic assignment picks for a new ticket, with the reason for the
/// timeline; `None` when the team assigns manually or nobody is available (the ticket waits).
pub async fn auto_assignee(conn: &mut SqliteConnection, team_id: i64, now: DateTime<Utc>) -> Result<Option<(UserRef, String)>, AppError> {
    choose_member(conn, team_id, None, now).await
}

/// The member `method` (by default the team's own automatic assignment) picks for the next
/// ticket, with the reason; `None` when no method applies or nobody is available.
pub(crate) async fn choose_member(
    conn: &mut SqliteConnection,
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
    let members: Vec<(i64, String, String, bool)> = sqlx::query_as(
        "SELECT u.id, u.name, u.role, EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = ?1 AND m.user_id = u.id)
           FROM users u WHERE u.role <> 'customer' ORDER BY u.id",
    )
    .bind(team_id)
    .fetch_all(&mut *conn)
    .await?;
    // An empty member list means every agent who can see the team.
    let has_members = members.iter().any(|(.., member)| *member);
    let visibility = decode(Visibility::parse, &visibility)?;
    let mut eligible = Vec::new();
    for (id, name, role, member) in members {
        let role = decode(Role::parse, &role)?;
        let relation = Relation { role, visibility, in_team: member, follows_ticket: false };
        if (has_members && member) || (!has_members && role == Role::Agent && access::can_see_team(relation)) {
            eligible.push(UserRef { id, name });
        }
    }
    let loads: HashMap<i64, (i64, i64)> = sqlx::query_as::<_, (i64, i64, i64)>(
        "SELECT assignee_id, SUM(status IN ('active_new', 'active_assigned')), COUNT(*)
           FROM tickets WHERE team_id = ? AND assignee_id IS NOT NULL GROUP BY assignee_id",
    )
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
    conn: &mut SqliteConnection,
    ticket_id: i64,
    team_id: i64,
    actor_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<UserRef>, AppError> {
    let (assignee, line, worked) = match auto_assignee(conn, team_id, now).await? {
        Some((assignee, why)) => {
            let line = format!("Assigned to {} automatically ({why})", assignee.name);
            (assignee, line, true)
        }
        None => {
            let holder: Option<(i64, String)> =
                sqlx::query_as("SELECT u.id, u.name FROM teams t JOIN users u ON u.id = t.queue_user_id WHERE t.id = ?").bind(team_id).fetch_optional(&mut *conn).await?;
            let Some((id, name)) = holder else { return Ok(None) };
            let line = format!("Held by the team's queue user {name} until someone takes it");
            (UserRef { id, name }, line, false)
        }
    };
    let category: String = sqlx::query_scalar("SELECT s.category FROM tickets k JOIN stages s ON s.id = k.stage_id WHERE k.id = ?")
        .bind(ticket_id)
        .fetch_one(&mut *conn)
        .await?;
    let status = crate::domain::status::derive(decode(StageCategory::parse, &category)?, worked);
    let claimed = sqlx::query("UPDATE tickets SET assignee_id = ?, status = ?, updated_at = ?, version = version + 1 WHERE id = ? AND assignee_id IS NULL")
        .bind(assignee.id)
        .bind(status.as_str())
        .bind(now)
        .bind(ticket_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    super::expect_one_row(claimed, "The ticket")?;
    if worked {
        super::tickets::follow(conn, ticket_id, assignee.id).await?;
    }
    super::tickets::add_timeline(conn, ticket_id, TimelineKind::Assigned, actor_id, now, &line).await?;
    Ok(Some(assignee))
}

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
    let mut tx = db.write.begin().await?;
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
            let name = super::queues::queue_name(&mut tx, queue_id).await?;
            let member: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM queue_members WHERE queue_id = ? AND user_id = ?)")
                .bind(queue_id)
                .bind(user.id)
                .fetch_one(&mut *tx)
                .await?;
            if !member {
                return Err(AppError::Forbidden(format!("You are not a member of the queue \"{name}\".")));
            }
            vec![Scope::Queue { queue_id, teams: super::teams::visible_team_ids(&mut tx, user).await? }]
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
    let claimed = sqlx::query(
        "UPDATE tickets SET assignee_id = ?, status = ?, updated_at = ?, version = version + 1 WHERE id = ? AND status = 'active_new'",
    )
    .bind(user.id)
    .bind(TicketStatus::ActiveAssigned.as_str())
    .bind(now)
    .bind(ticket.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    super::expect_one_row(claimed, "The ticket")?;
    super::tickets::follow(&mut tx, ticket.id, user.id).await?;
    let priority = decode(Priority::parse, &ticket.priority)?;
    let why = format!("Picked up by {} (pull next: {} priority, waiting {})", user.name, priority.label(), age::compact(ticket.created_at, now));
    super::tickets::add_timeline(&mut tx, ticket.id, TimelineKind::Assigned, Some(user.id), now, &why).await?;
    let card = super::tickets::card(&mut tx, ticket.id, now).await?;
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
async fn best_waiting(conn: &mut SqliteConnection, scope: &Scope, held: &[Rating]) -> Result<Option<Waiting>, AppError> {
    let (from, id) = match scope {
        Scope::Team(team_id) => ("tickets k WHERE k.team_id = ?1".to_string(), *team_id),
        Scope::Queue { queue_id, teams } => (
            format!("queue_tickets qt JOIN tickets k ON k.id = qt.ticket_id WHERE qt.queue_id = ?1 AND k.team_id IN ({})", super::id_list(teams)),
            *queue_id,
        ),
    };
    let mut after: Option<(i64, DateTime<Utc>, i64)> = None;
    loop {
        let batch: Vec<Waiting> = sqlx::query_as(&format!(
            "SELECT k.id, k.team_id, k.priority, k.priority_rank, k.created_at FROM {from}
                AND k.status = 'active_new'
                AND (?2 IS NULL OR k.priority_rank < ?2 OR (k.priority_rank = ?2 AND (k.created_at > ?3 OR (k.created_at = ?3 AND k.id > ?4))))
              ORDER BY k.priority_rank DESC, k.created_at, k.id
              LIMIT ?5"
        ))
        .bind(id)
        .bind(after.map(|a| a.0))
        .bind(after.map(|a| a.1))
        .bind(after.map(|a| a.2))
        .bind(PULL_BATCH)
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
            let mut tx = db.write.begin().await?;
            let waiting: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM tickets WHERE team_id = ? AND assignee_id IS NULL AND status = 'active_new'
                  ORDER BY priority_rank DESC, created_at, id LIMIT 1",
            )
            .bind(team_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(ticket_id) = waiting else { break };
            if assign_automatically(&mut tx, ticket_id, team_id, None, now).await?.is_none() {
                break;
            }
            let card = super::tickets::card(&mut tx, ticket_id, now).await?;
            tx.commit().await?;
            assigned.push(Pulled { card, team_id });
        }
    }
    Ok(assigned)
}

async fn requirements_of(conn: &mut SqliteConnection, batch: &[Waiting]) -> Result<HashMap<i64, Vec<Rating>>, AppError> {
    let ids = super::id_list(&batch.iter().map(|t| t.id).collect::<Vec<_>>());
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
mod tests {
    use super::*;
    use crate::model::TicketInput;
    use crate::store::fixtures::temp_db;
    use crate::store::tickets;
    use chrono::Duration;
    use std::collections::HashSet;

    async fn team(db: &Db, agents: usize, waiting: usize, now: DateTime<Utc>) -> (i64, Vec<CurrentUser>) {
        crate::store::fixtures::waiting_team(db, agents, waiting, now).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_pullers_never_share_a_ticket_and_lose_no_pull() {
        const PULLERS: usize = 50;
        const TICKETS: usize = 2_000;
        let (db, _dir) = temp_db().await;
        let now = Utc::now();
        let (_, agents) = team(&db, PULLERS, TICKETS, now).await;
        let mut pullers = Vec::new();
        for agent in agents {
            let db = db.clone();
            pullers.push(tokio::spawn(async move {
                let mut claimed = Vec::new();
                while let Some(pulled) = pull_next(&db, &agent, PullSource::MyTeams, now).await.unwrap() {
                    claimed.push((pulled.card.reference, agent.id));
                }
                claimed
            }));
        }
        let mut claims = Vec::new();
        for puller in pullers {
            claims.extend(puller.await.unwrap());
        }
        assert_eq!(claims.len(), TICKETS, "every ticket pulled exactly once in all");
        let unique: HashSet<&String> = claims.iter().map(|(reference, _)| reference).collect();
        assert_eq!(unique.len(), TICKETS, "no ticket handed to two agents");
        for (reference, agent_id) in &claims {
            let owner: i64 = sqlx::query_scalar("SELECT assignee_id FROM tickets WHERE number = ?")
                .bind(crate::domain::reference::parse(reference))
                .fetch_one(&db.read)
                .await
                .unwrap();
            assert_eq!(owner, *agent_id, "{reference}: the puller told is the assignee stored");
        }
        let pickups: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM timeline_entries WHERE kind = 'assigned'").fetch_one(&db.read).await.unwrap();
        assert_eq!(pickups, TICKETS as i64);
    }

    #[tokio::test]
    async fn pull_gives_the_best_ticket_the_agent_qualifies_for() {
        let (db, _dir) = temp_db().await;
        let now = Utc::now();
        let (_, agents) = team(&db, 2, 8, now).await;
        let skill = sqlx::query("INSERT INTO qualifications (name, kind, scale_max) VALUES ('Networking', 'technical', 10)")
            .execute(&db.write)
            .await
            .unwrap()
            .last_insert_rowid();
        // HD-1008 is the oldest urgent ticket, HD-1004 the other one; HD-1008 needs Networking 7.
        sqlx::query("INSERT INTO ticket_requirements (ticket_id, qualification_id, min_rating) SELECT id, ?, 7 FROM tickets WHERE number = 1008")
            .bind(skill)
            .execute(&db.write)
            .await
            .unwrap();
        sqlx::query("INSERT INTO user_qualifications (user_id, qualification_id, rating) VALUES (?, ?, 7), (?, ?, 6)")
            .bind(agents[0].id)
            .bind(skill)
            .bind(agents[1].id)
            .bind(skill)
            .execute(&db.write)
            .await
            .unwrap();

        let unqualified = pull_next(&db, &agents[1], PullSource::MyTeams, now).await.unwrap().unwrap();
        assert_eq!(unqualified.card.reference, "HD-1004", "rating 6 < 7: the next urgent ticket instead");
        let qualified = pull_next(&db, &agents[0], PullSource::MyTeams, now).await.unwrap().unwrap();
        assert_eq!(qualified.card.reference, "HD-1008", "oldest urgent, rating 7 meets the minimum");
        let next = pull_next(&db, &agents[0], PullSource::MyTeams, now).await.unwrap().unwrap();
        assert_eq!(next.card.priority, Priority::High, "then the next priority down");

        let detail = tickets::get(&db, &agents[0], "HD-1008", chrono::Utc::now()).await.unwrap();
        assert_eq!(detail.status, TicketStatus::ActiveAssigned);
        assert!(detail.timeline[0].summary.starts_with("Picked up by Agent 0 (pull next: Urgent priority"));
    }

    #[tokio::test]
    async fn new_tickets_spread_over_available_members_by_equal_open() {
        let (db, _dir) = temp_db().await;
        let now = Utc::now();
        let (team_id, agents) = team(&db, 3, 0, now).await;
        sqlx::query("UPDATE teams SET assignment_method = 'equal_open' WHERE id = ?").bind(team_id).execute(&db.write).await.unwrap();
        sqlx::query("INSERT INTO time_off (user_id, from_at, until_at) VALUES (?, ?, ?)")
            .bind(agents[2].id)
            .bind(now - Duration::hours(1))
            .bind(now + Duration::days(1))
            .execute(&db.write)
            .await
            .unwrap();
        let mut counts: HashMap<i64, usize> = HashMap::new();
        for i in 0..6 {
            let card = tickets::create(&db, &agents[0], &TicketInput::quick(team_id, format!("Spread {i}")), now).await.unwrap();
            *counts.entry(card.assignee.expect("assigned automatically").id).or_default() += 1;
        }
        assert_eq!(counts.get(&agents[0].id), Some(&3));
        assert_eq!(counts.get(&agents[1].id), Some(&3));
        assert_eq!(counts.get(&agents[2].id), None, "on time off");
        let detail = tickets::get(&db, &agents[0], "HD-1001", chrono::Utc::now()).await.unwrap();
        assert!(detail.timeline.iter().any(|e| e.summary.contains("automatically (equal open: fewest open tickets)")));

        // With everyone away the ticket waits unassigned.
        sqlx::query("INSERT INTO time_off (user_id, from_at, until_at) SELECT id, ?, ? FROM users")
            .bind(now - Duration::hours(1))
            .bind(now + Duration::days(1))
            .execute(&db.write)
            .await
            .unwrap();
        let waiting = tickets::create(&db, &agents[0], &TicketInput::quick(team_id, "Nobody here"), now).await.unwrap();
        assert_eq!(waiting.assignee, None);
        assert!(assign_waiting(&db, now).await.unwrap().is_empty(), "still nobody available");

        // Once the time off is over, the waiting ticket is assigned by the background round.
        let later = now + Duration::days(2);
        let assigned = assign_waiting(&db, later).await.unwrap();
        assert_eq!(assigned.len(), 1);
        assert_eq!(assigned[0].card.reference, waiting.reference);
        let detail = tickets::get(&db, &agents[0], &waiting.reference, chrono::Utc::now()).await.unwrap();
        assert_eq!(detail.status, TicketStatus::ActiveAssigned);
        assert_eq!(detail.timeline[0].actor, None, "done by the system");
    }

    #[tokio::test]
    async fn the_default_queue_user_holds_new_tickets_until_someone_takes_them() {
        let (db, _dir) = temp_db().await;
        let now = Utc::now();
        let (team_id, agents) = team(&db, 3, 0, now).await;
        let holder = &agents[2];
        sqlx::query("UPDATE teams SET queue_user_id = ? WHERE id = ?").bind(holder.id).bind(team_id).execute(&db.write).await.unwrap();
        let card = tickets::create(&db, &agents[0], &TicketInput::quick(team_id, "Held"), now).await.unwrap();
        assert_eq!(card.assignee.as_ref().map(|a| a.id), Some(holder.id));
        let detail = tickets::get(&db, &agents[0], &card.reference, chrono::Utc::now()).await.unwrap();
        assert_eq!(detail.status, TicketStatus::ActiveNew, "held, not worked");
        assert!(detail.timeline.iter().any(|e| e.summary == "Held by the team's queue user Agent 2 until someone takes it"));

        // Editing other fields keeps it waiting; pull-next hands it to the agent who pulls.
        let edited = tickets::update(&db, &agents[0], &card.reference, detail.version, &TicketInput { assignee_id: Some(holder.id), ..TicketInput::quick(team_id, "Held, edited") }, false, now)
            .await
            .unwrap();
        assert_eq!(edited.detail.status, TicketStatus::ActiveNew);
        let pulled = pull_next(&db, &agents[1], PullSource::MyTeams, now).await.unwrap().unwrap();
        assert_eq!(pulled.card.reference, card.reference);
        assert_eq!(pulled.card.assignee.map(|a| a.id), Some(agents[1].id));
        assert_eq!(tickets::get(&db, &agents[1], &card.reference, chrono::Utc::now()).await.unwrap().status, TicketStatus::ActiveAssigned);
        assert!(pull_next(&db, &agents[0], PullSource::MyTeams, now).await.unwrap().is_none(), "taken once");
    }
}
