//! The customer portal: a customer's own tickets, in the customer projection.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{PortalTicket, PortalTicketRow};

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
