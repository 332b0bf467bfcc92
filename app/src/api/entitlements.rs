//! Entitlements: support contracts of customers.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{Entitlement, EntitlementInput, EntitlementsSetup};

#[server(prefix = "/api", endpoint = "entitlements", input = Json)]
pub async fn load_entitlements() -> Result<EntitlementsSetup, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::entitlements::setup(&state.db, &user).await
}

#[server(prefix = "/api", endpoint = "save_entitlement", input = Json)]
pub async fn save_entitlement(id: Option<i64>, version: Option<i64>, entitlement: EntitlementInput) -> Result<Entitlement, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::entitlements::save(&state.db, &user, id, version, &entitlement).await
}
