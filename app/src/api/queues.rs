use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{Named, QueuesOverview, TicketCard};

#[server(prefix = "/api", endpoint = "queues", input = Json)]
pub async fn load_queues() -> Result<QueuesOverview, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::queues::overview(&state.db, &user).await
}

#[server(prefix = "/api", endpoint = "create_queue", input = Json)]
pub async fn create_queue(name: String, description: String) -> Result<Named, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::queues::create(&state.db, &user, &name, &description).await
}

#[server(prefix = "/api", endpoint = "save_queue_members", input = Json)]
pub async fn save_queue_members(queue_id: i64, version: i64, members: Vec<i64>) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::queues::save_members(&state.db, &user, queue_id, version, &members).await
}

/// A queue's name and its open tickets, in the order pull-next hands them out.
#[server(prefix = "/api", endpoint = "queue_tickets", input = Json)]
pub async fn queue_tickets(queue_id: i64) -> Result<(Named, Vec<TicketCard>), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::queues::tickets_in(&state.db, &user, queue_id, chrono::Utc::now()).await
}

/// Adds (`add = true`) or removes the selected tickets to or from a queue; returns how many changed.
#[server(prefix = "/api", endpoint = "change_queue", input = Json)]
pub async fn change_queue(queue_id: i64, references: Vec<String>, add: bool) -> Result<usize, AppError> {
    use crate::api::server::{caller, publish};
    use crate::model::BoardChange;

    let (state, user) = caller().await?;
    let (changed, team_ids) = crate::store::queues::change_membership(&state.db, &user, queue_id, &references, add, chrono::Utc::now()).await?;
    for team_id in team_ids {
        publish(&state, team_id, None, BoardChange::TicketUpdated, &user);
    }
    Ok(changed)
}
