use super::*;
use crate::model::{BoardView, CurrentUser, MessageKind, NewMessage, SlaFilter, SlaState, TicketInput};
use crate::store::fixtures::Org;
use crate::store::{board, conversation, tickets};
use chrono::Duration;

async fn sla_lines(org: &Org, agent: &CurrentUser, reference: &str, now: DateTime<Utc>) -> Vec<String> {
    let detail = tickets::get(&org.db, agent, reference, now).await.unwrap();
    detail.timeline.iter().rev().filter(|e| e.kind == TimelineKind::Sla).map(|e| e.summary.clone()).collect()
}

fn clock<'a>(detail: &'a crate::model::TicketDetail, kind: KpiKind) -> &'a Countdown {
    detail.sla.iter().find(|c| c.kind == kind).unwrap()
}

#[tokio::test]
async fn clocks_start_meet_on_the_reply_pause_in_a_waiting_stage_and_resume_with_the_deadline_moved() {
    let org = Org::new().await;
    org.support_sla().await;
    let (db, agent) = (&org.db, &org.agent);
    // Urgent: the 24×7 "Urgent and high" policy (first response 2 h, resolution 24 h, warning at 75 %).
    let t0 = org.now;
    let input = TicketInput { priority: Priority::Urgent, ..TicketInput::quick(org.team_id, "Payment terminal down") };
    let card = tickets::create(db, agent, &input, t0).await.unwrap();
    let created = tickets::get(db, agent, &card.reference, t0).await.unwrap();
    assert_eq!(created.sla_policy.as_deref(), Some("Urgent and high"));
    assert_eq!(clock(&created, KpiKind::FirstResponse).due, Some(t0 + Duration::hours(2)));
    assert_eq!(clock(&created, KpiKind::Resolution).due, Some(t0 + Duration::hours(24)));
    assert_eq!(clock(&created, KpiKind::Escalation).due, Some(t0 + Duration::minutes(120)), "P1 is late after 2 h");
    let sla = card.sla.clone().expect("the card shows its most urgent clock");
    assert_eq!((sla.kind, sla.state(t0 + Duration::minutes(100))), (KpiKind::FirstResponse, SlaState::Warning));

    // A reply answers the customer: first response met. The shipped rule then waits on the
    // customer, which pauses the rest.
    let t1 = t0 + Duration::minutes(30);
    let reply = NewMessage { kind: MessageKind::Reply, body: "We are on it.".into(), attachment_ids: Vec::new() };
    conversation::post(db, agent, &card.reference, &reply, t1).await.unwrap();
    let paused = tickets::get(db, agent, &card.reference, t1 + Duration::hours(30)).await.unwrap();
    assert_eq!(paused.stage.id, org.stages.waiting.id);
    assert_eq!(clock(&paused, KpiKind::FirstResponse).frozen, Some(SlaState::Met));
    assert_eq!(clock(&paused, KpiKind::Resolution).frozen, Some(SlaState::Paused), "past the old deadline, but paused");
    assert_eq!(clock(&paused, KpiKind::Resolution).left_secs, Duration::minutes(23 * 60 + 30).num_seconds());

    // Back to work 3 hours later: the resolution deadline moves by exactly those 3 hours.
    let t2 = t1 + Duration::hours(3);
    let resumed = tickets::move_to_stage(db, agent, &card.reference, paused.version, org.stages.in_progress.id, None, None, t2).await.unwrap();
    let running = tickets::get(db, agent, &card.reference, t2).await.unwrap();
    assert_eq!(clock(&running, KpiKind::Resolution).due, Some(t0 + Duration::hours(27)));
    assert_eq!(clock(&running, KpiKind::Resolution).frozen, None);

    tickets::move_to_stage(db, agent, &card.reference, resumed.card.version, org.stages.solved.id, None, Some(&org.fixed("Fixed it").await), t2 + Duration::hours(1)).await.unwrap();
    let done = tickets::get(db, agent, &card.reference, t2 + Duration::days(3)).await.unwrap();
    assert_eq!(clock(&done, KpiKind::Resolution).frozen, Some(SlaState::Met));
    assert_eq!(
        sla_lines(&org, agent, &card.reference, t2).await,
        vec![
            "First response clock started\nResolution clock started",
            "First response met\nSLA clocks paused (stage Waiting on customer)",
            "SLA clocks resumed; deadlines moved by the paused business time",
            "Resolution met",
        ]
    );
}

#[tokio::test]
async fn a_priority_change_recalculates_and_a_ticket_without_policy_only_climbs_the_ladder() {
    let org = Org::new().await;
    org.support_sla().await;
    let (db, agent, support) = (&org.db, &org.agent, org.team_id);
    let t0 = org.now;
    let card = tickets::create(db, agent, &TicketInput::quick(support, "Printer jams"), t0).await.unwrap();
    let normal = tickets::get(db, agent, &card.reference, t0).await.unwrap();
    assert_eq!(normal.sla_policy.as_deref(), Some("Standard"), "normal priority");
    let edit = TicketInput { priority: Priority::High, ..TicketInput::quick(support, "Printer jams") };
    let updated = tickets::update(db, agent, &card.reference, normal.version, &edit, false, t0 + Duration::minutes(5)).await.unwrap();
    assert_eq!(updated.detail.sla_policy.as_deref(), Some("Urgent and high"));
    assert_eq!(clock(&updated.detail, KpiKind::FirstResponse).due, Some(t0 + Duration::hours(2)), "still measured from creation");
    assert!(sla_lines(&org, agent, &card.reference, t0).await.iter().any(|l| l == "SLA recalculated under policy \"Urgent and high\""));

    // Finance has no policy: no KPI clocks, but the priority code's ladder still runs.
    let finance = org.private_team("Finance").await;
    let bare = tickets::create(db, &finance.insider, &TicketInput::quick(finance.id, "Invoice question"), t0).await.unwrap();
    let detail = tickets::get(db, &finance.insider, &bare.reference, t0).await.unwrap();
    assert_eq!(detail.sla.iter().map(|c| c.kind).collect::<Vec<_>>(), vec![KpiKind::Escalation]);
    assert!(bare.sla.is_none(), "cards show KPIs only");
}

#[tokio::test]
async fn the_escalation_ladder_fires_in_order_exactly_once_each_also_across_a_restart() {
    let mut org = Org::new().await;
    org.support_sla().await;
    let (agent, lead) = (org.agent.clone(), org.lead.clone());
    let t0 = org.now;
    let input = TicketInput { priority: Priority::Urgent, assignee_id: Some(agent.id), ..TicketInput::quick(org.team_id, "Core switch down") };
    let card = tickets::create(&org.db, &agent, &input, t0).await.unwrap();
    let ours = |raised: Vec<Raised>| raised.into_iter().filter(|r| r.reference == card.reference).map(|r| (r.kind, r.alert)).collect::<Vec<_>>();

    assert_eq!(ours(raise_due_alerts(&org.db, t0 + Duration::minutes(29)).await.unwrap()), vec![]);
    assert_eq!(ours(raise_due_alerts(&org.db, t0 + Duration::minutes(30)).await.unwrap()), vec![(KpiKind::Escalation, Alert::FollowUp)]);
    assert_eq!(ours(raise_due_alerts(&org.db, t0 + Duration::minutes(30)).await.unwrap()), vec![], "never twice");

    org.restart().await;
    assert_eq!(ours(raise_due_alerts(&org.db, t0 + Duration::minutes(45)).await.unwrap()), vec![], "nothing re-fired after a restart");
    assert_eq!(next_alert_at(&org.db).await.unwrap().map(|at| at <= t0 + Duration::minutes(60)), Some(true));
    assert_eq!(ours(raise_due_alerts(&org.db, t0 + Duration::minutes(60)).await.unwrap()), vec![(KpiKind::Escalation, Alert::Warning)]);
    // Everything overdue comes in the order of its moments: warning at 90 min, then breach and Late at 120 min.
    assert_eq!(
        ours(raise_due_alerts(&org.db, t0 + Duration::minutes(200)).await.unwrap()),
        vec![(KpiKind::FirstResponse, Alert::NearingBreach), (KpiKind::FirstResponse, Alert::Breached), (KpiKind::Escalation, Alert::Late)]
    );
    org.restart().await;
    assert_eq!(ours(raise_due_alerts(&org.db, t0 + Duration::days(2)).await.unwrap()).len(), 2, "only the resolution clock's own alerts remain");
    assert_eq!(ours(raise_due_alerts(&org.db, t0 + Duration::days(3)).await.unwrap()), vec![]);

    let lines = sla_lines(&org, &agent, &card.reference, t0).await;
    assert_eq!(lines.iter().filter(|l| l.starts_with("Escalation")).cloned().collect::<Vec<_>>(), vec![
        "Escalation Follow-up: P1 ticket open for 30m of business time",
        "Escalation Warning: P1 ticket open for 1h of business time",
        "Escalation Late: P1 ticket open for 2h of business time",
    ]);
    // Assignee and lead were told once per alert: 7 alerts each, nobody else.
    let told: Vec<(i64, i64)> = sqlx::query_as("SELECT user_id, COUNT(*) FROM notifications WHERE ticket_id = (SELECT id FROM tickets WHERE number = ?) GROUP BY user_id ORDER BY user_id")
        .bind(crate::domain::reference::parse(&card.reference))
        .fetch_all(&org.db.read)
        .await
        .unwrap();
    let mut expected = vec![(agent.id, 7), (lead.id, 7)];
    expected.sort();
    assert_eq!(told, expected);
}

#[tokio::test]
async fn a_policy_edit_recalculates_open_clocks_and_the_board_sorts_and_filters_by_urgency() {
    let org = Org::new().await;
    let policy = org.support_sla().await.urgent_and_high;
    let (db, agent, support) = (&org.db, &org.agent, org.team_id);
    let t0 = org.now;
    let urgent = TicketInput { priority: Priority::Urgent, ..TicketInput::quick(support, "Slow one") };
    let slow = tickets::create(db, agent, &urgent, t0).await.unwrap();
    let fast = tickets::create(db, agent, &TicketInput { title: "Fast one".into(), ..urgent.clone() }, t0 + Duration::minutes(10)).await.unwrap();
    sqlx::query("UPDATE sla_policies SET first_response_minutes = 30 WHERE id = ?").bind(policy).execute(&db.write).await.unwrap();
    assert!(recalculate(db, Recalculation::Policy(policy)).await.unwrap() >= 4, "both tickets' first response and resolution clocks");
    let detail = tickets::get(db, agent, &slow.reference, t0).await.unwrap();
    assert_eq!(clock(&detail, KpiKind::FirstResponse).due, Some(t0 + Duration::minutes(30)));

    let view = BoardView { by_urgency: true, filter: SlaFilter::All };
    let board = board::board(db, agent, support, &[], view, t0).await.unwrap();
    let new = board.columns.iter().find(|c| c.stage.name == "New").unwrap();
    let order: Vec<&str> = new.cards.iter().map(|c| c.reference.as_str()).filter(|r| [slow.reference.as_str(), fast.reference.as_str()].contains(r)).collect();
    assert_eq!(order, vec![slow.reference.as_str(), fast.reference.as_str()], "the earlier deadline first");
    let at_risk = BoardView { by_urgency: true, filter: SlaFilter::Breached };
    let later = board::board(db, agent, support, &[], at_risk, t0 + Duration::minutes(35)).await.unwrap();
    let breached: Vec<String> = later.columns.iter().flat_map(|c| c.cards.iter().map(|k| k.reference.clone())).collect();
    assert!(breached.contains(&slow.reference) && !breached.contains(&fast.reference));
    assert!(later.columns.iter().flat_map(|c| &c.cards).all(|k| k.sla.as_ref().is_some_and(|s| s.state(t0 + Duration::minutes(35)) == SlaState::Breached)));
}
