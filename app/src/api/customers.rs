//! Customers: searching accounts and contacts.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::CustomerHit;

#[server(prefix = "/api", endpoint = "search_customers", input = Json)]
pub async fn search_customers(query: String) -> Result<Vec<CustomerHit>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::customers::search(&state.db, &user, &query).await
}
