//! SLA recalculations after a settings change, queued in the change's own transaction (so that a
//! restart resumes them) and carried out off the request, oldest first.

use chrono::{DateTime, Utc};

use super::sla::{recalculate, resync_team, Recalculation};
use super::{Conn, Db};
use crate::error::AppError;
use crate::model::Priority;

/// Follow-up work of a settings change, queued in the change's own transaction so that it
/// survives a restart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SlaWork {
    Recalculate(Recalculation),
    /// Re-match the team's open tickets to its policies.
    ResyncTeam(i64),
}

impl SlaWork {
    fn encode(self) -> (&'static str, String) {
        match self {
            SlaWork::Recalculate(Recalculation::Policy(id)) => ("policy", id.to_string()),
            SlaWork::Recalculate(Recalculation::Calendar(id)) => ("calendar", id.to_string()),
            SlaWork::Recalculate(Recalculation::PriorityCode(priority)) => ("priority_code", priority.as_str().to_string()),
            SlaWork::ResyncTeam(id) => ("team", id.to_string()),
        }
    }

    fn decode(kind: &str, target: &str) -> Option<SlaWork> {
        let id = || target.parse::<i64>().ok();
        Some(match kind {
            "policy" => SlaWork::Recalculate(Recalculation::Policy(id()?)),
            "calendar" => SlaWork::Recalculate(Recalculation::Calendar(id()?)),
            "priority_code" => SlaWork::Recalculate(Recalculation::PriorityCode(Priority::parse(target)?)),
            "team" => SlaWork::ResyncTeam(id()?),
            _ => return None,
        })
    }
}

pub(crate) async fn queue_work(conn: &mut Conn, work: &[SlaWork], now: DateTime<Utc>) -> Result<(), AppError> {
    for item in work {
        let (kind, target) = item.encode();
        sqlx::query("INSERT INTO pending_sla_work (kind, target, queued_at) VALUES (?, ?, ?)").bind(kind).bind(target).bind(now).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Carries out the queued work, oldest first, each item removed once done (an item cut short by a
/// restart runs again: recalculating is idempotent). Returns the teams whose boards changed, or
/// `None` when any item may have touched every team.
pub async fn run_pending_work(db: &Db, now: DateTime<Utc>) -> Result<Option<Vec<i64>>, AppError> {
    let mut teams = Some(Vec::new());
    loop {
        let next: Option<(i64, String, String)> =
            sqlx::query_as("SELECT id, kind, target FROM pending_sla_work ORDER BY id LIMIT 1").fetch_optional(&db.read).await?;
        let Some((id, kind, target)) = next else { return Ok(teams) };
        match SlaWork::decode(&kind, &target) {
            Some(SlaWork::Recalculate(scope)) => {
                recalculate(db, scope).await?;
                teams = None;
            }
            Some(SlaWork::ResyncTeam(team_id)) => {
                resync_team(db, team_id, now).await?;
                if let Some(teams) = teams.as_mut() {
                    teams.push(team_id);
                }
            }
            None => tracing::error!(kind, target, "skipping unreadable pending SLA work"),
        }
        sqlx::query("DELETE FROM pending_sla_work WHERE id = ?").bind(id).execute(&db.write).await?;
    }
}

#[cfg(test)]
#[path = "sla_work_tests.rs"]
mod tests;
