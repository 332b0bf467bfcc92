//! Tickets: the board, creating, editing, moving, routing and picking up tickets.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{
    Board, BoardView, ColumnLimit, PullSource, ResolutionInput, ResolutionPrompt, RoutingOutcome, TicketCard, TicketDetail, TicketFormOptions, TicketInput,
};

/// A team's board; `limits` asks for more cards in some columns ("show more"); `view` (optional:
/// manual order, every ticket) orders by SLA urgency and narrows to tickets at risk.
#[server(prefix = "/api", endpoint = "board", input = Json)]
pub async fn get_board(team_id: i64, limits: Vec<ColumnLimit>, #[server(default)] view: BoardView) -> Result<Board, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::board::board(&state.db, &user, team_id, &limits, view, chrono::Utc::now()).await
}

/// Moves a card to `stage_id`, before the card `before` (or last), if `version` is still current.
/// Moving into a solved stage needs a `resolution` (code and note; optional for other moves).
#[server(prefix = "/api", endpoint = "move_ticket", input = Json)]
pub async fn move_ticket(
    reference: String,
    version: i64,
    stage_id: i64,
    before: Option<String>,
    #[server(default)] resolution: Option<ResolutionInput>,
) -> Result<TicketCard, AppError> {
    use crate::api::server::{caller, publish};
    use crate::model::BoardChange;

    let (state, user) = caller().await?;
    let now = chrono::Utc::now();
    let moved = crate::store::tickets::move_to_stage(&state.db, &user, &reference, version, stage_id, before.as_deref(), resolution.as_ref(), now).await?;
    publish(&state, moved.team_id, Some(moved.card.reference.clone()), BoardChange::TicketMoved, &user);
    Ok(moved.card)
}

/// What the resolution dialog offers for the ticket: the specific codes and its open children.
#[server(prefix = "/api", endpoint = "resolution_prompt", input = Json)]
pub async fn load_resolution_prompt(reference: String) -> Result<ResolutionPrompt, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::resolutions::prompt(&state.db, &user, &reference).await
}

/// "Create child ticket": a ticket titled `title` under `parent`, for its team and customer.
#[server(prefix = "/api", endpoint = "create_child_ticket", input = Json)]
pub async fn create_child_ticket(parent: String, title: String) -> Result<TicketCard, AppError> {
    use crate::api::server::{caller, publish};
    use crate::model::BoardChange;

    let (state, user) = caller().await?;
    let card = crate::store::tickets::create_child(&state.db, &user, &parent, &title, chrono::Utc::now()).await?;
    publish(&state, card.team_id, Some(card.reference.clone()), BoardChange::TicketCreated, &user);
    Ok(card)
}

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

#[server(prefix = "/api", endpoint = "form_choices", input = Json)]
pub async fn form_choices() -> Result<TicketFormOptions, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::tickets::form_options(&state.db, &user, chrono::Utc::now()).await
}

/// "Apply routing rules" to selected tickets.
#[server(prefix = "/api", endpoint = "apply_routing_rules", input = Json)]
pub async fn apply_routing_rules(references: Vec<String>) -> Result<RoutingOutcome, AppError> {
    use crate::api::server::{caller, publish};
    use crate::model::BoardChange;

    let (state, user) = caller().await?;
    let (outcome, team_ids) = crate::store::tickets::apply_routing(&state.db, &user, &references, chrono::Utc::now()).await?;
    for team_id in team_ids {
        publish(&state, team_id, None, BoardChange::TicketUpdated, &user);
    }
    Ok(outcome)
}

/// Claims the best waiting ticket the caller qualifies for from `source` (all their teams when
/// left out); `None` when there is none.
#[server(prefix = "/api", endpoint = "pull_next", input = Json)]
pub async fn pull_next(source: Option<PullSource>) -> Result<Option<TicketCard>, AppError> {
    use crate::api::server::{caller, publish};
    use crate::model::BoardChange;

    let (state, user) = caller().await?;
    let pulled = crate::store::pull::pull_next(&state.db, &user, source.unwrap_or(PullSource::MyTeams), chrono::Utc::now()).await?;
    if let Some(pulled) = &pulled {
        publish(&state, pulled.team_id, Some(pulled.card.reference.clone()), BoardChange::TicketUpdated, &user);
    }
    Ok(pulled.map(|p| p.card))
}
