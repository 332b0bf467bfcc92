use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{PullSource, TicketCard};

/// Claims the best waiting ticket the caller qualifies for from `source` (all their teams when
/// left out); `None` when there is none.
#[server(prefix = "/api", endpoint = "pull_next", input = Json)]
pub async fn pull_next(source: Option<PullSource>) -> Result<Option<TicketCard>, AppError> {
    use crate::api::server::{caller, publish};
    use crate::model::BoardChange;

    let (state, user) = caller().await?;
    let pulled = crate::store::assignment::pull_next(&state.db, &user, source.unwrap_or(PullSource::MyTeams), chrono::Utc::now()).await?;
    if let Some(pulled) = &pulled {
        publish(&state, pulled.team_id, Some(pulled.card.reference.clone()), BoardChange::TicketUpdated, &user);
    }
    Ok(pulled.map(|p| p.card))
}
