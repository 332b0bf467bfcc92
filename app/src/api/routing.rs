//! Routing rules.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{RoutingRule, RoutingRuleInput, RoutingSetup};

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
