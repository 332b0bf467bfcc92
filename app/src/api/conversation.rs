//! A ticket's conversation: posting, editing and deleting messages, followers, muting, and the
//! "is typing" hint.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{FollowerRef, NewMessage, TicketFollowers};

/// Posts a reply to the customer or an internal note (customers: replies only).
#[server(prefix = "/api", endpoint = "post_message", input = Json)]
pub async fn post_message(reference: String, message: NewMessage) -> Result<(), AppError> {
    use crate::api::server::{caller, publish};
    use crate::model::{BoardChange, MessageKind};
    use crate::state::{TicketChange, TicketSignal};

    let (state, user) = caller().await?;
    let posted = crate::store::conversation::post(&state.db, &user, &reference, &message, chrono::Utc::now()).await?;
    let change = if posted.kind == MessageKind::Note { TicketChange::StaffOnly } else { TicketChange::Changed };
    state.signal_ticket(TicketSignal { ticket_id: posted.ticket_id, change });
    // A reply may move the card (status rules) and changes its SLA timer.
    publish(&state, posted.team_id, Some(posted.reference), BoardChange::TicketUpdated, &user);
    state.notify_users(&posted.notified);
    Ok(())
}

#[cfg(feature = "ssr")]
fn signal(state: &crate::state::AppState, touched: crate::store::conversation::Touched) {
    use crate::state::{TicketChange, TicketSignal};

    let change = if touched.customer_visible { TicketChange::Changed } else { TicketChange::StaffOnly };
    state.signal_ticket(TicketSignal { ticket_id: touched.ticket_id, change });
}

/// Rewrites one's message, if `version` is still current; the earlier wording is kept.
#[server(prefix = "/api", endpoint = "edit_message", input = Json)]
pub async fn edit_message(reference: String, message_id: i64, version: i64, body: String) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let touched = crate::store::conversation::edit(&state.db, &user, &reference, message_id, version, &body, chrono::Utc::now()).await?;
    signal(&state, touched);
    Ok(())
}

#[server(prefix = "/api", endpoint = "delete_message", input = Json)]
pub async fn delete_message(reference: String, message_id: i64, version: i64) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let touched = crate::store::conversation::delete(&state.db, &user, &reference, message_id, version, chrono::Utc::now()).await?;
    signal(&state, touched);
    Ok(())
}

#[server(prefix = "/api", endpoint = "ticket_followers", input = Json)]
pub async fn load_followers(reference: String) -> Result<TicketFollowers, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::conversation::followers(&state.db, &user, &reference).await
}

#[server(prefix = "/api", endpoint = "add_follower", input = Json)]
pub async fn add_follower(reference: String, follower: FollowerRef) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let touched = crate::store::conversation::add_follower(&state.db, &user, &reference, follower, chrono::Utc::now()).await?;
    signal(&state, touched);
    Ok(())
}

#[server(prefix = "/api", endpoint = "remove_follower", input = Json)]
pub async fn remove_follower(reference: String, follower: FollowerRef) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    let touched = crate::store::conversation::remove_follower(&state.db, &user, &reference, follower, chrono::Utc::now()).await?;
    signal(&state, touched);
    Ok(())
}

/// Mutes (or unmutes) the ticket's message notifications for the caller.
#[server(prefix = "/api", endpoint = "mute_ticket", input = Json)]
pub async fn mute_ticket(reference: String, muted: bool) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::conversation::set_muted(&state.db, &user, &reference, muted).await
}

/// The caller is typing a message on the ticket: the others who have it open see a hint for a
/// few seconds.
#[server(prefix = "/api", endpoint = "typing", input = Json)]
pub async fn typing(reference: String) -> Result<(), AppError> {
    use crate::presence::TYPING_SHOWN;
    use crate::state::{TicketChange, TicketSignal};

    let (state, user) = crate::api::server::caller().await?;
    if !user.role.is_internal() {
        return Ok(());
    }
    let ticket_id = crate::store::conversation::watchable(&state.db, &user, &reference).await?;
    if state.presence.typing(ticket_id, user.id, std::time::Instant::now()) {
        let signal = TicketSignal { ticket_id, change: TicketChange::Presence };
        state.signal_ticket(signal);
        // Once the hint has faded, the pages hear again so that it disappears.
        let later = state.clone();
        tokio::spawn(async move {
            tokio::time::sleep(TYPING_SHOWN).await;
            later.signal_ticket(signal);
        });
    }
    Ok(())
}
