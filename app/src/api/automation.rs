//! Automation rules.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{AutomationRule, AutomationRuleInput, AutomationSetup};

#[server(prefix = "/api", endpoint = "automation_rules", input = Json)]
pub async fn load_automation_rules() -> Result<AutomationSetup, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::automation::setup(&state.db, &user).await
}

/// Creates a rule (no `id`), or changes one if `version` is still current.
#[server(prefix = "/api", endpoint = "save_automation_rule", input = Json)]
pub async fn save_automation_rule(id: Option<i64>, version: Option<i64>, rule: AutomationRuleInput) -> Result<AutomationRule, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::automation::save(&state.db, &user, id, version, &rule).await
}

#[server(prefix = "/api", endpoint = "delete_automation_rule", input = Json)]
pub async fn delete_automation_rule(id: i64, version: i64) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::automation::delete(&state.db, &user, id, version).await
}
