//! Catalogs (issue 11): admins keep subjects, reason codes, products, units, unit types, regions
//! and service types. Priority codes are saved with the SLA settings (`api::sla`).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{Catalog, CatalogListing, CatalogValue, CatalogValueInput};

/// Every value of the catalog, deactivated ones included.
#[server(prefix = "/api", endpoint = "catalog", input = Json)]
pub async fn load_catalog(catalog: Catalog) -> Result<CatalogListing, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::catalogs::listing(&state.db, &user, catalog).await
}

/// Adds a value (no `id`), or renames, moves or edits one whose `version` is still current.
#[server(prefix = "/api", endpoint = "save_catalog_value", input = Json)]
pub async fn save_catalog_value(catalog: Catalog, id: Option<i64>, version: Option<i64>, value: CatalogValueInput) -> Result<CatalogValue, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::catalogs::save(&state.db, &user, catalog, id, version, &value, chrono::Utc::now()).await
}

/// Deactivates a value (no longer offered; tickets keep it) or reactivates it.
#[server(prefix = "/api", endpoint = "set_catalog_value_active", input = Json)]
pub async fn set_catalog_value_active(catalog: Catalog, id: i64, version: i64, active: bool) -> Result<CatalogValue, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::catalogs::set_active(&state.db, &user, catalog, id, version, active, chrono::Utc::now()).await
}

/// Deletes a value that nothing uses; one in use is refused with the advice to deactivate it.
#[server(prefix = "/api", endpoint = "delete_catalog_value", input = Json)]
pub async fn delete_catalog_value(catalog: Catalog, id: i64, version: i64) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::catalogs::delete(&state.db, &user, catalog, id, version, chrono::Utc::now()).await
}
