use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{RoutingOutcome, RoutingRule, RoutingRuleInput, RoutingSetup};

#[server(prefix = "/api", endpoint = "routing_rules", input = Json)]
pub async fn load_routing_rules() -> Result<RoutingSetup, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::routing::setup(&state.db, &user).await
}

/// Creates a rule (no `id`), or changes one if `version` is still current.
#[server(prefix = "/api", endpoint = "save_routing_rule", input = Json)]
pub async fn save_routing_rule(id: Option<i64>, version: Option<i64>, rule: RoutingRuleInput) -> Result<RoutingRule, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::routing::save(&state.db, &user, id, version, &rule).await
}

#[server(prefix = "/api", endpoint = "delete_routing_rule", input = Json)]
pub async fn delete_routing_rule(id: i64, version: i64) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::routing::delete(&state.db, &user, id, version).await
}

/// Puts a rule at `to_index` (0-based) in the order in which rules are tried.
#[server(prefix = "/api", endpoint = "reorder_routing_rule", input = Json)]
pub async fn reorder_routing_rule(id: i64, version: i64, to_index: i64) -> Result<Vec<RoutingRule>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::routing::reorder(&state.db, &user, id, version, to_index).await
}

/// "Apply routing rules" to selected tickets.
#[server(prefix = "/api", endpoint = "apply_routing_rules", input = Json)]
pub async fn apply_routing_rules(references: Vec<String>) -> Result<RoutingOutcome, AppError> {
    use crate::api::server::{caller, publish};
    use crate::model::BoardChange;

    let (state, user) = caller().await?;
    let (outcome, team_ids) = crate::store::routing::apply(&state.db, &user, &references, chrono::Utc::now()).await?;
    for team_id in team_ids {
        publish(&state, team_id, None, BoardChange::TicketUpdated, &user);
    }
    Ok(outcome)
}
