//! The installation: its first-run setup and its name and time zone.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{AuditEntry, Organisation, SetupInput, TeamSummary};

#[server(prefix = "/api", endpoint = "organisation", input = Json)]
pub async fn get_organisation() -> Result<Option<Organisation>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::organisation::get(&state.db, &user).await
}

/// The first admin's setup, once: organisation name, time zone and the first team.
#[server(prefix = "/api", endpoint = "complete_setup", input = Json)]
pub async fn complete_setup(setup: SetupInput) -> Result<TeamSummary, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::organisation::complete_setup(&state.db, &user, &setup, chrono::Utc::now()).await
}

#[server(prefix = "/api", endpoint = "save_organisation", input = Json)]
pub async fn save_organisation(version: i64, name: String, time_zone: String) -> Result<Organisation, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::organisation::save(&state.db, &user, version, &name, &time_zone, chrono::Utc::now()).await
}

/// The newest audit entries (admins) of one area such as `team` or `user`; all with `""`.
#[server(prefix = "/api", endpoint = "audit_log", input = Json)]
pub async fn audit_log(area: String) -> Result<Vec<AuditEntry>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    if area.chars().count() > 40 {
        return Err(AppError::Invalid("That is not an area of the audit log.".into()));
    }
    crate::store::audit::entries(&state.db, &user, (!area.is_empty()).then_some(area.as_str()), None).await
}
