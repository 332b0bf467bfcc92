//! Teams, their visibility, and their pipelines of stages.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::{decode, expect_one_row, Db};
use crate::domain::access::{self, Action, Relation};
use crate::domain::validate;
use crate::error::AppError;
use crate::model::{AssignmentMethod, CurrentUser, Role, Stage, StageCategory, TeamSettings, TeamSettingsInput, TeamSummary, Visibility};

#[derive(sqlx::FromRow)]
struct TeamRow {
    id: i64,
    name: String,
    description: String,
    visibility: String,
    in_team: bool,
    open_tickets: i64,
}

const TEAM_SELECT: &str = "SELECT t.id, t.name, t.description, t.visibility,
        (EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.id AND m.user_id = ?1)
         OR EXISTS (SELECT 1 FROM team_followers f WHERE f.team_id = t.id AND f.user_id = ?1)) AS in_team,
        (SELECT COUNT(*) FROM tickets k WHERE k.team_id = t.id AND k.status IN ('active_new', 'active_assigned')) AS open_tickets
    FROM teams t";

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
        })
    }
}

/// The teams this user may see, by name.
pub async fn visible_teams(db: &Db, user: &CurrentUser) -> Result<Vec<TeamSummary>, AppError> {
    let rows: Vec<TeamRow> = sqlx::query_as(&format!("{TEAM_SELECT} ORDER BY t.name"))
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
async fn team_relations(conn: &mut SqliteConnection, user: &CurrentUser) -> Result<Vec<(i64, Relation)>, AppError> {
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
pub(crate) async fn visible_team_ids(conn: &mut SqliteConnection, user: &CurrentUser) -> Result<Vec<i64>, AppError> {
    Ok(team_relations(conn, user).await?.into_iter().filter(|(_, r)| access::can_see_team(*r)).map(|(id, _)| id).collect())
}

/// The ids of the teams this user may shape, for scoping setup lists and rules.
pub(crate) async fn managed_team_ids(conn: &mut SqliteConnection, user: &CurrentUser) -> Result<Vec<i64>, AppError> {
    Ok(team_relations(conn, user).await?.into_iter().filter(|(_, r)| access::can_manage_team(*r)).map(|(id, _)| id).collect())
}

async fn team_row(conn: &mut SqliteConnection, user: &CurrentUser, team_id: i64) -> Result<TeamRow, AppError> {
    sqlx::query_as(&format!("{TEAM_SELECT} WHERE t.id = ?2"))
        .bind(user.id)
        .bind(team_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| access::missing("Team", team_id))
}

/// The team, if this user may see it; a hidden team answers exactly like a missing one.
pub async fn visible_team(conn: &mut SqliteConnection, user: &CurrentUser, team_id: i64) -> Result<TeamSummary, AppError> {
    let row = team_row(conn, user, team_id).await?;
    if !access::can_see_team(row.relation(user)?) {
        return Err(access::missing("Team", team_id));
    }
    row.into_summary()
}

/// A team named in a rule or setting must be one the author sees; otherwise the input is bad,
/// worded exactly as for a team that does not exist.
pub(crate) async fn check_named_team(conn: &mut SqliteConnection, user: &CurrentUser, team_id: i64) -> Result<(), AppError> {
    match visible_team(conn, user, team_id).await {
        Ok(_) => Ok(()),
        Err(AppError::NotFound(message)) => Err(AppError::Invalid(message)),
        Err(other) => Err(other),
    }
}

/// The team, if this user may shape it (admins; leads of teams they belong to).
pub(crate) async fn managed_team(conn: &mut SqliteConnection, user: &CurrentUser, team_id: i64) -> Result<TeamSummary, AppError> {
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

pub async fn stages_of(conn: &mut SqliteConnection, team_id: i64) -> Result<Vec<Stage>, AppError> {
    sqlx::query_as::<_, StageRow>(&format!("{STAGE_SELECT} WHERE team_id = ? ORDER BY position, id"))
        .bind(team_id)
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(StageRow::into_stage)
        .collect()
}

pub async fn stage(conn: &mut SqliteConnection, stage_id: i64) -> Result<Stage, AppError> {
    sqlx::query_as::<_, StageRow>(&format!("{STAGE_SELECT} WHERE id = ?"))
        .bind(stage_id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Stage {stage_id} does not exist.")))?
        .into_stage()
}

/// Stage names are unique per team; say so instead of a generic conflict.
fn duplicate_stage_name(error: sqlx::Error, name: &str) -> AppError {
    match AppError::from(error) {
        AppError::Conflict(_) => AppError::Invalid(format!("The team already has a stage named \"{name}\".")),
        other => other,
    }
}

pub async fn insert_stage(conn: &mut SqliteConnection, team_id: i64, name: &str, category: StageCategory) -> Result<Stage, AppError> {
    let position: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), -1) + 1 FROM stages WHERE team_id = ?")
        .bind(team_id)
        .fetch_one(&mut *conn)
        .await?;
    // Waiting on the customer stops the SLA clocks unless a lead decides otherwise.
    let id = sqlx::query("INSERT INTO stages (team_id, name, category, position, pauses_sla) VALUES (?, ?, ?, ?, ?)")
        .bind(team_id)
        .bind(name)
        .bind(category.as_str())
        .bind(position)
        .bind(category == StageCategory::Waiting)
        .execute(&mut *conn)
        .await
        .map_err(|e| duplicate_stage_name(e, name))?
        .last_insert_rowid();
    stage(conn, id).await
}

pub async fn create_stage(db: &Db, user: &CurrentUser, team_id: i64, name: &str, category: StageCategory) -> Result<Stage, AppError> {
    let name = validate::stage_name(name)?;
    let mut tx = db.write.begin().await?;
    managed_team(&mut tx, user, team_id).await?;
    let stage = insert_stage(&mut tx, team_id, &name, category).await?;
    tx.commit().await?;
    Ok(stage)
}

/// Loads a stage for a change by someone allowed to manage its team, checking the version.
async fn stage_for_change(conn: &mut SqliteConnection, user: &CurrentUser, stage_id: i64, version: i64) -> Result<Stage, AppError> {
    access::require(user, Action::ShapeWork)?;
    let current = stage(conn, stage_id).await?;
    managed_team(conn, user, current.team_id).await.map_err(|refused| match refused {
        AppError::NotFound(_) => access::missing("Stage", stage_id),
        other => other,
    })?;
    if current.version != version {
        return Err(AppError::Conflict(format!(
            "The stage \"{}\" was changed by someone else in the meantime. The latest version has been loaded.",
            current.name
        )));
    }
    Ok(current)
}

pub async fn rename_stage(db: &Db, user: &CurrentUser, stage_id: i64, version: i64, name: &str) -> Result<Stage, AppError> {
    let name = validate::stage_name(name)?;
    let mut tx = db.write.begin().await?;
    stage_for_change(&mut tx, user, stage_id, version).await?;
    let affected = sqlx::query("UPDATE stages SET name = ?, version = version + 1 WHERE id = ? AND version = ?")
        .bind(&name)
        .bind(stage_id)
        .bind(version)
        .execute(&mut *tx)
        .await
        .map_err(|e| duplicate_stage_name(e, &name))?
        .rows_affected();
    expect_one_row(affected, "The stage")?;
    let renamed = stage(&mut tx, stage_id).await?;
    tx.commit().await?;
    Ok(renamed)
}

pub async fn set_stage_folded(db: &Db, user: &CurrentUser, stage_id: i64, version: i64, folded: bool) -> Result<Stage, AppError> {
    let mut tx = db.write.begin().await?;
    stage_for_change(&mut tx, user, stage_id, version).await?;
    sqlx::query("UPDATE stages SET folded = ?, version = version + 1 WHERE id = ?")
        .bind(folded)
        .bind(stage_id)
        .execute(&mut *tx)
        .await?;
    let changed = stage(&mut tx, stage_id).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Marks a stage as pausing SLA clocks (or not) and pauses or resumes the clocks of the
/// tickets in it; the timeline of each says so.
pub async fn set_stage_pausing(db: &Db, user: &CurrentUser, stage_id: i64, version: i64, pauses: bool, now: DateTime<Utc>) -> Result<Stage, AppError> {
    let mut tx = db.write.begin().await?;
    stage_for_change(&mut tx, user, stage_id, version).await?;
    sqlx::query("UPDATE stages SET pauses_sla = ?, version = version + 1 WHERE id = ?").bind(pauses).bind(stage_id).execute(&mut *tx).await?;
    let tickets: Vec<i64> = sqlx::query_scalar("SELECT id FROM tickets WHERE stage_id = ? AND closed_at IS NULL").bind(stage_id).fetch_all(&mut *tx).await?;
    for ticket_id in tickets {
        super::sla::sync(&mut tx, ticket_id, Some(user.id), now).await?;
    }
    let changed = stage(&mut tx, stage_id).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Moves a stage to `to_index` (0-based, clamped) in its pipeline and renumbers the pipeline.
pub async fn reorder_stage(db: &Db, user: &CurrentUser, stage_id: i64, version: i64, to_index: i64) -> Result<Vec<Stage>, AppError> {
    let mut tx = db.write.begin().await?;
    let moving = stage_for_change(&mut tx, user, stage_id, version).await?;
    let mut order: Vec<i64> = stages_of(&mut tx, moving.team_id).await?.into_iter().map(|s| s.id).collect();
    order.retain(|id| *id != stage_id);
    let index = usize::try_from(to_index.max(0)).unwrap_or(0).min(order.len());
    order.insert(index, stage_id);
    for (position, id) in order.iter().enumerate() {
        sqlx::query("UPDATE stages SET position = ?, version = version + 1 WHERE id = ? AND position <> ?")
            .bind(position as i64)
            .bind(id)
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
    }
    let stages = stages_of(&mut tx, moving.team_id).await?;
    tx.commit().await?;
    Ok(stages)
}

pub const DESCRIPTION_MAX: usize = 2_000;
pub const MEMBERS_MAX: usize = 500;

async fn load_settings(conn: &mut SqliteConnection, user: &CurrentUser, team_id: i64) -> Result<TeamSettings, AppError> {
    let (name, description, visibility, assignment, queue_user_id, version): (String, String, String, Option<String>, Option<i64>, i64) =
        sqlx::query_as("SELECT name, description, visibility, assignment_method, queue_user_id, version FROM teams WHERE id = ?")
            .bind(team_id)
            .fetch_one(&mut *conn)
            .await?;
    let members = sqlx::query_scalar("SELECT user_id FROM team_members WHERE team_id = ? ORDER BY user_id")
        .bind(team_id)
        .fetch_all(&mut *conn)
        .await?;
    let people = super::named_list(&mut *conn, super::STAFF_SQL).await?;
    Ok(TeamSettings {
        team_id,
        name,
        settings: TeamSettingsInput {
            description,
            visibility: decode(Visibility::parse, &visibility)?,
            assignment: assignment.as_deref().map(|code| decode(AssignmentMethod::parse, code)).transpose()?,
            queue_user_id,
            members,
        },
        people,
        version,
        can_change_visibility: access::may(user.role, Action::ConfigureInstallation),
    })
}

pub async fn settings(db: &Db, user: &CurrentUser, team_id: i64) -> Result<TeamSettings, AppError> {
    let mut conn = db.read.acquire().await?;
    managed_team(&mut conn, user, team_id).await?;
    load_settings(&mut conn, user, team_id).await
}

/// Saves a team's settings if `version` is still current. Making a public team private or
/// company-only removes portal users as followers of the team and its tickets (SPEC S1).
pub async fn save_settings(db: &Db, user: &CurrentUser, team_id: i64, version: i64, input: &TeamSettingsInput) -> Result<TeamSettings, AppError> {
    if input.description.chars().count() > DESCRIPTION_MAX {
        return Err(AppError::Invalid(format!("The description is longer than {DESCRIPTION_MAX} characters.")));
    }
    if input.members.len() > MEMBERS_MAX {
        return Err(AppError::Invalid(format!("A team can have at most {MEMBERS_MAX} members.")));
    }
    let mut tx = db.write.begin().await?;
    let team = managed_team(&mut tx, user, team_id).await?;
    if team.visibility != input.visibility {
        access::require(user, Action::ConfigureInstallation)?;
    }
    for member in &input.members {
        let role: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = ?").bind(member).fetch_optional(&mut *tx).await?;
        if role.is_none() || role.as_deref() == Some(Role::Customer.as_str()) {
            return Err(AppError::Invalid(format!("User {member} cannot be a team member.")));
        }
    }
    if input.assignment.is_some() && input.queue_user_id.is_some() {
        return Err(AppError::Invalid("Choose either automatic assignment or a default queue user, not both.".into()));
    }
    let affected = sqlx::query(
        "UPDATE teams SET description = ?, visibility = ?, assignment_method = ?, queue_user_id = ?, version = version + 1 WHERE id = ? AND version = ?",
    )
        .bind(input.description.trim())
        .bind(input.visibility.as_str())
        .bind(input.assignment.map(AssignmentMethod::as_str))
        .bind(input.queue_user_id)
        .bind(team_id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    expect_one_row(affected, "The team")?;
    sqlx::query("DELETE FROM team_members WHERE team_id = ?").bind(team_id).execute(&mut *tx).await?;
    for member in &input.members {
        sqlx::query("INSERT INTO team_members (team_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING").bind(team_id).bind(member).execute(&mut *tx).await?;
    }
    if input.visibility != Visibility::Public {
        sqlx::query(
            "DELETE FROM ticket_followers WHERE user_id IN (SELECT id FROM users WHERE role = 'customer')
               AND ticket_id IN (SELECT id FROM tickets WHERE team_id = ?)",
        )
        .bind(team_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM team_followers WHERE team_id = ? AND user_id IN (SELECT id FROM users WHERE role = 'customer')")
            .bind(team_id)
            .execute(&mut *tx)
            .await?;
    }
    // Checked after the visibility change, which decides who may work the team.
    super::tickets::check_assignee(&mut tx, input.queue_user_id, team_id).await?;
    let saved = load_settings(&mut tx, user, team_id).await?;
    tx.commit().await?;
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::temp_db;
    use crate::store::{seed, users};

    async fn setup() -> (Db, tempfile::TempDir, CurrentUser, CurrentUser, i64) {
        let (db, dir) = temp_db().await;
        seed::demo(&db, chrono::Utc::now()).await.unwrap();
        let lead = users::authenticate(&db, "lead@demo.test", seed::DEMO_PASSWORD).await.unwrap();
        let agent = users::authenticate(&db, "agent1@demo.test", seed::DEMO_PASSWORD).await.unwrap();
        let support = visible_teams(&db, &lead).await.unwrap().into_iter().find(|t| t.name == "Support").unwrap().id;
        (db, dir, lead, agent, support)
    }

    async fn names(db: &Db, team_id: i64) -> Vec<String> {
        let mut conn = db.read.acquire().await.unwrap();
        stages_of(&mut conn, team_id).await.unwrap().into_iter().map(|s| s.name).collect()
    }

    #[tokio::test]
    async fn leads_create_rename_reorder_and_fold_stages() {
        let (db, _dir, lead, _, support) = setup().await;
        let review = create_stage(&db, &lead, support, " Review ", StageCategory::InProgress).await.unwrap();
        assert_eq!(names(&db, support).await.last().map(String::as_str), Some("Review"));

        let renamed = rename_stage(&db, &lead, review.id, review.version, "Peer review").await.unwrap();
        let stages = reorder_stage(&db, &lead, renamed.id, renamed.version, 1).await.unwrap();
        assert_eq!(stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>()[..3], ["New", "Peer review", "In Progress"]);
        assert!(stages.windows(2).all(|w| w[0].position < w[1].position));

        let moved = stages.iter().find(|s| s.id == review.id).unwrap();
        let folded = set_stage_folded(&db, &lead, moved.id, moved.version, true).await.unwrap();
        assert!(folded.folded);
        let stale = rename_stage(&db, &lead, review.id, moved.version, "Too late").await;
        assert!(matches!(stale, Err(AppError::Conflict(_))));
    }

    #[tokio::test]
    async fn settings_are_versioned_and_going_private_drops_portal_followers() {
        let (db, _dir, lead, agent, support) = setup().await;
        let customer_follows = || async {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM ticket_followers f JOIN users u ON u.id = f.user_id WHERE u.role = 'customer'",
            )
            .fetch_one(&db.read)
            .await
            .unwrap()
        };
        assert!(customer_follows().await > 0);
        let current = settings(&db, &lead, support).await.unwrap();
        assert!(matches!(settings(&db, &agent, support).await, Err(AppError::Forbidden(_))));

        let mut change = current.settings.clone();
        change.visibility = Visibility::Company;
        change.assignment = Some(AssignmentMethod::RoundRobin);
        change.members = vec![lead.id, agent.id];
        let refused = save_settings(&db, &lead, support, current.version, &change).await;
        assert!(matches!(refused, Err(AppError::Forbidden(_))), "who sees a team is the admins' decision");
        let admin = users::authenticate(&db, "admin@demo.test", seed::DEMO_PASSWORD).await.unwrap();
        let saved = save_settings(&db, &admin, support, current.version, &change).await.unwrap();
        assert_eq!(saved.settings, change);
        assert_eq!(customer_follows().await, 0, "portal users no longer follow the team's tickets");

        let stale = save_settings(&db, &admin, support, current.version, &current.settings).await;
        assert!(matches!(stale, Err(AppError::Conflict(_))));
        let customer = users::authenticate(&db, "customer@demo.test", seed::DEMO_PASSWORD).await.unwrap();
        let bad_member = TeamSettingsInput { members: vec![customer.id], ..change.clone() };
        assert!(matches!(save_settings(&db, &lead, support, saved.version, &bad_member).await, Err(AppError::Invalid(_))));
        let both = TeamSettingsInput { queue_user_id: Some(agent.id), ..change.clone() };
        assert!(matches!(save_settings(&db, &lead, support, saved.version, &both).await, Err(AppError::Invalid(m)) if m.contains("not both")));
        let outsider = TeamSettingsInput { assignment: None, queue_user_id: Some(customer.id), ..change.clone() };
        assert!(matches!(save_settings(&db, &lead, support, saved.version, &outsider).await, Err(AppError::Invalid(_))));
        assert_eq!(settings(&db, &lead, support).await.unwrap().settings, change, "nothing changed");
    }

    #[tokio::test]
    async fn leads_shape_only_teams_they_belong_to() {
        let (db, _dir, lead, agent, support) = setup().await;
        for table in ["team_members", "team_followers"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE team_id = ? AND user_id = ?")).bind(support).bind(lead.id).execute(&db.write).await.unwrap();
        }
        assert!(matches!(settings(&db, &lead, support).await, Err(AppError::Forbidden(_))), "sees Support, does not belong to it");
        assert!(matches!(create_stage(&db, &lead, support, "Mine", StageCategory::New).await, Err(AppError::Forbidden(_))));
        let finance = visible_teams(&db, &lead).await.unwrap().into_iter().find(|t| t.name == "Finance").unwrap().id;
        assert!(settings(&db, &lead, finance).await.is_ok(), "invited to Finance as a follower");
        // A private team the caller is not invited to reads exactly like one that does not exist.
        let as_lead = CurrentUser { role: Role::Lead, ..agent };
        assert_eq!(settings(&db, &as_lead, finance).await, Err(AppError::NotFound(format!("Team {finance} does not exist."))));
    }

    #[tokio::test]
    async fn stage_changes_are_refused_to_agents_and_on_bad_input() {
        let (db, _dir, lead, agent, support) = setup().await;
        let before = names(&db, support).await;
        assert!(matches!(create_stage(&db, &agent, support, "Mine", StageCategory::New).await, Err(AppError::Forbidden(_))));
        assert!(matches!(create_stage(&db, &lead, support, "  ", StageCategory::New).await, Err(AppError::Invalid(_))));
        assert!(matches!(create_stage(&db, &lead, support, "New", StageCategory::New).await, Err(AppError::Invalid(m)) if m.contains("already has")));
        assert!(matches!(create_stage(&db, &lead, 9_999, "Ghost", StageCategory::New).await, Err(AppError::NotFound(_))));
        let first = {
            let mut conn = db.read.acquire().await.unwrap();
            stages_of(&mut conn, support).await.unwrap().remove(0)
        };
        assert!(matches!(rename_stage(&db, &agent, first.id, first.version, "Inbox").await, Err(AppError::Forbidden(_))));
        assert!(matches!(rename_stage(&db, &lead, first.id, first.version, "In Progress").await, Err(AppError::Invalid(_))));
        assert_eq!(names(&db, support).await, before, "nothing changed");
    }
}
