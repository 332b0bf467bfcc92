//! Lookups every feature shares: who may see which team and ticket, stages, and checks that a
//! referenced record exists. Reads only; nothing here imports a feature module.

use super::{decode, Conn, Db};
use crate::domain::access::{self, Action, Relation};
use crate::domain::{reference, validate};
use crate::error::AppError;
use crate::model::*;

#[derive(sqlx::FromRow)]
struct TeamRow {
    id: i64,
    name: String,
    description: String,
    visibility: String,
    in_team: bool,
    open_tickets: i64,
    archived: bool,
}

fn team_select() -> String {
    format!(
        "SELECT t.id, t.name, t.description, t.visibility,
            (EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.id AND m.user_id = ?1)
             OR EXISTS (SELECT 1 FROM team_followers f WHERE f.team_id = t.id AND f.user_id = ?1)) AS in_team,
            (SELECT COUNT(*) FROM tickets k WHERE k.team_id = t.id AND k.status IN ({})) AS open_tickets,
            t.archived_at IS NOT NULL AS archived
        FROM teams t",
        super::open_statuses()
    )
}

impl TeamRow {
    fn relation(&self, user: &CurrentUser) -> Result<Relation, AppError> {
        Ok(Relation {
            role: user.role,
            visibility: decode(Visibility::parse, &self.visibility)?,
            in_team: self.in_team,
            follows_ticket: false,
        })
    }

    fn into_summary(self) -> Result<TeamSummary, AppError> {
        Ok(TeamSummary {
            visibility: decode(Visibility::parse, &self.visibility)?,
            id: self.id,
            name: self.name,
            description: self.description,
            open_tickets: self.open_tickets,
            archived: self.archived,
        })
    }
}

/// The teams this user may see, by name.
pub async fn visible_teams(db: &Db, user: &CurrentUser) -> Result<Vec<TeamSummary>, AppError> {
    let rows: Vec<TeamRow> = sqlx::query_as(&format!("{} ORDER BY t.name", team_select()))
        .bind(user.id)
        .fetch_all(&db.read)
        .await?;
    let mut teams = Vec::new();
    for row in rows {
        if access::can_see_team(row.relation(user)?) {
            teams.push(row.into_summary()?);
        }
    }
    Ok(teams)
}

/// This user's relation to every team, without counting tickets.
async fn team_relations(conn: &mut Conn, user: &CurrentUser) -> Result<Vec<(i64, Relation)>, AppError> {
    let rows: Vec<(i64, String, bool)> = sqlx::query_as(
        "SELECT t.id, t.visibility,
                EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.id AND m.user_id = ?1)
                OR EXISTS (SELECT 1 FROM team_followers f WHERE f.team_id = t.id AND f.user_id = ?1)
           FROM teams t",
    )
    .bind(user.id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, visibility, in_team)| {
            Ok((id, Relation { role: user.role, visibility: decode(Visibility::parse, &visibility)?, in_team, follows_ticket: false }))
        })
        .collect()
}

/// The ids of the teams this user may see, for filtering lists that span teams.
pub(crate) async fn visible_team_ids(conn: &mut Conn, user: &CurrentUser) -> Result<Vec<i64>, AppError> {
    Ok(team_relations(conn, user).await?.into_iter().filter(|(_, r)| access::can_see_team(*r)).map(|(id, _)| id).collect())
}

/// The ids of the teams this user may shape, for scoping setup lists and rules.
pub(crate) async fn managed_team_ids(conn: &mut Conn, user: &CurrentUser) -> Result<Vec<i64>, AppError> {
    Ok(team_relations(conn, user).await?.into_iter().filter(|(_, r)| access::can_manage_team(*r)).map(|(id, _)| id).collect())
}

async fn team_row(conn: &mut Conn, user: &CurrentUser, team_id: i64) -> Result<TeamRow, AppError> {
    sqlx::query_as(&format!("{} WHERE t.id = ?2", team_select()))
        .bind(user.id)
        .bind(team_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| access::missing("Team", team_id))
}

/// The team, if this user may see it; a hidden team answers exactly like a missing one.
pub async fn visible_team(conn: &mut Conn, user: &CurrentUser, team_id: i64) -> Result<TeamSummary, AppError> {
    let row = team_row(conn, user, team_id).await?;
    if !access::can_see_team(row.relation(user)?) {
        return Err(access::missing("Team", team_id));
    }
    row.into_summary()
}

/// The team, if this user may see it, and whether they may also shape it (one lookup).
pub(crate) async fn visible_team_and_management(conn: &mut Conn, user: &CurrentUser, team_id: i64) -> Result<(TeamSummary, bool), AppError> {
    let row = team_row(conn, user, team_id).await?;
    let relation = row.relation(user)?;
    if !access::can_see_team(relation) {
        return Err(access::missing("Team", team_id));
    }
    let manages = access::may(user.role, Action::ShapeWork) && access::can_manage_team(relation);
    Ok((row.into_summary()?, manages))
}

/// A team named in a rule or setting must be one the author sees; otherwise the input is bad,
/// worded exactly as for a team that does not exist.
pub(crate) async fn check_named_team(conn: &mut Conn, user: &CurrentUser, team_id: i64) -> Result<(), AppError> {
    match visible_team(conn, user, team_id).await {
        Ok(_) => Ok(()),
        Err(AppError::NotFound(message)) => Err(AppError::Invalid(message)),
        Err(other) => Err(other),
    }
}

/// The team, if this user may shape it (admins; leads of teams they belong to).
pub(crate) async fn managed_team(conn: &mut Conn, user: &CurrentUser, team_id: i64) -> Result<TeamSummary, AppError> {
    // A role that shapes no team is refused before any lookup: the same answer whatever the id.
    access::require(user, Action::ShapeWork)?;
    let row = team_row(conn, user, team_id).await?;
    let relation = row.relation(user)?;
    if !access::can_see_team(relation) {
        return Err(access::missing("Team", team_id));
    }
    if !access::can_manage_team(relation) {
        return Err(AppError::Forbidden("Only admins and the team's leads can change a team's stages and settings.".into()));
    }
    row.into_summary()
}

#[derive(sqlx::FromRow)]
pub(crate) struct StageRow {
    id: i64,
    team_id: i64,
    name: String,
    category: String,
    position: i64,
    folded: bool,
    pauses_sla: bool,
    version: i64,
}

impl StageRow {
    pub(crate) fn into_stage(self) -> Result<Stage, AppError> {
        Ok(Stage {
            category: decode(StageCategory::parse, &self.category)?,
            id: self.id,
            team_id: self.team_id,
            name: self.name,
            position: self.position,
            folded: self.folded,
            pauses_sla: self.pauses_sla,
            version: self.version,
        })
    }
}

const STAGE_SELECT: &str = "SELECT id, team_id, name, category, position, folded, pauses_sla, version FROM stages";

pub async fn stages_of(conn: &mut Conn, team_id: i64) -> Result<Vec<Stage>, AppError> {
    sqlx::query_as::<_, StageRow>(&format!("{STAGE_SELECT} WHERE team_id = ? ORDER BY position, id"))
        .bind(team_id)
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(StageRow::into_stage)
        .collect()
}

pub async fn stage(conn: &mut Conn, stage_id: i64) -> Result<Stage, AppError> {
    sqlx::query_as::<_, StageRow>(&format!("{STAGE_SELECT} WHERE id = ?"))
        .bind(stage_id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Stage {stage_id} does not exist.")))?
        .into_stage()
}


/// The facts needed to authorize and version-check a change to one ticket.
#[derive(sqlx::FromRow)]
pub(crate) struct TicketCore {
    pub(crate) id: i64,
    pub(crate) team_id: i64,
    pub(crate) stage_id: i64,
    pub(crate) version: i64,
    pub(crate) assignee_id: Option<i64>,
    pub(crate) visibility: String,
    pub(crate) in_team: bool,
    pub(crate) follows: bool,
}

pub(crate) fn parse_reference(text: &str) -> Result<i64, AppError> {
    reference::parse(text)
        .ok_or_else(|| AppError::Invalid(format!("{} is not a ticket reference (expected something like HD-1042).", validate::quoted(text))))
}

/// SQL that is true when `user` (an id expression) follows ticket `ticket` (an alias): listed as
/// a follower, or a portal user whose contact is the ticket's requester or follows it.
pub(crate) fn follows_sql(ticket: &str, user: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM ticket_followers tf WHERE tf.ticket_id = {ticket}.id AND tf.user_id = {user})
          OR EXISTS (SELECT 1 FROM users fu WHERE fu.id = {user} AND fu.contact_id IS NOT NULL
                     AND (fu.contact_id = {ticket}.contact_id
                          OR EXISTS (SELECT 1 FROM ticket_contact_followers cf WHERE cf.ticket_id = {ticket}.id AND cf.contact_id = fu.contact_id))))"
    )
}

/// Loads a ticket the user may see; `for_change` additionally requires an internal user.
pub(crate) async fn accessible(conn: &mut Conn, user: &CurrentUser, text: &str, for_change: bool) -> Result<TicketCore, AppError> {
    // Customers change no ticket here: refused before any lookup, whatever the reference.
    if for_change {
        access::require(user, Action::WorkTickets)?;
    }
    let number = parse_reference(text)?;
    let core: TicketCore = sqlx::query_as(&format!(
        "SELECT k.id, k.team_id, k.stage_id, k.version, k.assignee_id, t.visibility,
                (EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.id AND m.user_id = ?1)
                 OR EXISTS (SELECT 1 FROM team_followers f WHERE f.team_id = t.id AND f.user_id = ?1)) AS in_team,
                {} AS follows
           FROM tickets k JOIN teams t ON t.id = k.team_id
          WHERE k.number = ?2",
        follows_sql("k", "?1")
    ))
    .bind(user.id)
    .bind(number)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| access::missing("Ticket", reference::format(number)))?;
    let relation = Relation {
        role: user.role,
        visibility: decode(Visibility::parse, &core.visibility)?,
        in_team: core.in_team,
        follows_ticket: core.follows,
    };
    if !access::can_see_ticket(relation) {
        return Err(access::missing("Ticket", reference::format(number)));
    }
    Ok(core)
}

/// Whether user `user_id` may see the ticket, e.g. before a notification names it to them.
pub(crate) async fn may_see(conn: &mut Conn, user_id: i64, ticket_id: i64) -> Result<bool, AppError> {
    let row: Option<(String, String, bool, bool)> = sqlx::query_as(&format!(
        "SELECT u.role, t.visibility,
                (EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.id AND m.user_id = u.id)
                 OR EXISTS (SELECT 1 FROM team_followers f WHERE f.team_id = t.id AND f.user_id = u.id)),
                {}
           FROM tickets k JOIN teams t ON t.id = k.team_id JOIN users u ON u.id = ?1
          WHERE k.id = ?2",
        follows_sql("k", "u.id")
    ))
    .bind(user_id)
    .bind(ticket_id)
    .fetch_optional(conn)
    .await?;
    let Some((role, visibility, in_team, follows_ticket)) = row else { return Ok(false) };
    let relation = Relation { role: decode(Role::parse, &role)?, visibility: decode(Visibility::parse, &visibility)?, in_team, follows_ticket };
    Ok(access::can_see_ticket(relation))
}


/// The assignee must be an internal user who may see the team.
pub(crate) async fn check_assignee(conn: &mut Conn, assignee_id: Option<i64>, team_id: i64) -> Result<Option<UserRef>, AppError> {
    let Some(id) = assignee_id else { return Ok(None) };
    let invalid = || AppError::Invalid(format!("User {id} cannot be assigned tickets of this team."));
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT name, role FROM users WHERE id = ? AND deactivated_at IS NULL").bind(id).fetch_optional(&mut *conn).await?;
    let (name, role) = row.ok_or_else(invalid)?;
    let assignee = CurrentUser { id, name: name.clone(), email: String::new(), role: decode(Role::parse, &role)? };
    match visible_team(conn, &assignee, team_id).await {
        Ok(_) if assignee.role.is_internal() => Ok(Some(UserRef { id, name })),
        Ok(_) | Err(AppError::NotFound(_)) => Err(invalid()),
        Err(other) => Err(other),
    }
}

pub(crate) async fn check_exists(conn: &mut Conn, table: &str, what: &str, id: Option<i64>) -> Result<(), AppError> {
    let Some(id) = id else { return Ok(()) };
    let found: Option<i64> =
        sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE id = ?")).bind(id).fetch_optional(conn).await?;
    found.map(|_| ()).ok_or_else(|| AppError::Invalid(format!("{what} {id} does not exist.")))
}


/// The team's leads: leads who are members or followers of the team (those who may shape it).
pub(crate) async fn team_leads(conn: &mut Conn, team_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT u.id FROM users u WHERE u.role = {}
            AND (EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = ?1 AND m.user_id = u.id)
                 OR EXISTS (SELECT 1 FROM team_followers f WHERE f.team_id = ?1 AND f.user_id = u.id))
          ORDER BY u.id",
        super::code(Role::Lead.as_str())
    ))
    .bind(team_id)
    .fetch_all(conn)
    .await?)
}
