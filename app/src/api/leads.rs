//! Leads: converting a ticket into a lead, and the *Leads* list (internal users only).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{LeadChoices, LeadInput, LeadRow};

/// The newest leads first, each with the ticket it came from when the caller may see it.
#[server(prefix = "/api", endpoint = "leads", input = Json)]
pub async fn list_leads() -> Result<Vec<LeadRow>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::leads::list(&state.db, &user).await
}

/// The sales teams and salespeople "Convert to lead…" offers.
#[server(prefix = "/api", endpoint = "lead_choices", input = Json)]
pub async fn load_lead_choices() -> Result<LeadChoices, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::leads::choices(&state.db, &user).await
}

/// Converts the ticket (if `version` is still current) into a lead and archives it.
#[server(prefix = "/api", endpoint = "convert_to_lead", input = Json)]
pub async fn convert_to_lead(reference: String, version: i64, lead: LeadInput) -> Result<LeadRow, AppError> {
    use crate::api::server::{caller, publish};
    use crate::model::BoardChange;

    let (state, user) = caller().await?;
    let converted = crate::store::leads::convert(&state.db, &user, &reference, version, &lead, chrono::Utc::now()).await?;
    publish(&state, converted.team_id, Some(reference.trim().to_uppercase()), BoardChange::TicketUpdated, &user);
    Ok(converted.lead)
}
