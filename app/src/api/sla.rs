//! SLA: calendars, priority codes and policies.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{Calendar, CalendarInput, Priority, PriorityCodeInput, SlaPolicyInput, SlaSetup};

#[server(prefix = "/api", endpoint = "sla_setup", input = Json)]
pub async fn load_sla_setup() -> Result<SlaSetup, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::sla_setup::setup(&state.db, &user).await
}

/// Creates a calendar (no `id`), or changes one if `version` is still current; open clocks on
/// it are recalculated in the background.
#[server(prefix = "/api", endpoint = "save_calendar", input = Json)]
pub async fn save_calendar(id: Option<i64>, version: Option<i64>, calendar: CalendarInput) -> Result<Calendar, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let saved = crate::store::sla_setup::save_calendar(&state.db, &user, id, version, &calendar, chrono::Utc::now()).await?;
    state.run_sla_work();
    Ok(saved)
}

#[server(prefix = "/api", endpoint = "save_priority_code", input = Json)]
pub async fn save_priority_code(priority: Priority, version: i64, code: PriorityCodeInput) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::sla_setup::save_priority_code(&state.db, &user, priority, version, &code, chrono::Utc::now()).await?;
    state.run_sla_work();
    Ok(())
}

/// Creates a policy (no `id`) or changes one; open tickets are recalculated in the background.
#[server(prefix = "/api", endpoint = "save_sla_policy", input = Json)]
pub async fn save_sla_policy(id: Option<i64>, version: Option<i64>, policy: SlaPolicyInput) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::sla_setup::save_policy(&state.db, &user, id, version, &policy, chrono::Utc::now()).await?;
    state.run_sla_work();
    Ok(())
}

#[server(prefix = "/api", endpoint = "delete_sla_policy", input = Json)]
pub async fn delete_sla_policy(id: i64, version: i64) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::sla_setup::delete_policy(&state.db, &user, id, version, chrono::Utc::now()).await?;
    state.run_sla_work();
    Ok(())
}
