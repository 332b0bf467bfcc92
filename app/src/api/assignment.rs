use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::TicketCard;

/// Claims the best waiting ticket the caller qualifies for; `None` when there is none.
#[server(prefix = "/api", endpoint = "pull_next", input = Json)]
pub async fn pull_next() -> Result<Option<TicketCard>, AppError> {
    use crate::api::server::{caller, publish};
    use crate::model::BoardChange;

    let (state, user) = caller().await?;
    let pulled = crate::store::assignment::pull_next(&state.db, &user, chrono::Utc::now()).await?;
    if let Some(pulled) = &pulled {
        publish(&state, pulled.team_id, Some(pulled.card.reference.clone()), BoardChange::TicketUpdated, &user);
    }
    Ok(pulled.map(|p| p.card))
}
