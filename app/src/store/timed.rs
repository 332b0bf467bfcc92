//! Ticket changes made by the clock: time-based automation rules ("no update for N hours"),
//! each ticket in its own transaction and through the ticket workflow.

use chrono::{DateTime, Utc};

use super::ticket_flow::{after_change, Change};
use super::{automation, Db};
use crate::domain::reference;
use crate::error::AppError;

/// A ticket changed by the clock, and its team (whose boards must refresh).
pub struct Touched {
    pub reference: String,
    pub team_id: i64,
}

/// Fires the time-based rules on the open tickets that have been quiet long enough (once per
/// quiet period); run periodically by the server.
pub async fn run_quiet_rules(db: &Db, now: DateTime<Utc>) -> Result<Vec<Touched>, AppError> {
    let mut touched = Vec::new();
    for (rule, candidates) in automation::quiet_candidates(db, now).await? {
        for ticket_id in candidates {
            let mut tx = db.begin_write().await?;
            let Some(raised) = automation::fire_quiet(&mut tx, &rule, ticket_id, now).await? else { continue };
            after_change(&mut tx, Change { actor_id: None, ticket_id, events: raised, route: false }, now).await?;
            let (number, team_id): (i64, i64) =
                sqlx::query_as("SELECT number, team_id FROM tickets WHERE id = ?").bind(ticket_id).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            touched.push(Touched { reference: reference::format(number), team_id });
        }
    }
    Ok(touched)
}
