//! Teams, their visibility, and their pipelines of stages.

use chrono::{DateTime, Utc};

use super::lookup::{managed_team, stage, stages_of, visible_team};
use super::{decode, expect_one_row, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::{templates, validate};
use crate::error::AppError;
use crate::model::{AssignmentMethod, CurrentUser, Role, Stage, StageCategory, TeamSettings, TeamSettingsInput, TeamSummary, TeamTemplate, Visibility};

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

/// Creates a team (admins only) with the stages of `template`; its creator becomes a member
/// unless they are an admin (admins see every team anyway).
pub async fn create_team(db: &Db, admin: &CurrentUser, name: &str, visibility: Visibility, template: TeamTemplate) -> Result<TeamSummary, AppError> {
    access::require(admin, Action::ConfigureInstallation)?;
    let name = validate::team_name(name)?;
    let mut tx = db.begin_write().await?;
    // "Support" and "support" would be told apart by nobody on a board.
    let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM teams WHERE lower(name) = lower(?))").bind(&name).fetch_one(&mut *tx).await?;
    if taken {
        return Err(AppError::Invalid(format!("A team named \"{name}\" already exists.")));
    }
    let team_id: i64 = sqlx::query_scalar("INSERT INTO teams (name, visibility) VALUES (?, ?) RETURNING id")
        .bind(&name)
        .bind(visibility.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(super::name_taken("A team", &name))?;
    for (stage_name, category) in templates::stages(template) {
        insert_stage(&mut tx, team_id, stage_name, *category).await?;
    }
    let created = visible_team(&mut tx, admin, team_id).await?;
    tx.commit().await?;
    Ok(created)
}

/// Archives a team (admins only): it takes no new tickets (nor routed ones), and its tickets
/// stay on its board for everyone who could see them.
pub async fn archive_team(db: &Db, admin: &CurrentUser, team_id: i64, version: i64, now: DateTime<Utc>) -> Result<TeamSummary, AppError> {
    access::require(admin, Action::ConfigureInstallation)?;
    let mut tx = db.begin_write().await?;
    let team = visible_team(&mut tx, admin, team_id).await?;
    if team.archived {
        return Err(AppError::Invalid(format!("The team \"{}\" is archived already.", team.name)));
    }
    let affected = sqlx::query("UPDATE teams SET archived_at = ?, version = version + 1 WHERE id = ? AND version = ?")
        .bind(now)
        .bind(team_id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    expect_one_row(affected, &format!("The team \"{}\"", team.name))?;
    let archived = visible_team(&mut tx, admin, team_id).await?;
    tx.commit().await?;
    Ok(archived)
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

pub const DESCRIPTION_MAX: usize = 2_000;
pub const MEMBERS_MAX: usize = 500;

async fn load_settings(conn: &mut Conn, user: &CurrentUser, team_id: i64) -> Result<TeamSettings, AppError> {
    let (name, description, visibility, assignment, queue_user_id, version): (String, String, String, Option<String>, Option<i64>, i64) =
        sqlx::query_as("SELECT name, description, visibility, assignment_method, queue_user_id, version FROM teams WHERE id = ?")
            .bind(team_id)
            .fetch_one(&mut *conn)
            .await?;
    let members = sqlx::query_scalar("SELECT user_id FROM team_members WHERE team_id = ? ORDER BY user_id")
        .bind(team_id)
        .fetch_all(&mut *conn)
        .await?;
    let people = super::named_list(&mut *conn, &super::staff_sql()).await?;
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
