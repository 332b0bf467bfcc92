//! SLA recalculations after a settings change, queued in the change's own transaction (so that a
//! restart resumes them) and carried out off the request, oldest first.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::sla::{recalculate, resync_team, Recalculation};
use super::Db;
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

pub(crate) async fn queue_work(conn: &mut SqliteConnection, work: &[SlaWork], now: DateTime<Utc>) -> Result<(), AppError> {
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
mod tests {
    use super::*;
    use crate::model::{KpiKind, TicketInput};
    use crate::store::fixtures::Demo;
    use crate::store::tickets;
    use chrono::Duration;

    #[tokio::test]
    async fn queued_recalculations_survive_a_restart_and_run_once() {
        let mut d = Demo::new().await;
        let (admin, agent) = (d.user("admin@demo.test").await, d.user("agent1@demo.test").await);
        let support = d.team("Support").await;
        let t0 = d.now;
        let urgent = TicketInput { priority: Priority::Urgent, ..TicketInput::quick(support, "Waits for the recalculation") };
        let card = tickets::create(&d.db, &agent, &urgent, t0).await.unwrap();
        let policy = crate::store::sla_setup::setup(&d.db, &admin).await.unwrap().policies.into_iter().find(|p| p.name == "Urgent and high").unwrap();
        let input = crate::model::SlaPolicyInput {
            team_id: support,
            name: policy.name.clone(),
            enabled: policy.enabled,
            calendar_id: policy.calendar.id,
            priorities: policy.priorities.clone(),
            account_ids: Vec::new(),
            requires_entitlement: policy.requires_entitlement,
            first_response: "30m".into(),
            resolution: "24h".into(),
            next_response: "4h".into(),
            warning_percent: policy.warning_percent,
        };
        crate::store::sla_setup::save_policy(&d.db, &admin, Some(policy.id), Some(policy.version), &input, t0).await.unwrap();
        // The server stops before the background run: the work is still queued after the restart.
        d.restart().await;
        let due = |d: &Demo| {
            let (db, agent, reference) = (d.db.clone(), agent.clone(), card.reference.clone());
            async move { tickets::get(&db, &agent, &reference, t0).await.unwrap().sla.into_iter().find(|c| c.kind == KpiKind::FirstResponse).and_then(|c| c.due) }
        };
        assert_eq!(due(&d).await, Some(t0 + Duration::hours(2)), "not recalculated yet");
        assert_eq!(run_pending_work(&d.db, t0).await.unwrap(), None, "a policy's clocks may sit on any board");
        assert_eq!(due(&d).await, Some(t0 + Duration::minutes(30)));
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pending_sla_work").fetch_one(&d.db.read).await.unwrap();
        assert_eq!(left, 0, "done work is removed");
        assert_eq!(run_pending_work(&d.db, t0).await.unwrap(), Some(Vec::new()), "nothing runs twice");
    }
}
