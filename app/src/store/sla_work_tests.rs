use super::*;
use crate::model::{KpiKind, TicketInput};
use crate::store::fixtures::Org;
use crate::store::tickets;
use chrono::Duration;

#[tokio::test]
async fn queued_recalculations_survive_a_restart_and_run_once() {
    let mut org = Org::new().await;
    let urgent_and_high = org.support_sla().await.urgent_and_high;
    let (admin, agent, support) = (org.admin.clone(), org.agent.clone(), org.team_id);
    let t0 = org.now;
    let urgent = TicketInput { priority: Priority::Urgent, ..TicketInput::quick(support, "Waits for the recalculation") };
    let card = tickets::create(&org.db, &agent, &urgent, t0).await.unwrap();
    let policy = crate::store::sla_setup::setup(&org.db, &admin).await.unwrap().policies.into_iter().find(|p| p.id == urgent_and_high).unwrap();
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
    crate::store::sla_setup::save_policy(&org.db, &admin, Some(policy.id), Some(policy.version), &input, t0).await.unwrap();
    // The server stops before the background run: the work is still queued after the restart.
    org.restart().await;
    let due = |org: &Org| {
        let (db, agent, reference) = (org.db.clone(), agent.clone(), card.reference.clone());
        async move { tickets::get(&db, &agent, &reference, t0).await.unwrap().sla.into_iter().find(|c| c.kind == KpiKind::FirstResponse).and_then(|c| c.due) }
    };
    assert_eq!(due(&org).await, Some(t0 + Duration::hours(2)), "not recalculated yet");
    assert_eq!(run_pending_work(&org.db, t0).await.unwrap(), None, "a policy's clocks may sit on any board");
    assert_eq!(due(&org).await, Some(t0 + Duration::minutes(30)));
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pending_sla_work").fetch_one(&org.db.read).await.unwrap();
    assert_eq!(left, 0, "done work is removed");
    assert_eq!(run_pending_work(&org.db, t0).await.unwrap(), Some(Vec::new()), "nothing runs twice");
}
