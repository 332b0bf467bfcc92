//! Events logged on tickets, and a returning customer's request added to their open ticket.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{CustomerChoice, OpenTicketRef, RequestAsEvent, TicketEvent, TicketEventInput, TicketEvents};

#[server(prefix = "/api", endpoint = "ticket_events", input = Json)]
pub async fn get_ticket_events(reference: String) -> Result<TicketEvents, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::ticket_events::ticket_events(&state.db, &user, &reference).await
}

#[server(prefix = "/api", endpoint = "log_ticket_event", input = Json)]
pub async fn log_ticket_event(reference: String, event: TicketEventInput) -> Result<TicketEvent, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::ticket_events::log_event(&state.db, &user, &reference, &event, chrono::Utc::now()).await
}

/// The open tickets of the customer chosen on the new-ticket form.
#[server(prefix = "/api", endpoint = "customer_open_tickets", input = Json)]
pub async fn customer_open_tickets(customer: CustomerChoice) -> Result<Vec<OpenTicketRef>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::ticket_events::open_tickets_of(&state.db, &user, customer).await
}

/// "Add as an event to HD-…": the request becomes an event on that open ticket.
#[server(prefix = "/api", endpoint = "add_as_event", input = Json)]
pub async fn add_as_event(reference: String, request: RequestAsEvent) -> Result<TicketEvent, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::ticket_events::add_request_as_event(&state.db, &user, &reference, &request, chrono::Utc::now()).await
}
