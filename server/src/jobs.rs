//! Background work of the server.

use std::time::Duration;

use app::model::{BoardChange, BoardEvent};
use app::state::AppState;
use app::store::{pull, sla, timed};

/// How often waiting tickets are offered again to teams with automatic assignment.
const ASSIGN_WAITING_EVERY: Duration = Duration::from_secs(20);

/// Starts every background job: the clock-driven loops below, and the SLA recalculations a
/// restart cut short.
pub fn start(state: &AppState) {
    tokio::spawn(assign_waiting_tickets(state.clone()));
    tokio::spawn(run_quiet_rules(state.clone()));
    tokio::spawn(raise_sla_alerts(state.clone()));
    state.run_sla_work();
}

/// Assigns waiting tickets as soon as somebody is available, and tells the open boards.
pub async fn assign_waiting_tickets(state: AppState) {
    let mut ticks = tokio::time::interval(ASSIGN_WAITING_EVERY);
    loop {
        ticks.tick().await;
        match pull::assign_waiting(&state.db, chrono::Utc::now()).await {
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
        match timed::run_quiet_rules(&state.db, chrono::Utc::now()).await {
            Ok(touched) => {
                for ticket in touched {
                    state.publish(BoardEvent { team_id: ticket.team_id, reference: Some(ticket.reference), change: BoardChange::TicketUpdated, actor_id: None });
                }
            }
            Err(error) => tracing::error!(%error, "time-based automation failed"),
        }
    }
}

/// The SLA job never sleeps longer than this, so that a missed wake-up costs little.
const SLA_IDLE: Duration = Duration::from_secs(60);

/// Raises SLA alerts (KPI nearing breach / breached, escalation Follow-up → Warning → Late) at
/// their moment: sleeps until the next one is due, and is woken early whenever a ticket or a
/// setting changes. Each raised alert refreshes the team's boards and the notified users' bells.
pub async fn raise_sla_alerts(state: AppState) {
    loop {
        match sla::raise_due_alerts(&state.db, chrono::Utc::now()).await {
            Ok(raised) => {
                for alert in raised {
                    state.notify_users(&alert.notified);
                    state.publish(BoardEvent { team_id: alert.team_id, reference: Some(alert.reference), change: BoardChange::TicketUpdated, actor_id: None });
                }
            }
            Err(error) => tracing::error!(%error, "raising SLA alerts failed"),
        }
        let next = sla::next_alert_at(&state.db).await.unwrap_or_else(|error| {
            tracing::error!(%error, "reading the next SLA alert failed");
            None
        });
        let wait = next.map_or(SLA_IDLE, |at| (at - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO).min(SLA_IDLE));
        // Publishing wakes this job too; that is harmless, it only looks again.
        let woken = state.sla_wake.clone();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = woken.notified() => {}
        }
    }
}
