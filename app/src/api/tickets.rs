use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{CustomerHit, PortalTicket, PortalTicketRow, TicketCard, TicketDetail, TicketFormOptions, TicketInput};

#[server(prefix = "/api", endpoint = "create_ticket", input = Json)]
pub async fn create_ticket(input: TicketInput) -> Result<TicketCard, AppError> {
    use crate::api::server::{caller, publish};
    use crate::model::BoardChange;

    let (state, user) = caller().await?;
    let card = crate::store::tickets::create(&state.db, &user, &input, chrono::Utc::now()).await?;
    publish(&state, card.team_id, Some(card.reference.clone()), BoardChange::TicketCreated, &user);
    Ok(card)
}

/// The staff view of a ticket; customers read theirs through `portal_ticket`.
#[server(prefix = "/api", endpoint = "ticket", input = Json)]
pub async fn get_ticket(reference: String) -> Result<TicketDetail, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::tickets::get(&state.db, &user, &reference, chrono::Utc::now()).await
}

/// A ticket as its customer sees it.
#[server(prefix = "/api", endpoint = "portal_ticket", input = Json)]
pub async fn load_portal_ticket(reference: String) -> Result<PortalTicket, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::portal::ticket(&state.db, &user, &reference).await
}

/// The tickets the caller follows, for the customer portal.
#[server(prefix = "/api", endpoint = "my_tickets", input = Json)]
pub async fn my_tickets() -> Result<Vec<PortalTicketRow>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::portal::my_tickets(&state.db, &user).await
}

/// Saves every editable field at once, if `version` is still current.
#[server(prefix = "/api", endpoint = "update_ticket", input = Json)]
pub async fn update_ticket(reference: String, version: i64, input: TicketInput) -> Result<TicketDetail, AppError> {
    Ok(save_ticket(reference, version, input, false).await?.0)
}

/// "Save & route": saves, then applies the routing rules; also says which rule matched.
#[server(prefix = "/api", endpoint = "save_and_route", input = Json)]
pub async fn save_and_route(reference: String, version: i64, input: TicketInput) -> Result<(TicketDetail, Option<String>), AppError> {
    save_ticket(reference, version, input, true).await
}

#[cfg(feature = "ssr")]
async fn save_ticket(reference: String, version: i64, input: TicketInput, route: bool) -> Result<(TicketDetail, Option<String>), AppError> {
    use crate::api::server::{caller, publish};
    use crate::model::BoardChange;

    let (state, user) = caller().await?;
    let updated = crate::store::tickets::update(&state.db, &user, &reference, version, &input, route, chrono::Utc::now()).await?;
    for team_id in updated.team_ids {
        publish(&state, team_id, Some(updated.detail.reference.clone()), BoardChange::TicketUpdated, &user);
    }
    Ok((updated.detail, updated.routed_by))
}

#[server(prefix = "/api", endpoint = "form_choices", input = Json)]
pub async fn form_choices() -> Result<TicketFormOptions, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::tickets::form_options(&state.db, &user, chrono::Utc::now()).await
}

#[server(prefix = "/api", endpoint = "search_customers", input = Json)]
pub async fn search_customers(query: String) -> Result<Vec<CustomerHit>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::customers::search(&state.db, &user, &query).await
}
