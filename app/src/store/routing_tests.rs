use super::*;
use crate::store::fixtures::Demo;
use crate::store::tickets;

async fn subject(d: &Demo, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM subjects WHERE name = ?").bind(name).fetch_one(&d.db.read).await.unwrap()
}

fn keyword_rule(name: &str, word: &str, actions: RoutingActions) -> RoutingRuleInput {
    RoutingRuleInput {
        name: name.into(),
        enabled: true,
        conditions: RoutingConditions { keywords: vec![word.into()], ..Default::default() },
        actions,
    }
}

#[tokio::test]
async fn a_new_ticket_on_a_routed_subject_lands_in_the_rules_team_and_is_assigned_there() {
    let d = Demo::new().await;
    let agent = d.user("agent1@demo.test").await;
    let (support, field_service) = (d.team("Support").await, d.team("Field Service").await);
    let input = TicketInput { subject_id: Some(subject(&d, "Repair").await), ..TicketInput::quick(support, "Door sensor broken") };
    let card = tickets::create(&d.db, &agent, &input, d.now).await.unwrap();
    assert_eq!(card.team_id, field_service, "Repair is below Field work");
    let detail = tickets::get(&d.db, &agent, &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.stage.name, "New");
    let routed = detail.timeline.iter().find(|e| e.kind == TimelineKind::Routed).expect("routing is on the timeline");
    assert_eq!(routed.summary, "Routed by rule \"On-site work goes to Field Service\": Team: Support → Field Service › New");
    // Field Service assigns by equal open, so the handed-over ticket gets a member right away.
    assert_eq!(detail.status, TicketStatus::ActiveAssigned);
    assert!(detail.timeline.iter().any(|e| e.summary.contains("automatically (equal open")));

    let other = tickets::create(&d.db, &agent, &TicketInput::quick(support, "Mouse wheel squeaks"), d.now).await.unwrap();
    assert_eq!(other.team_id, support, "no rule matches");
    let urgent = tickets::create(&d.db, &agent, &TicketInput::quick(support, "Total OUTAGE at HQ"), d.now).await.unwrap();
    assert_eq!((urgent.team_id, urgent.priority), (support, Priority::Urgent), "keywords ignore case");
}

#[tokio::test]
async fn rules_are_tried_in_order_and_the_first_match_wins() {
    let d = Demo::new().await;
    let lead = d.user("lead@demo.test").await;
    let agent = d.user("agent1@demo.test").await;
    let support = d.team("Support").await;
    let high = save(&d.db, &lead, None, None, &keyword_rule("High printers", "printer", RoutingActions { priority: Some(Priority::High), ..Default::default() }))
        .await
        .unwrap();
    let low = save(&d.db, &lead, None, None, &keyword_rule("Low printers", "printer", RoutingActions { priority: Some(Priority::Low), ..Default::default() }))
        .await
        .unwrap();
    let card = tickets::create(&d.db, &agent, &TicketInput::quick(support, "Printer on fire"), d.now).await.unwrap();
    assert_eq!(card.priority, Priority::High, "the earlier rule wins");

    let order = reorder(&d.db, &lead, low.id, low.version, 0).await.unwrap();
    assert_eq!(order[0].id, low.id);
    let card = tickets::create(&d.db, &agent, &TicketInput::quick(support, "Printer again"), d.now).await.unwrap();
    assert_eq!(card.priority, Priority::Low, "now the other one is first");
    assert!(matches!(reorder(&d.db, &lead, high.id, high.version, 0).await, Err(AppError::Conflict(_))), "stale version");

    let low_now = order.iter().find(|r| r.id == low.id).unwrap();
    save(&d.db, &lead, Some(low.id), Some(low_now.version), &RoutingRuleInput { enabled: false, ..low_now.rule.clone() }).await.unwrap();
    let card = tickets::create(&d.db, &agent, &TicketInput::quick(support, "Printer three"), d.now).await.unwrap();
    assert_eq!(card.priority, Priority::High, "a disabled rule is skipped");
}

#[tokio::test]
async fn invalid_rules_and_unauthorized_editors_are_refused_and_change_nothing() {
    let d = Demo::new().await;
    let (lead, agent) = (d.user("lead@demo.test").await, d.user("agent1@demo.test").await);
    let before = setup(&d.db, &lead).await.unwrap().rules;
    let move_to = |team_id| RoutingActions { team_id: Some(team_id), ..Default::default() };
    let good = keyword_rule("Printers", "printer", move_to(d.team("Field Service").await));
    assert!(matches!(save(&d.db, &agent, None, None, &good).await, Err(AppError::Forbidden(_))));
    let unknown_subject = RoutingRuleInput { conditions: RoutingConditions { subject_ids: vec![9_999], ..Default::default() }, ..good.clone() };
    assert!(matches!(save(&d.db, &lead, None, None, &unknown_subject).await, Err(AppError::Invalid(m)) if m == "Subject 9999 does not exist."));
    let unknown_team = RoutingRuleInput { actions: move_to(9_999), ..good.clone() };
    assert!(matches!(save(&d.db, &lead, None, None, &unknown_team).await, Err(AppError::Invalid(_))));
    let outsider = RoutingRuleInput {
        actions: RoutingActions { team_id: Some(d.team("Finance").await), assignee_id: Some(agent.id), ..Default::default() },
        ..good.clone()
    };
    assert!(matches!(save(&d.db, &lead, None, None, &outsider).await, Err(AppError::Invalid(_))), "agent1 cannot see Finance");
    let no_condition = RoutingRuleInput { conditions: RoutingConditions::default(), ..good.clone() };
    assert!(matches!(save(&d.db, &lead, None, None, &no_condition).await, Err(AppError::Invalid(_))));
    assert!(matches!(save(&d.db, &lead, Some(before[0].id), None, &good).await, Err(AppError::Invalid(_))), "id without version");
    assert_eq!(setup(&d.db, &lead).await.unwrap().rules, before);
    assert!(matches!(setup(&d.db, &d.user("customer@demo.test").await).await, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn save_and_route_and_bulk_apply_route_existing_tickets() {
    let d = Demo::new().await;
    let (lead, agent) = (d.user("lead@demo.test").await, d.user("agent1@demo.test").await);
    let (support, field_service) = (d.team("Support").await, d.team("Field Service").await);
    let first = tickets::create(&d.db, &agent, &TicketInput::quick(support, "Wombat in the server room"), d.now).await.unwrap();
    let second = tickets::create(&d.db, &agent, &TicketInput::quick(support, "Another wombat"), d.now).await.unwrap();
    let bystander = tickets::create(&d.db, &agent, &TicketInput::quick(support, "Nothing to see"), d.now).await.unwrap();
    save(&d.db, &lead, None, None, &keyword_rule("Wombats on site", "wombat", RoutingActions { team_id: Some(field_service), ..Default::default() }))
        .await
        .unwrap();

    let detail = tickets::get(&d.db, &agent, &first.reference, chrono::Utc::now()).await.unwrap();
    let mut edit = TicketInput::quick(support, "Wombat in the server room");
    edit.description = "It bites.".into();
    let plain = tickets::update(&d.db, &agent, &first.reference, detail.version, &edit, false, d.now).await.unwrap();
    assert_eq!((plain.detail.team.id, plain.routed_by), (support, None), "a plain save does not route");
    let routed = tickets::update(&d.db, &agent, &first.reference, plain.detail.version, &edit, true, d.now).await.unwrap();
    assert_eq!(routed.routed_by.as_deref(), Some("Wombats on site"));
    assert_eq!(routed.detail.team.id, field_service);
    assert_eq!(routed.team_ids, vec![support, field_service], "both boards refresh");

    let refs = vec![second.reference.clone(), bystander.reference.clone(), first.reference.clone()];
    let (outcome, teams) = crate::store::tickets::apply_routing(&d.db, &agent, &refs, d.now).await.unwrap();
    assert_eq!(outcome.routed, vec![format!("{}: Wombats on site", second.reference)]);
    assert_eq!(outcome.unchanged, 2, "no rule for the bystander; the first is already there");
    assert_eq!(teams, vec![support, field_service]);

    let finance_ticket: String = sqlx::query_scalar("SELECT 'HD-' || number FROM tickets WHERE team_id = ? LIMIT 1")
        .bind(d.team("Finance").await)
        .fetch_one(&d.db.read)
        .await
        .unwrap();
    assert!(matches!(crate::store::tickets::apply_routing(&d.db, &agent, &[second.reference.clone(), finance_ticket], d.now).await, Err(AppError::NotFound(_))));
    assert!(matches!(crate::store::tickets::apply_routing(&d.db, &agent, &[], d.now).await, Err(AppError::Invalid(_))));
}

#[tokio::test]
async fn service_type_unit_type_and_reason_conditions_route_tickets() {
    let d = Demo::new().await;
    let (lead, agent) = (d.user("lead@demo.test").await, d.user("agent1@demo.test").await);
    let (support, field_service) = (d.team("Support").await, d.team("Field Service").await);
    let db = d.db.clone();
    let id_of = move |sql: &'static str| {
        let db = db.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&db.read).await.unwrap() }
    };
    let on_site = id_of("SELECT id FROM service_types WHERE name = 'On-site'").await;
    let card = tickets::create(&d.db, &agent, &TicketInput { service_type_id: Some(on_site), ..TicketInput::quick(support, "Install a switch") }, d.now).await.unwrap();
    assert_eq!(card.team_id, field_service, "the seeded on-site rule");

    let routers = id_of("SELECT id FROM unit_types WHERE name = 'Router'").await;
    let malfunction = id_of("SELECT id FROM reason_codes WHERE name = 'Malfunction'").await;
    let conditions = RoutingConditions { unit_type_ids: vec![routers], reason_ids: vec![malfunction], ..Default::default() };
    let raise = RoutingActions { priority: Some(Priority::Urgent), ..Default::default() };
    save(&d.db, &lead, None, None, &RoutingRuleInput { name: "Broken routers are urgent".into(), enabled: true, conditions, actions: raise }).await.unwrap();
    let unit = id_of("SELECT id FROM units WHERE serial = 'RX2-1001'").await;
    let fault = id_of("SELECT id FROM reason_codes WHERE name = 'Hardware fault'").await;
    let input = TicketInput { unit_id: Some(unit), reason_id: Some(fault), ..TicketInput::quick(support, "Router reboots") };
    let urgent = tickets::create(&d.db, &agent, &input, d.now).await.unwrap();
    assert_eq!(urgent.priority, Priority::Urgent, "a router, and a fault below Malfunction");
    let request = id_of("SELECT id FROM reason_codes WHERE name = 'Information'").await;
    let calm = tickets::create(&d.db, &agent, &TicketInput { reason_id: Some(request), ..input }, d.now).await.unwrap();
    assert_eq!(calm.priority, Priority::Normal, "a question about a router is not a fault");
    let detail = tickets::get(&d.db, &agent, &urgent.reference, chrono::Utc::now()).await.unwrap();
    let shown = detail.unit.unwrap();
    assert_eq!((shown.serial.as_str(), shown.contract.as_str(), shown.unit_type.as_deref()), ("RX2-1001", "Gold support", Some("Router")));
    assert!(shown.warranty_until.unwrap() > d.now.date_naive());
    assert!(matches!(tickets::create(&d.db, &agent, &TicketInput { unit_id: Some(9_999), ..TicketInput::quick(support, "x") }, d.now).await, Err(AppError::Invalid(_))));
}
