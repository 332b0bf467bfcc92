//! Background work of the server.

use std::time::Duration;

use app::model::{BoardChange, BoardEvent};
use app::state::AppState;
use app::store::{assignment, automation};

/// How often waiting tickets are offered again to teams with automatic assignment.
const ASSIGN_WAITING_EVERY: Duration = Duration::from_secs(20);

/// Assigns waiting tickets as soon as somebody is available, and tells the open boards.
pub async fn assign_waiting_tickets(state: AppState) {
    let mut ticks = tokio::time::interval(ASSIGN_WAITING_EVERY);
    loop {
        ticks.tick().await;
        match assignment::assign_waiting(&state.db, chrono::Utc::now()).await {
            Ok(assigned) => {
                for pulled in assigned {
                    state.publish(BoardEvent {
                        team_id: pulled.team_id,
                        reference: Some(pulled.card.reference),
                        change: BoardChange::TicketUpdated,
                        actor_id: None,
                    });
                }
            }
            Err(error) => tracing::error!(%error, "assigning waiting tickets failed"),
        }
    }
}

/// How often "no update for N hours" automation rules look for quiet tickets.
const QUIET_RULES_EVERY: Duration = Duration::from_secs(60);

/// Fires time-based automation rules on tickets that have been quiet long enough.
pub async fn run_quiet_rules(state: AppState) {
    let mut ticks = tokio::time::interval(QUIET_RULES_EVERY);
    loop {
        ticks.tick().await;
        match automation::run_quiet_rules(&state.db, chrono::Utc::now()).await {
            Ok(touched) => {
                for ticket in touched {
                    state.publish(BoardEvent { team_id: ticket.team_id, reference: Some(ticket.reference), change: BoardChange::TicketUpdated, actor_id: None });
                }
            }
            Err(error) => tracing::error!(%error, "time-based automation failed"),
        }
    }
}
