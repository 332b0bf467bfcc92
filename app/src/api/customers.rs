//! Customers: searching, listing and editing accounts and contacts, merging duplicate contacts,
//! and the customer card of a ticket.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{
    AccountDetail, AccountInput, AccountRow, ContactDetail, ContactInput, ContactRow, CustomerCard, CustomerHit, CustomerPage, Named,
};

#[server(prefix = "/api", endpoint = "search_customers", input = Json)]
pub async fn search_customers(query: String) -> Result<Vec<CustomerHit>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::customers::search(&state.db, &user, &query).await
}

#[server(prefix = "/api", endpoint = "list_accounts", input = Json)]
pub async fn list_accounts(query: String, offset: i64) -> Result<CustomerPage<AccountRow>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::customers::list_accounts(&state.db, &user, &query, offset).await
}

#[server(prefix = "/api", endpoint = "list_contacts", input = Json)]
pub async fn list_contacts(query: String, offset: i64) -> Result<CustomerPage<ContactRow>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::customers::list_contacts(&state.db, &user, &query, offset).await
}

#[server(prefix = "/api", endpoint = "account_choices", input = Json)]
pub async fn account_choices() -> Result<Vec<Named>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::customers::account_choices(&state.db, &user).await
}

#[server(prefix = "/api", endpoint = "get_account", input = Json)]
pub async fn get_account(id: i64) -> Result<AccountDetail, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::customers::account(&state.db, &user, id, chrono::Utc::now()).await
}

#[server(prefix = "/api", endpoint = "get_contact", input = Json)]
pub async fn get_contact(id: i64) -> Result<ContactDetail, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::customers::contact(&state.db, &user, id).await
}

/// Creates an account (no `id`), or changes one if `version` is still current.
#[server(prefix = "/api", endpoint = "save_account", input = Json)]
pub async fn save_account(id: Option<i64>, version: Option<i64>, account: AccountInput) -> Result<AccountDetail, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::customers::save_account(&state.db, &user, id, version, &account, chrono::Utc::now()).await
}

/// Creates a contact (no `id`), or changes one if `version` is still current.
#[server(prefix = "/api", endpoint = "save_contact", input = Json)]
pub async fn save_contact(id: Option<i64>, version: Option<i64>, contact: ContactInput) -> Result<ContactDetail, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::customers::save_contact(&state.db, &user, id, version, &contact, chrono::Utc::now()).await
}

/// Merges the duplicate contact into the kept one (both at their current versions).
#[server(prefix = "/api", endpoint = "merge_contacts", input = Json)]
pub async fn merge_contacts(keep_id: i64, keep_version: i64, duplicate_id: i64, duplicate_version: i64) -> Result<ContactDetail, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let (merged, boards) =
        crate::store::customers::merge_contacts(&state.db, &user, (keep_id, keep_version), (duplicate_id, duplicate_version), chrono::Utc::now()).await?;
    // Moved tickets have a new version: open boards reload them instead of saving stale ones.
    for team_id in boards {
        crate::api::server::publish(&state, team_id, None, crate::model::BoardChange::TicketUpdated, &user);
    }
    Ok(merged)
}

#[server(prefix = "/api", endpoint = "customer_card", input = Json)]
pub async fn load_customer_card(reference: String) -> Result<Option<CustomerCard>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::customers::customer_card(&state.db, &user, &reference, chrono::Utc::now()).await
}
