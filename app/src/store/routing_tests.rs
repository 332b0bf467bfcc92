use super::*;
use crate::store::fixtures::Org;
use crate::store::tickets;
use chrono::Duration;

/// Inserts a named row (subject, reason code, service type, unit type) and returns its id.
async fn named(org: &Org, table: &str, name: &str) -> i64 {
    sqlx::query_scalar(&format!("INSERT INTO {table} (name) VALUES (?) RETURNING id")).bind(name).fetch_one(&org.db.write).await.unwrap()
}

/// Inserts a named row below `parent_id` in a tree (subjects, reason codes) and returns its id.
async fn named_below(org: &Org, table: &str, parent_id: i64, name: &str) -> i64 {
    sqlx::query_scalar(&format!("INSERT INTO {table} (parent_id, name) VALUES (?, ?) RETURNING id"))
        .bind(parent_id)
        .bind(name)
        .fetch_one(&org.db.write)
        .await
        .unwrap()
}

fn move_to(team_id: i64) -> RoutingActions {
    RoutingActions { team_id: Some(team_id), ..Default::default() }
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
    let org = Org::new().await;
    let (db, agent, support) = (&org.db, &org.agent, org.team_id);
    let (field_service, _) = org.team("Field Service", "company", &[org.other_agent.id]).await;
    sqlx::query("UPDATE teams SET assignment_method = 'equal_open' WHERE id = ?").bind(field_service).execute(&db.write).await.unwrap();
    let field_work = named(&org, "subjects", "Field work").await;
    let repair = named_below(&org, "subjects", field_work, "Repair").await;
    let on_site = RoutingRuleInput {
        name: "On-site work goes to Field Service".into(),
        enabled: true,
        conditions: RoutingConditions { subject_ids: vec![field_work], ..Default::default() },
        actions: move_to(field_service),
    };
    save(db, &org.admin, None, None, &on_site).await.unwrap();
    save(db, &org.admin, None, None, &keyword_rule("Outages are urgent", "outage", RoutingActions { priority: Some(Priority::Urgent), ..Default::default() })).await.unwrap();

    let input = TicketInput { subject_id: Some(repair), ..TicketInput::quick(support, "Door sensor broken") };
    let card = tickets::create(db, agent, &input, org.now).await.unwrap();
    assert_eq!(card.team_id, field_service, "Repair is below Field work");
    let detail = tickets::get(db, agent, &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.stage.name, "New");
    let routed = detail.timeline.iter().find(|e| e.kind == TimelineKind::Routed).expect("routing is on the timeline");
    assert_eq!(routed.summary, "Routed by rule \"On-site work goes to Field Service\": Team: Support → Field Service › New");
    // Field Service assigns by equal open, so the handed-over ticket gets a member right away.
    assert_eq!(detail.status, TicketStatus::ActiveAssigned);
    assert!(detail.timeline.iter().any(|e| e.summary.contains("automatically (equal open")));

    let other = org.ticket("Mouse wheel squeaks").await;
    assert_eq!(other.team_id, support, "no rule matches");
    let urgent = org.ticket("Total OUTAGE at HQ").await;
    assert_eq!((urgent.team_id, urgent.priority), (support, Priority::Urgent), "keywords ignore case");
}

#[tokio::test]
async fn rules_are_tried_in_order_and_the_first_match_wins() {
    let org = Org::new().await;
    let (db, lead) = (&org.db, &org.lead);
    let high = save(db, lead, None, None, &keyword_rule("High printers", "printer", RoutingActions { priority: Some(Priority::High), ..Default::default() }))
        .await
        .unwrap();
    let low = save(db, lead, None, None, &keyword_rule("Low printers", "printer", RoutingActions { priority: Some(Priority::Low), ..Default::default() }))
        .await
        .unwrap();
    let card = org.ticket("Printer on fire").await;
    assert_eq!(card.priority, Priority::High, "the earlier rule wins");

    let order = reorder(db, lead, low.id, low.version, 0).await.unwrap();
    assert_eq!(order[0].id, low.id);
    let card = org.ticket("Printer again").await;
    assert_eq!(card.priority, Priority::Low, "now the other one is first");
    assert!(matches!(reorder(db, lead, high.id, high.version, 0).await, Err(AppError::Conflict(_))), "stale version");

    let low_now = order.iter().find(|r| r.id == low.id).unwrap();
    save(db, lead, Some(low.id), Some(low_now.version), &RoutingRuleInput { enabled: false, ..low_now.rule.clone() }).await.unwrap();
    let card = org.ticket("Printer three").await;
    assert_eq!(card.priority, Priority::High, "a disabled rule is skipped");
}

#[tokio::test]
async fn invalid_rules_and_unauthorized_editors_are_refused_and_change_nothing() {
    let org = Org::new().await;
    let (db, lead, agent) = (&org.db, &org.lead, &org.agent);
    let (field_service, _) = org.team("Field Service", "company", &[org.other_agent.id]).await;
    let finance = org.private_team("Finance").await;
    // A saved rule that refused saves must leave as it is.
    save(db, lead, None, None, &keyword_rule("Outages are urgent", "outage", RoutingActions { priority: Some(Priority::Urgent), ..Default::default() })).await.unwrap();
    let before = setup(db, lead).await.unwrap().rules;
    let good = keyword_rule("Printers", "printer", move_to(field_service));
    assert!(matches!(save(db, agent, None, None, &good).await, Err(AppError::Forbidden(_))));
    let unknown_subject = RoutingRuleInput { conditions: RoutingConditions { subject_ids: vec![9_999], ..Default::default() }, ..good.clone() };
    assert!(matches!(save(db, lead, None, None, &unknown_subject).await, Err(AppError::Invalid(m)) if m == "Subject 9999 does not exist."));
    let unknown_team = RoutingRuleInput { actions: move_to(9_999), ..good.clone() };
    assert!(matches!(save(db, lead, None, None, &unknown_team).await, Err(AppError::Invalid(_))));
    let outsider = RoutingRuleInput {
        actions: RoutingActions { team_id: Some(finance.id), assignee_id: Some(agent.id), ..Default::default() },
        ..good.clone()
    };
    assert!(matches!(save(db, lead, None, None, &outsider).await, Err(AppError::Invalid(_))), "the agent cannot see Finance");
    let no_condition = RoutingRuleInput { conditions: RoutingConditions::default(), ..good.clone() };
    assert!(matches!(save(db, lead, None, None, &no_condition).await, Err(AppError::Invalid(_))));
    assert!(matches!(save(db, lead, Some(before[0].id), None, &good).await, Err(AppError::Invalid(_))), "id without version");
    assert_eq!(setup(db, lead).await.unwrap().rules, before);
    assert!(matches!(setup(db, &org.customer().await).await, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn save_and_route_and_bulk_apply_route_existing_tickets() {
    let org = Org::new().await;
    let (db, lead, agent, support) = (&org.db, &org.lead, &org.agent, org.team_id);
    let (field_service, _) = org.team("Field Service", "company", &[org.other_agent.id]).await;
    let finance = org.private_team("Finance").await;
    let finance_ticket = tickets::create(db, &finance.insider, &TicketInput::quick(finance.id, "Refund for a wombat"), org.now).await.unwrap().reference;
    let first = org.ticket("Wombat in the server room").await;
    let second = org.ticket("Another wombat").await;
    let bystander = org.ticket("Nothing to see").await;
    save(db, lead, None, None, &keyword_rule("Wombats on site", "wombat", move_to(field_service))).await.unwrap();

    let detail = tickets::get(db, agent, &first.reference, chrono::Utc::now()).await.unwrap();
    let mut edit = TicketInput::quick(support, "Wombat in the server room");
    edit.description = "It bites.".into();
    let plain = tickets::update(db, agent, &first.reference, detail.version, &edit, false, org.now).await.unwrap();
    assert_eq!((plain.detail.team.id, plain.routed_by), (support, None), "a plain save does not route");
    let routed = tickets::update(db, agent, &first.reference, plain.detail.version, &edit, true, org.now).await.unwrap();
    assert_eq!(routed.routed_by.as_deref(), Some("Wombats on site"));
    assert_eq!(routed.detail.team.id, field_service);
    assert_eq!(routed.team_ids, vec![support, field_service], "both boards refresh");

    let refs = vec![second.reference.clone(), bystander.reference.clone(), first.reference.clone()];
    let (outcome, teams) = tickets::apply_routing(db, agent, &refs, org.now).await.unwrap();
    assert_eq!(outcome.routed, vec![format!("{}: Wombats on site", second.reference)]);
    assert_eq!(outcome.unchanged, 2, "no rule for the bystander; the first is already there");
    assert_eq!(teams, vec![support, field_service]);

    assert!(matches!(tickets::apply_routing(db, agent, &[second.reference.clone(), finance_ticket], org.now).await, Err(AppError::NotFound(_))), "the agent cannot see Finance");
    assert!(matches!(tickets::apply_routing(db, agent, &[], org.now).await, Err(AppError::Invalid(_))));
}

#[tokio::test]
async fn service_type_unit_type_and_reason_conditions_route_tickets() {
    let org = Org::new().await;
    let (db, lead, agent, support) = (&org.db, &org.lead, &org.agent, org.team_id);
    let (field_service, _) = org.team("Field Service", "company", &[org.other_agent.id]).await;
    let on_site = named(&org, "service_types", "On-site").await;
    let to_field_service = RoutingRuleInput {
        name: "On-site service goes to Field Service".into(),
        enabled: true,
        conditions: RoutingConditions { service_type_ids: vec![on_site], ..Default::default() },
        actions: move_to(field_service),
    };
    save(db, &org.admin, None, None, &to_field_service).await.unwrap();
    let card = tickets::create(db, agent, &TicketInput { service_type_id: Some(on_site), ..TicketInput::quick(support, "Install a switch") }, org.now).await.unwrap();
    assert_eq!(card.team_id, field_service, "the on-site rule");

    let routers = named(&org, "unit_types", "Router").await;
    let malfunction = named(&org, "reason_codes", "Malfunction").await;
    let fault = named_below(&org, "reason_codes", malfunction, "Hardware fault").await;
    let request = named(&org, "reason_codes", "Request").await;
    let information = named_below(&org, "reason_codes", request, "Information").await;
    let conditions = RoutingConditions { unit_type_ids: vec![routers], reason_ids: vec![malfunction], ..Default::default() };
    let raise = RoutingActions { priority: Some(Priority::Urgent), ..Default::default() };
    save(db, lead, None, None, &RoutingRuleInput { name: "Broken routers are urgent".into(), enabled: true, conditions, actions: raise }).await.unwrap();
    let unit: i64 = sqlx::query_scalar(
        "INSERT INTO units (serial, item, unit_type_id, account_id, warranty_until, contract) VALUES ('RX2-1001', 'Router X200', ?, ?, ?, 'Gold support') RETURNING id",
    )
    .bind(routers)
    .bind(org.account("Acme GmbH").await)
    .bind((org.now + Duration::days(420)).date_naive())
    .fetch_one(&db.write)
    .await
    .unwrap();
    let input = TicketInput { unit_id: Some(unit), reason_id: Some(fault), ..TicketInput::quick(support, "Router reboots") };
    let urgent = tickets::create(db, agent, &input, org.now).await.unwrap();
    assert_eq!(urgent.priority, Priority::Urgent, "a router, and a fault below Malfunction");
    let calm = tickets::create(db, agent, &TicketInput { reason_id: Some(information), ..input }, org.now).await.unwrap();
    assert_eq!(calm.priority, Priority::Normal, "a question about a router is not a fault");
    let detail = tickets::get(db, agent, &urgent.reference, chrono::Utc::now()).await.unwrap();
    let shown = detail.unit.unwrap();
    assert_eq!((shown.serial.as_str(), shown.contract.as_str(), shown.unit_type.as_deref()), ("RX2-1001", "Gold support", Some("Router")));
    assert!(shown.warranty_until.unwrap() > org.now.date_naive());
    assert!(matches!(tickets::create(db, agent, &TicketInput { unit_id: Some(9_999), ..TicketInput::quick(support, "x") }, org.now).await, Err(AppError::Invalid(_))));
}
