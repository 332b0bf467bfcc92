//! Every entry point that changes a ticket goes through the workflow: each leaves the same
//! automation and SLA traces as a board move does.

use chrono::{DateTime, Duration, Utc};

use crate::model::*;
use crate::store::fixtures::Org;
use crate::store::{automation, conversation, pull, routing, tickets, timed};

/// Support with an SLA policy, a rule that fires on every kind of change, and a routing rule
/// for tickets that mention "route-me".
async fn org() -> Org {
    let org = Org::new().await;
    sqlx::query(
        "INSERT INTO sla_policies (team_id, name, position, calendar_id, first_response_minutes, resolution_minutes, warning_percent)
         VALUES (?, 'Standard', 1, 1, 60, 480, 75)",
    )
    .bind(org.team_id)
    .execute(&org.db.write)
    .await
    .unwrap();
    for (name, trigger) in [
        ("Trace creation", Trigger::Created),
        ("Trace updates", Trigger::Updated),
        ("Trace moves", Trigger::StageChanged),
        ("Trace agent replies", Trigger::AgentReplied),
        ("Trace customer replies", Trigger::CustomerReplied),
    ] {
        let rule = AutomationRuleInput {
            name: name.into(),
            enabled: true,
            trigger,
            conditions: AutomationConditions::default(),
            actions: vec![AutomationAction::AddTag { tag: "traced".into() }],
        };
        automation::save(&org.db, &org.admin, None, None, &rule).await.unwrap();
    }
    let route = RoutingRuleInput {
        name: "Route-me is urgent".into(),
        enabled: true,
        conditions: RoutingConditions { keywords: vec!["route-me".into()], ..RoutingConditions::default() },
        actions: RoutingActions { priority: Some(Priority::Urgent), ..RoutingActions::default() },
    };
    routing::save(&org.db, &org.admin, None, None, &route).await.unwrap();
    org
}

/// Changes the policy behind the open clocks' backs: only the workflow's SLA step, run on a
/// ticket, brings that ticket's clocks to the new terms (and says so on its timeline).
async fn make_clocks_stale(org: &Org) {
    sqlx::query("UPDATE sla_policies SET resolution_minutes = resolution_minutes + 1").execute(&org.db.write).await.unwrap();
}

/// Which workflow steps left no trace on the ticket at `at`: an automation rule that fired,
/// and an SLA timeline entry.
async fn missing_steps(org: &Org, reference: &str, at: DateTime<Utc>) -> Vec<&'static str> {
    let id = org.ticket_id(reference).await;
    let fired: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM automation_runs WHERE ticket_id = ? AND fired_at = ?")
        .bind(id)
        .bind(at)
        .fetch_one(&org.db.read)
        .await
        .unwrap();
    let sla: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM timeline_entries WHERE ticket_id = ? AND kind = ? AND at = ?")
        .bind(id)
        .bind(TimelineKind::Sla.as_str())
        .bind(at)
        .fetch_one(&org.db.read)
        .await
        .unwrap();
    let mut missing = Vec::new();
    if fired == 0 {
        missing.push("automation");
    }
    if sla == 0 {
        missing.push("SLA");
    }
    missing
}

#[tokio::test]
async fn every_entry_point_that_changes_a_ticket_runs_automation_and_sla() {
    let org = org().await;
    let support = org.team_id;
    let minute = |n: i64| org.now + Duration::minutes(n);
    let mut report = Vec::new();

    let created = tickets::create(&org.db, &org.agent, &TicketInput::quick(support, "Printer jams"), minute(1)).await.unwrap();
    report.push(("create", missing_steps(&org, &created.reference, minute(1)).await));

    make_clocks_stale(&org).await;
    let edited = tickets::update(&org.db, &org.agent, &created.reference, created.version, &TicketInput::quick(support, "Printer jams daily"), false, minute(2))
        .await
        .unwrap();
    report.push(("edit", missing_steps(&org, &created.reference, minute(2)).await));

    make_clocks_stale(&org).await;
    let routed = tickets::update(&org.db, &org.agent, &created.reference, edited.detail.version, &TicketInput::quick(support, "route-me please"), true, minute(3))
        .await
        .unwrap();
    assert_eq!(routed.routed_by.as_deref(), Some("Route-me is urgent"));
    report.push(("save & route", missing_steps(&org, &created.reference, minute(3)).await));

    make_clocks_stale(&org).await;
    let moved = tickets::move_to_stage(&org.db, &org.agent, &created.reference, routed.detail.version, org.stages.in_progress.id, None, None, minute(4)).await.unwrap();
    report.push(("move", missing_steps(&org, &moved.card.reference, minute(4)).await));

    // Routing rules applied to a ticket that now mentions "route-me" but was saved without routing.
    let plain = org.ticket("Scanner offline").await;
    let detail = tickets::get(&org.db, &org.agent, &plain.reference, org.now).await.unwrap();
    tickets::update(&org.db, &org.agent, &plain.reference, detail.version, &TicketInput::quick(support, "Scanner offline, route-me"), false, minute(5))
        .await
        .unwrap();
    make_clocks_stale(&org).await;
    let (outcome, _) = tickets::apply_routing(&org.db, &org.agent, std::slice::from_ref(&plain.reference), minute(6)).await.unwrap();
    assert_eq!(outcome.routed.len(), 1, "{outcome:?}");
    report.push(("apply routing", missing_steps(&org, &plain.reference, minute(6)).await));

    make_clocks_stale(&org).await;
    let pulled = pull::pull_next(&org.db, &org.other_agent, PullSource::MyTeams, minute(7)).await.unwrap().expect("a waiting ticket");
    report.push(("pull next", missing_steps(&org, &pulled.card.reference, minute(7)).await));

    let waiting = org.ticket("Monitor flickers").await;
    sqlx::query("UPDATE teams SET assignment_method = 'equal_open' WHERE id = ?").bind(support).execute(&org.db.write).await.unwrap();
    make_clocks_stale(&org).await;
    let assigned = pull::assign_waiting(&org.db, minute(8)).await.unwrap();
    assert!(assigned.iter().any(|a| a.card.reference == waiting.reference), "the waiting ticket was assigned");
    report.push(("assignment of waiting tickets", missing_steps(&org, &waiting.reference, minute(8)).await));

    let quiet = AutomationRuleInput {
        name: "Quiet nudge".into(),
        enabled: true,
        trigger: Trigger::NoUpdateFor { hours: 1 },
        conditions: AutomationConditions::default(),
        actions: vec![AutomationAction::SetPriority { priority: Priority::High }],
    };
    automation::save(&org.db, &org.admin, None, None, &quiet).await.unwrap();
    make_clocks_stale(&org).await;
    let later = org.now + Duration::hours(3);
    let touched = timed::run_quiet_rules(&org.db, later).await.unwrap();
    assert!(touched.iter().any(|t| t.reference == waiting.reference));
    report.push(("time-based rule", missing_steps(&org, &waiting.reference, later).await));

    sqlx::query("UPDATE teams SET visibility = 'public' WHERE id = ?").bind(support).execute(&org.db.write).await.unwrap();
    let customer = org.customer().await;
    org.follow(&waiting.reference, customer.id).await;
    for (entry, author, at) in [("agent's reply", &org.agent, minute(200)), ("customer's reply", &customer, minute(210))] {
        make_clocks_stale(&org).await;
        let message = NewMessage { kind: MessageKind::Reply, body: format!("The {entry}"), attachment_ids: Vec::new() };
        conversation::post(&org.db, author, &waiting.reference, &message, at).await.unwrap();
        report.push((entry, missing_steps(&org, &waiting.reference, at).await));
    }

    let skipped: Vec<String> = report.into_iter().filter(|(_, missing)| !missing.is_empty()).map(|(entry, missing)| format!("{entry}: {missing:?}")).collect();
    assert!(skipped.is_empty(), "entry points that skipped workflow steps:\n{}", skipped.join("\n"));
}

#[tokio::test]
async fn the_workflow_runs_routing_then_assignment_then_automation_then_sla() {
    let org = org().await;
    sqlx::query("UPDATE teams SET assignment_method = 'round_robin' WHERE id = ?").bind(org.team_id).execute(&org.db.write).await.unwrap();
    let card = tickets::create(&org.db, &org.agent, &TicketInput::quick(org.team_id, "route-me: VPN down"), org.now).await.unwrap();
    let detail = tickets::get(&org.db, &org.agent, &card.reference, org.now).await.unwrap();
    // Newest first on the timeline: reversed, it reads in the order things happened.
    let kinds: Vec<TimelineKind> = detail.timeline.iter().rev().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [TimelineKind::Created, TimelineKind::Routed, TimelineKind::Assigned, TimelineKind::Automation, TimelineKind::Sla],
        "{:#?}",
        detail.timeline
    );
    assert_eq!(detail.priority, Priority::Urgent, "routing ran");
    assert!(detail.assignee.is_some(), "assignment ran after routing");
    assert!(detail.tags.contains(&"traced".to_string()), "automation ran");
    assert!(!detail.sla.is_empty(), "the SLA clocks started");
}

#[tokio::test]
async fn a_selected_ticket_no_rule_changes_is_left_alone() {
    let org = org().await;
    let card = org.ticket("Nothing to route").await;
    let before = tickets::get(&org.db, &org.agent, &card.reference, org.now).await.unwrap();
    make_clocks_stale(&org).await;
    let (outcome, teams) = tickets::apply_routing(&org.db, &org.agent, std::slice::from_ref(&card.reference), org.now + Duration::minutes(1)).await.unwrap();
    assert_eq!((outcome.routed.len(), outcome.unchanged, teams.len()), (0, 1, 0));
    let after = tickets::get(&org.db, &org.agent, &card.reference, org.now).await.unwrap();
    assert_eq!((after.version, after.timeline.len()), (before.version, before.timeline.len()));
}

#[tokio::test]
async fn handing_a_closed_ticket_to_another_team_reopens_it_there() {
    let org = org().await;
    let (billing, billing_stages) = org.team("Billing", "company", &[org.agent.id]).await;
    let card = org.ticket("Refund, already solved").await;
    let solved = tickets::move_to_stage(&org.db, &org.agent, &card.reference, card.version, org.stages.solved.id, None, Some(&org.fixed("Fixed it").await), org.now).await.unwrap();
    let closed = tickets::get(&org.db, &org.agent, &card.reference, org.now).await.unwrap();
    assert!(closed.closed_at.is_some());
    assert_eq!(closed.status, TicketStatus::Resolved);

    let handed = tickets::update(&org.db, &org.agent, &card.reference, solved.card.version, &TicketInput::quick(billing, "Refund, needs billing"), false, org.now)
        .await
        .unwrap();
    assert_eq!(handed.detail.stage.id, billing_stages.new.id);
    assert_eq!((handed.detail.closed_at, handed.detail.status), (None, TicketStatus::ActiveNew), "open again in its new team");
}

#[tokio::test]
async fn editing_a_cancelled_ticket_does_not_cancel_its_clocks_again() {
    let org = org().await;
    let card = org.ticket("Duplicate request").await;
    let cancelled = tickets::move_to_stage(&org.db, &org.agent, &card.reference, card.version, org.stages.cancelled.id, None, None, org.now).await.unwrap();
    let edited = tickets::update(&org.db, &org.agent, &card.reference, cancelled.card.version, &TicketInput::quick(org.team_id, "Duplicate of HD-1"), false, org.now)
        .await
        .unwrap();
    let cancellations = edited.detail.timeline.iter().filter(|e| e.kind == TimelineKind::Sla && e.summary.contains("cancelled with the ticket")).count();
    assert_eq!(cancellations, 1, "{:#?}", edited.detail.timeline);
}
