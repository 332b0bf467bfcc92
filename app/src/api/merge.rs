//! Merging tickets and finding likely duplicates.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{MergeOutcome, MergePreview, PossibleDuplicate};

/// The tickets of a planned merge side by side (2 to 10), with every pair's similarity.
#[server(prefix = "/api", endpoint = "merge_candidates", input = Json)]
pub async fn merge_candidates(references: Vec<String>) -> Result<MergePreview, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::merge::preview(&state.db, &user, &references).await
}

/// Merges `references` (each at its `versions` entry, in the same order) into `survivor`, one
/// of them: the others are closed and point to it.
#[server(prefix = "/api", endpoint = "merge_tickets", input = Json)]
pub async fn merge_tickets(survivor: String, references: Vec<String>, versions: Vec<i64>) -> Result<MergeOutcome, AppError> {
    use crate::api::server::{caller, publish};
    use crate::model::BoardChange;

    let (state, user) = caller().await?;
    let merged = crate::store::merge::merge(&state.db, &user, &survivor, &references, &versions, chrono::Utc::now()).await?;
    for team_id in merged.team_ids {
        publish(&state, team_id, None, BoardChange::TicketUpdated, &user);
    }
    Ok(merged.outcome)
}

/// Up to five open tickets of teams the caller sees that look like this one, best first.
#[server(prefix = "/api", endpoint = "possible_duplicates", input = Json)]
pub async fn possible_duplicates(reference: String) -> Result<Vec<PossibleDuplicate>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::merge::possible_duplicates(&state.db, &user, &reference).await
}
