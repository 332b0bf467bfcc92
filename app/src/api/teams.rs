//! Teams: the teams a user sees, their stages and settings.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{NewTeam, Stage, StageCategory, TeamSettings, TeamSettingsInput, TeamSummary};

#[server(prefix = "/api", endpoint = "teams", input = Json)]
pub async fn list_teams() -> Result<Vec<TeamSummary>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::lookup::visible_teams(&state.db, &user).await
}

#[cfg(feature = "ssr")]
fn stages_changed(state: &crate::state::AppState, team_id: i64, user: &crate::model::CurrentUser) {
    crate::api::server::publish(state, team_id, None, crate::model::BoardChange::StagesChanged, user);
}

#[server(prefix = "/api", endpoint = "create_stage", input = Json)]
pub async fn create_stage(team_id: i64, name: String, category: StageCategory) -> Result<Stage, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let stage = crate::store::teams::create_stage(&state.db, &user, team_id, &name, category).await?;
    stages_changed(&state, team_id, &user);
    Ok(stage)
}

#[server(prefix = "/api", endpoint = "rename_stage", input = Json)]
pub async fn rename_stage(stage_id: i64, version: i64, name: String) -> Result<Stage, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let stage = crate::store::teams::rename_stage(&state.db, &user, stage_id, version, &name).await?;
    stages_changed(&state, stage.team_id, &user);
    Ok(stage)
}

#[server(prefix = "/api", endpoint = "fold_stage", input = Json)]
pub async fn fold_stage(stage_id: i64, version: i64, folded: bool) -> Result<Stage, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let stage = crate::store::teams::set_stage_folded(&state.db, &user, stage_id, version, folded).await?;
    stages_changed(&state, stage.team_id, &user);
    Ok(stage)
}

/// Puts a stage at `to_index` (0-based) in its pipeline.
#[server(prefix = "/api", endpoint = "reorder_stage", input = Json)]
pub async fn reorder_stage(stage_id: i64, version: i64, to_index: i64) -> Result<Vec<Stage>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let stages = crate::store::teams::reorder_stage(&state.db, &user, stage_id, version, to_index).await?;
    if let Some(first) = stages.first() {
        stages_changed(&state, first.team_id, &user);
    }
    Ok(stages)
}

#[server(prefix = "/api", endpoint = "get_team_settings", input = Json)]
pub async fn get_team_settings(team_id: i64) -> Result<TeamSettings, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::teams::settings(&state.db, &user, team_id).await
}

/// Saves description, visibility, automatic assignment and members, if `version` is current.
#[server(prefix = "/api", endpoint = "save_team_settings", input = Json)]
pub async fn save_team_settings(team_id: i64, version: i64, settings: TeamSettingsInput) -> Result<TeamSettings, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let saved = crate::store::teams::save_settings(&state.db, &user, team_id, version, &settings).await?;
    stages_changed(&state, team_id, &user);
    Ok(saved)
}

/// Marks a stage as pausing SLA clocks (e.g. waiting on the customer), or not.
#[server(prefix = "/api", endpoint = "set_stage_pausing", input = Json)]
pub async fn set_stage_pausing(stage_id: i64, version: i64, pauses: bool) -> Result<Stage, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let stage = crate::store::teams::set_stage_pausing(&state.db, &user, stage_id, version, pauses, chrono::Utc::now()).await?;
    stages_changed(&state, stage.team_id, &user);
    Ok(stage)
}

/// Creates a team (admins) with stages from a template or copied from another team.
#[server(prefix = "/api", endpoint = "create_team", input = Json)]
pub async fn create_team(team: NewTeam) -> Result<TeamSummary, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::teams::create_team(&state.db, &user, &team, chrono::Utc::now()).await
}

#[server(prefix = "/api", endpoint = "rename_team", input = Json)]
pub async fn rename_team(team_id: i64, version: i64, name: String) -> Result<TeamSummary, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let renamed = crate::store::teams::rename_team(&state.db, &user, team_id, version, &name, chrono::Utc::now()).await?;
    stages_changed(&state, team_id, &user);
    Ok(renamed)
}

/// Archives a team (no new tickets; its tickets stay readable) or brings it back.
#[server(prefix = "/api", endpoint = "set_team_archived", input = Json)]
pub async fn set_team_archived(team_id: i64, version: i64, archived: bool) -> Result<TeamSummary, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let changed = crate::store::teams::set_archived(&state.db, &user, team_id, version, archived, chrono::Utc::now()).await?;
    stages_changed(&state, team_id, &user);
    Ok(changed)
}

/// Deletes a stage that holds no tickets.
#[server(prefix = "/api", endpoint = "delete_stage", input = Json)]
pub async fn delete_stage(stage_id: i64, version: i64) -> Result<Vec<Stage>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let stages = crate::store::teams::delete_stage(&state.db, &user, stage_id, version, chrono::Utc::now()).await?;
    if let Some(first) = stages.first() {
        stages_changed(&state, first.team_id, &user);
    }
    Ok(stages)
}

/// Gives a stage that holds no tickets another category.
#[server(prefix = "/api", endpoint = "set_stage_category", input = Json)]
pub async fn set_stage_category(stage_id: i64, version: i64, category: StageCategory) -> Result<Stage, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let stage = crate::store::teams::set_stage_category(&state.db, &user, stage_id, version, category, chrono::Utc::now()).await?;
    stages_changed(&state, stage.team_id, &user);
    Ok(stage)
}
