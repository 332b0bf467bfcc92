//! Teams, their visibility, and their pipelines of stages.

use chrono::{DateTime, Utc};

use super::lookup::{managed_team, stage, stages_of, visible_team};
use super::audit::record;
use super::{decode, expect_one_row, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::{templates, validate};
use crate::error::AppError;
use crate::model::{AssignmentMethod, CurrentUser, Named, NewTeam, Role, Stage, StageCategory, StageUse, StagesFrom, TeamSettings, TeamSettingsInput, TeamSummary, Visibility};

/// The audit log's name for teams and their stages.
const AREA: &str = "team";

/// Stage names are unique per team; say so instead of a generic conflict.
fn duplicate_stage_name(error: sqlx::Error, name: &str) -> AppError {
    match AppError::from(error) {
        AppError::Conflict(_) => AppError::Invalid(format!("The team already has a stage named \"{name}\".")),
        other => other,
    }
}

pub async fn insert_stage(conn: &mut Conn, team_id: i64, name: &str, category: StageCategory) -> Result<Stage, AppError> {
    let position: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), -1) + 1 FROM stages WHERE team_id = ?")
        .bind(team_id)
        .fetch_one(&mut *conn)
        .await?;
    // Waiting on the customer stops the SLA clocks unless a lead decides otherwise.
    let id = sqlx::query_scalar::<_, i64>("INSERT INTO stages (team_id, name, category, position, pauses_sla) VALUES (?, ?, ?, ?, ?) RETURNING id")
        .bind(team_id)
        .bind(name)
        .bind(category.as_str())
        .bind(position)
        .bind(category == StageCategory::Waiting)
        .fetch_one(&mut *conn).await
        .map_err(|e| duplicate_stage_name(e, name))?;
    stage(conn, id).await
}

/// Creates a team (admins only) with the stages of a template or a copy of another team's
/// pipeline; its creator becomes a member unless they are an admin (admins see every team anyway).
pub async fn create_team(db: &Db, admin: &CurrentUser, new: &NewTeam, now: DateTime<Utc>) -> Result<TeamSummary, AppError> {
    let mut tx = db.begin_write().await?;
    let created = insert_team(&mut tx, admin, new, now).await?;
    tx.commit().await?;
    Ok(created)
}

pub(crate) async fn insert_team(conn: &mut Conn, admin: &CurrentUser, new: &NewTeam, now: DateTime<Utc>) -> Result<TeamSummary, AppError> {
    access::require(admin, Action::ConfigureInstallation)?;
    let name = validate::team_name(&new.name)?;
    refuse_taken_team_name(conn, &name, None).await?;
    let stages: Vec<(String, StageCategory)> = match new.stages {
        StagesFrom::Template(template) => templates::stages(template).iter().map(|(n, c)| (n.to_string(), *c)).collect(),
        StagesFrom::Team(source) => {
            visible_team(conn, admin, source).await?;
            stages_of(conn, source).await?.into_iter().map(|s| (s.name, s.category)).collect()
        }
    };
    let team_id: i64 = sqlx::query_scalar("INSERT INTO teams (name, visibility) VALUES (?, ?) RETURNING id")
        .bind(&name)
        .bind(new.visibility.as_str())
        .fetch_one(&mut *conn)
        .await
        .map_err(super::name_taken("A team", &name))?;
    for (stage_name, category) in &stages {
        insert_stage(conn, team_id, stage_name, *category).await?;
    }
    record(conn, admin.id, AREA, Some(team_id), now, &format!("Created the team \"{name}\" ({} stages)", stages.len())).await?;
    visible_team(conn, admin, team_id).await
}

/// "Support" and "support" would be told apart by nobody on a board.
async fn refuse_taken_team_name(conn: &mut Conn, name: &str, except: Option<i64>) -> Result<(), AppError> {
    let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM teams WHERE lower(name) = lower(?) AND id IS NOT ?)")
        .bind(name)
        .bind(except)
        .fetch_one(&mut *conn)
        .await?;
    if taken {
        return Err(AppError::Invalid(format!("A team named \"{name}\" already exists.")));
    }
    Ok(())
}

/// Loads a team for a change by someone who manages it, checking the version.
async fn team_for_change(conn: &mut Conn, user: &CurrentUser, team_id: i64, version: i64) -> Result<TeamSummary, AppError> {
    let team = managed_team(conn, user, team_id).await?;
    let current: i64 = sqlx::query_scalar("SELECT version FROM teams WHERE id = ?").bind(team_id).fetch_one(&mut *conn).await?;
    if current != version {
        return Err(AppError::Conflict(format!(
            "The team \"{}\" was changed by someone else in the meantime. The latest version has been loaded.",
            team.name
        )));
    }
    Ok(team)
}

/// Renames a team (admins, and leads of the team).
pub async fn rename_team(db: &Db, user: &CurrentUser, team_id: i64, version: i64, name: &str, now: DateTime<Utc>) -> Result<TeamSummary, AppError> {
    let name = validate::team_name(name)?;
    let mut tx = db.begin_write().await?;
    let team = team_for_change(&mut tx, user, team_id, version).await?;
    refuse_taken_team_name(&mut tx, &name, Some(team_id)).await?;
    sqlx::query("UPDATE teams SET name = ?, version = version + 1 WHERE id = ?")
        .bind(&name)
        .bind(team_id)
        .execute(&mut *tx)
        .await
        .map_err(super::name_taken("A team", &name))?;
    record(&mut tx, user.id, AREA, Some(team_id), now, &format!("Renamed the team \"{}\" to \"{name}\"", team.name)).await?;
    let renamed = visible_team(&mut tx, user, team_id).await?;
    tx.commit().await?;
    Ok(renamed)
}

/// Archives a team, or brings it back (admins, and leads of the team). An archived team takes
/// no new tickets (nor routed ones); its tickets stay on its board for everyone who could see them.
pub async fn set_archived(db: &Db, user: &CurrentUser, team_id: i64, version: i64, archived: bool, now: DateTime<Utc>) -> Result<TeamSummary, AppError> {
    let mut tx = db.begin_write().await?;
    let team = team_for_change(&mut tx, user, team_id, version).await?;
    if team.archived == archived {
        let state = if archived { "archived" } else { "active" };
        return Err(AppError::Invalid(format!("The team \"{}\" is {state} already.", team.name)));
    }
    sqlx::query("UPDATE teams SET archived_at = ?, version = version + 1 WHERE id = ?")
        .bind(archived.then_some(now))
        .bind(team_id)
        .execute(&mut *tx)
        .await?;
    let what = if archived { "Archived" } else { "Restored" };
    record(&mut tx, user.id, AREA, Some(team_id), now, &format!("{what} the team \"{}\"", team.name)).await?;
    let changed = visible_team(&mut tx, user, team_id).await?;
    tx.commit().await?;
    Ok(changed)
}

pub async fn create_stage(db: &Db, user: &CurrentUser, team_id: i64, name: &str, category: StageCategory) -> Result<Stage, AppError> {
    let name = validate::stage_name(name)?;
    let mut tx = db.begin_write().await?;
    managed_team(&mut tx, user, team_id).await?;
    let stage = insert_stage(&mut tx, team_id, &name, category).await?;
    tx.commit().await?;
    Ok(stage)
}

/// Loads a stage for a change by someone allowed to manage its team, checking the version.
async fn stage_for_change(conn: &mut Conn, user: &CurrentUser, stage_id: i64, version: i64) -> Result<Stage, AppError> {
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
    let mut tx = db.begin_write().await?;
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
    let mut tx = db.begin_write().await?;
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
    let mut tx = db.begin_write().await?;
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
    let mut tx = db.begin_write().await?;
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

/// Refuses a stage change while tickets are on the stage: their status follows its category,
/// so they are moved first, by someone who sees where they go.
async fn refuse_if_stage_holds_tickets(conn: &mut Conn, stage: &Stage, change: &str) -> Result<(), AppError> {
    let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE stage_id = ?").bind(stage.id).fetch_one(&mut *conn).await?;
    if tickets > 0 {
        let noun = if tickets == 1 { "ticket" } else { "tickets" };
        return Err(AppError::Invalid(format!(
            "Move the {tickets} {noun} on \"{}\" to another stage first, then {change} it.",
            stage.name
        )));
    }
    Ok(())
}

/// A team keeps at least one open stage, where new tickets arrive.
fn refuse_without_open_stage(stages: &[Stage], name: &str) -> Result<(), AppError> {
    if stages.iter().any(|s| !s.category.is_closing()) {
        Ok(())
    } else {
        Err(AppError::Invalid(format!("\"{name}\" is the team's last open stage: new tickets would have nowhere to go.")))
    }
}

/// Deletes an empty stage (admins, and leads of the team).
pub async fn delete_stage(db: &Db, user: &CurrentUser, stage_id: i64, version: i64, now: DateTime<Utc>) -> Result<Vec<Stage>, AppError> {
    let mut tx = db.begin_write().await?;
    let doomed = stage_for_change(&mut tx, user, stage_id, version).await?;
    refuse_if_stage_holds_tickets(&mut tx, &doomed, "delete").await?;
    let remaining: Vec<Stage> = stages_of(&mut tx, doomed.team_id).await?.into_iter().filter(|s| s.id != stage_id).collect();
    refuse_without_open_stage(&remaining, &doomed.name)?;
    sqlx::query("DELETE FROM stages WHERE id = ?").bind(stage_id).execute(&mut *tx).await?;
    record(&mut tx, user.id, AREA, Some(doomed.team_id), now, &format!("Deleted the stage \"{}\"", doomed.name)).await?;
    let stages = stages_of(&mut tx, doomed.team_id).await?;
    tx.commit().await?;
    Ok(stages)
}

/// Gives an empty stage another category (admins, and leads of the team).
pub async fn set_stage_category(db: &Db, user: &CurrentUser, stage_id: i64, version: i64, category: StageCategory, now: DateTime<Utc>) -> Result<Stage, AppError> {
    let mut tx = db.begin_write().await?;
    let current = stage_for_change(&mut tx, user, stage_id, version).await?;
    if current.category == category {
        return Ok(current);
    }
    refuse_if_stage_holds_tickets(&mut tx, &current, "re-categorise").await?;
    let after: Vec<Stage> = stages_of(&mut tx, current.team_id)
        .await?
        .into_iter()
        .map(|s| if s.id == stage_id { Stage { category, ..s } } else { s })
        .collect();
    refuse_without_open_stage(&after, &current.name)?;
    sqlx::query("UPDATE stages SET category = ?, version = version + 1 WHERE id = ?")
        .bind(category.as_str())
        .bind(stage_id)
        .execute(&mut *tx)
        .await?;
    let summary = format!("Stage \"{}\" is now {}", current.name, category.label());
    record(&mut tx, user.id, AREA, Some(current.team_id), now, &summary).await?;
    let changed = stage(&mut tx, stage_id).await?;
    tx.commit().await?;
    Ok(changed)
}

pub const DESCRIPTION_MAX: usize = 2_000;
pub const MEMBERS_MAX: usize = 500;
pub const FOLLOWERS_MAX: usize = 500;

async fn load_settings(conn: &mut Conn, user: &CurrentUser, team_id: i64) -> Result<TeamSettings, AppError> {
    let (name, description, visibility, assignment, queue_user_id, version, archived): (String, String, String, Option<String>, Option<i64>, i64, bool) =
        sqlx::query_as("SELECT name, description, visibility, assignment_method, queue_user_id, version, archived_at IS NOT NULL FROM teams WHERE id = ?")
            .bind(team_id)
            .fetch_one(&mut *conn)
            .await?;
    let members = sqlx::query_scalar("SELECT user_id FROM team_members WHERE team_id = ? ORDER BY user_id")
        .bind(team_id)
        .fetch_all(&mut *conn)
        .await?;
    let followers = sqlx::query_scalar("SELECT user_id FROM team_followers WHERE team_id = ? ORDER BY user_id")
        .bind(team_id)
        .fetch_all(&mut *conn)
        .await?;
    let contact_follower_names: Vec<Named> = sqlx::query_as(
        "SELECT c.id, c.name FROM team_contact_followers f JOIN contacts c ON c.id = f.contact_id WHERE f.team_id = ? ORDER BY c.name",
    )
    .bind(team_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(id, name)| Named { id, name })
    .collect();
    let people = super::named_list(&mut *conn, &super::staff_sql()).await?;
    let counts: Vec<(i64, i64)> = sqlx::query_as("SELECT stage_id, COUNT(*) FROM tickets WHERE team_id = ? GROUP BY stage_id")
        .bind(team_id)
        .fetch_all(&mut *conn)
        .await?;
    let stages = stages_of(conn, team_id)
        .await?
        .into_iter()
        .map(|stage| {
            let tickets = counts.iter().find(|(id, _)| *id == stage.id).map_or(0, |(_, n)| *n);
            StageUse { stage, tickets }
        })
        .collect();
    Ok(TeamSettings {
        team_id,
        name,
        settings: TeamSettingsInput {
            description,
            visibility: decode(Visibility::parse, &visibility)?,
            assignment: assignment.as_deref().map(|code| decode(AssignmentMethod::parse, code)).transpose()?,
            queue_user_id,
            members,
            followers,
            contact_followers: contact_follower_names.iter().map(|c| c.id).collect(),
        },
        people,
        version,
        can_change_visibility: access::may(user.role, Action::ConfigureInstallation),
        contact_follower_names,
        archived,
        stages,
    })
}

pub async fn settings(db: &Db, user: &CurrentUser, team_id: i64) -> Result<TeamSettings, AppError> {
    let mut conn = db.read.acquire().await?;
    managed_team(&mut conn, user, team_id).await?;
    load_settings(&mut conn, user, team_id).await
}

/// Replaces the team's followers: internal users, portal users of a public team, and contacts.
async fn save_followers(conn: &mut Conn, team_id: i64, input: &TeamSettingsInput) -> Result<(), AppError> {
    for user_id in &input.followers {
        let role: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = ? AND deactivated_at IS NULL").bind(user_id).fetch_optional(&mut *conn).await?;
        let allowed = match role.as_deref().map(Role::parse) {
            Some(Some(Role::Customer)) => input.visibility == Visibility::Public,
            Some(Some(_)) => true,
            _ => false,
        };
        if !allowed {
            return Err(AppError::Invalid(format!("User {user_id} cannot follow this team.")));
        }
    }
    // Contacts hear about the team's tickets, so only a public team's.
    if !input.contact_followers.is_empty() && input.visibility != Visibility::Public {
        return Err(AppError::Invalid("Only a public team can have customer contacts as followers.".into()));
    }
    for contact_id in &input.contact_followers {
        super::lookup::check_exists(&mut *conn, "contacts", "Contact", Some(*contact_id)).await?;
    }
    sqlx::query("DELETE FROM team_followers WHERE team_id = ?").bind(team_id).execute(&mut *conn).await?;
    for user_id in &input.followers {
        sqlx::query("INSERT INTO team_followers (team_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING").bind(team_id).bind(user_id).execute(&mut *conn).await?;
    }
    sqlx::query("DELETE FROM team_contact_followers WHERE team_id = ?").bind(team_id).execute(&mut *conn).await?;
    for contact_id in &input.contact_followers {
        sqlx::query("INSERT INTO team_contact_followers (team_id, contact_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(team_id)
            .bind(contact_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
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
    if input.followers.len() + input.contact_followers.len() > FOLLOWERS_MAX {
        return Err(AppError::Invalid(format!("A team can have at most {FOLLOWERS_MAX} followers.")));
    }
    let mut tx = db.begin_write().await?;
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
    save_followers(&mut tx, team_id, input).await?;
    if input.visibility != Visibility::Public {
        sqlx::query(
            "DELETE FROM ticket_followers WHERE user_id IN (SELECT id FROM users WHERE role = ?)
               AND ticket_id IN (SELECT id FROM tickets WHERE team_id = ?)",
        )
        .bind(Role::Customer.as_str())
        .bind(team_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM team_followers WHERE team_id = ? AND user_id IN (SELECT id FROM users WHERE role = ?)")
            .bind(team_id)
            .bind(Role::Customer.as_str())
            .execute(&mut *tx)
            .await?;
    }
    // Checked after the visibility change, which decides who may work the team.
    super::lookup::check_assignee(&mut tx, input.queue_user_id, team_id).await?;
    let saved = load_settings(&mut tx, user, team_id).await?;
    tx.commit().await?;
    Ok(saved)
}

#[cfg(test)]
#[path = "teams_tests.rs"]
mod tests;
