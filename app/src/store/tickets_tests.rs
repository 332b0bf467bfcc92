//! Store tests of tickets: the board, creation, edits, moves, visibility.

use crate::store::board::{board, DEFAULT_COLUMN_LIMIT};

use super::*;
use crate::store::fixtures::Org;
use chrono::Duration;

async fn ticket_count(org: &Org) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM tickets").fetch_one(&org.db.read).await.unwrap()
}

/// Support's board as the agent sees it.
async fn support_board(org: &Org) -> Board {
    board(&org.db, &org.agent, org.team_id, &[], BoardView::default(), org.now).await.unwrap()
}

fn input(team_id: i64, title: &str) -> TicketInput {
    TicketInput { priority: Priority::High, origin: Origin::Email, tags: vec!["Printer".into()], ..TicketInput::quick(team_id, title) }
}

fn column<'a>(board: &'a Board, name: &str) -> &'a BoardColumn {
    board.columns.iter().find(|c| c.stage.name == name).unwrap()
}

#[tokio::test]
async fn creation_numbers_references_and_derives_status() {
    let org = Org::new().await;
    let (db, agent, support) = (&org.db, &org.agent, org.team_id);
    let first = create(db, agent, &input(support, "Printer offline"), org.now).await.unwrap();
    let second = create(db, agent, &input(support, "Printer offline again"), org.now).await.unwrap();
    assert_eq!(reference::parse(&second.reference), reference::parse(&first.reference).map(|n| n + 1));

    let unassigned = get(db, agent, &first.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(unassigned.status, TicketStatus::ActiveNew);
    assert_eq!(unassigned.stage.category, StageCategory::New);
    assert_eq!(unassigned.tags, vec!["printer"]);
    let history: Vec<_> = unassigned.timeline.iter().filter(|e| e.kind != TimelineKind::Sla).collect();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].kind, TimelineKind::Created);

    let mut assigned = input(support, "Assigned from the start");
    assigned.assignee_id = Some(agent.id);
    let card = create(db, agent, &assigned, org.now).await.unwrap();
    let detail = get(db, agent, &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.status, TicketStatus::ActiveAssigned);
    assert!(detail.timeline.iter().any(|e| e.kind == TimelineKind::Assigned && e.summary == format!("Assigned to {}", agent.name)));
}

#[tokio::test]
async fn bad_creation_input_changes_nothing() {
    let org = Org::new().await;
    let (db, agent, support) = (&org.db, &org.agent, org.team_id);
    let finance = org.private_team("Finance").await;
    let customer = org.customer().await;
    let before = ticket_count(&org).await;

    let cases: Vec<(&CurrentUser, TicketInput)> = vec![
        (agent, input(support, "  ")),
        (agent, input(9_999, "Unknown team")),
        (agent, input(finance.id, "Private team of others")),
        (&customer, input(support, "Customers use the portal")),
        (agent, TicketInput { assignee_id: Some(9_999), ..input(support, "Unknown assignee") }),
        (agent, TicketInput { assignee_id: Some(customer.id), ..input(support, "Customer as assignee") }),
        (agent, TicketInput { subject_id: Some(9_999), ..input(support, "Unknown subject") }),
        (agent, TicketInput { contact_id: Some(9_999), ..input(support, "Unknown contact") }),
    ];
    for (user, bad) in cases {
        let result = create(db, user, &bad, org.now).await;
        assert!(matches!(result, Err(AppError::Invalid(_) | AppError::NotFound(_) | AppError::Forbidden(_))), "{bad:?} gave {result:?}");
    }
    // Anyone internal who can see the team may be assigned, members of other teams too.
    let other_team = TicketInput { assignee_id: Some(finance.insider.id), ..input(support, "Assign to a Finance agent") };
    assert!(create(db, agent, &other_team, org.now).await.is_ok());
    assert_eq!(ticket_count(&org).await, before + 1);
}

#[tokio::test]
async fn inline_customer_is_created_with_its_account() {
    let org = Org::new().await;
    let (db, agent) = (&org.db, &org.agent);
    let mut with_customer = input(org.team_id, "New customer calls");
    with_customer.new_customer = Some(NewCustomer { name: "Rita Berger".into(), email: "rita@example.com".into(), account_name: "Berger AG".into() });
    let card = create(db, agent, &with_customer, org.now).await.unwrap();
    assert_eq!(card.customer.as_deref(), Some("Rita Berger"));
    let detail = get(db, agent, &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.customer.display().as_deref(), Some("Rita Berger · Berger AG"));
    // The same email again is a clear error, not a duplicate contact.
    let again = create(db, agent, &with_customer, org.now).await;
    assert!(matches!(again, Err(AppError::Invalid(m)) if m.contains("exists already")));
}

#[tokio::test]
async fn moves_check_version_team_and_record_the_timeline() {
    let org = Org::new().await;
    let (db, agent) = (&org.db, &org.agent);
    let (progress, solved) = (org.stages.in_progress.id, org.stages.solved.id);
    let card = create(db, agent, &input(org.team_id, "Move me"), org.now).await.unwrap();

    let moved = move_to_stage(db, agent, &card.reference, card.version, progress, None, None, org.now).await.unwrap();
    assert_eq!((moved.card.stage_id, moved.card.version), (progress, card.version + 1));

    let stale = move_to_stage(db, agent, &card.reference, card.version, solved, None, None, org.now).await;
    assert!(matches!(stale, Err(AppError::Conflict(m)) if m.contains("changed by someone else")));
    let detail = get(db, agent, &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.stage.id, progress, "a stale move changes nothing");

    let (_, field_service) = org.team("Field Service", "company", &[org.other_agent.id]).await;
    let wrong_team = move_to_stage(db, agent, &card.reference, moved.card.version, field_service.in_progress.id, None, None, org.now).await;
    assert!(matches!(wrong_team, Err(AppError::Invalid(m)) if m.contains("another team")));

    let later = org.now + Duration::minutes(5);
    let closed = move_to_stage(db, agent, &card.reference, moved.card.version, solved, None, Some(&org.fixed("Fixed it").await), later).await.unwrap();
    let detail = get(db, agent, &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.status, TicketStatus::Resolved);
    assert!(detail.closed_at.is_some());
    assert_eq!(detail.timeline.iter().find(|e| e.kind == TimelineKind::Moved).unwrap().summary, "Stage: In progress → Solved");

    move_to_stage(db, agent, &card.reference, closed.card.version, progress, None, None, later).await.unwrap();
    let reopened = get(db, agent, &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(reopened.status, TicketStatus::ActiveNew);
    assert_eq!(reopened.closed_at, None);
}

#[tokio::test]
async fn dropping_before_a_card_orders_the_column() {
    let org = Org::new().await;
    let (db, agent) = (&org.db, &org.agent);
    let a = create(db, agent, &input(org.team_id, "A"), org.now).await.unwrap();
    let b = create(db, agent, &input(org.team_id, "B"), org.now).await.unwrap();
    let moved = move_to_stage(db, agent, &b.reference, b.version, b.stage_id, Some(&a.reference), None, org.now).await.unwrap();
    assert!(moved.card.position < a.position);
    let board = support_board(&org).await;
    let refs: Vec<&str> = column(&board, "New").cards.iter().map(|c| c.reference.as_str()).collect();
    let (ia, ib) = (refs.iter().position(|r| *r == a.reference), refs.iter().position(|r| *r == b.reference));
    assert!(ib < ia, "{refs:?}");
    let not_there = move_to_stage(db, agent, &a.reference, a.version, a.stage_id, Some("HD-1"), None, org.now).await;
    assert!(matches!(not_there, Err(AppError::Invalid(_))));
}

#[tokio::test]
async fn repeated_drops_at_one_spot_renumber_instead_of_colliding() {
    let org = Org::new().await;
    let (db, agent) = (&org.db, &org.agent);
    let anchor = create(db, agent, &input(org.team_id, "Anchor"), org.now).await.unwrap();
    let mut cards = Vec::new();
    for i in 0..70 {
        let card = create(db, agent, &input(org.team_id, &format!("Card {i}")), org.now).await.unwrap();
        let moved = move_to_stage(db, agent, &card.reference, card.version, card.stage_id, Some(&anchor.reference), None, org.now).await.unwrap();
        cards.push(moved.card.reference);
    }
    let positions: Vec<f64> = sqlx::query_scalar("SELECT position FROM tickets WHERE stage_id = ? ORDER BY position")
        .bind(anchor.stage_id)
        .fetch_all(&db.read)
        .await
        .unwrap();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "positions stay distinct");
}

#[tokio::test]
async fn private_team_tickets_are_refused_to_outsiders() {
    let org = Org::new().await;
    let finance = org.private_team("Finance").await;
    let (db, insider, outsider) = (&org.db, &finance.insider, &org.agent);
    let card = create(db, insider, &input(finance.id, "Invoice charged twice"), org.now).await.unwrap();

    assert!(get(db, insider, &card.reference, chrono::Utc::now()).await.is_ok());
    // Hidden reads exactly like missing: the same answer as for a ticket or team that does not exist.
    let hidden = get(db, outsider, &card.reference, chrono::Utc::now()).await;
    assert_eq!(hidden, Err(AppError::NotFound(format!("Ticket {} does not exist.", card.reference))));
    let moved = move_to_stage(db, outsider, &card.reference, card.version, finance.stages.in_progress.id, None, None, org.now).await;
    assert_eq!(moved.err(), hidden.err());
    let hidden_board = board(db, outsider, finance.id, &[], BoardView::default(), org.now).await;
    assert_eq!(hidden_board, Err(AppError::NotFound(format!("Team {} does not exist.", finance.id))));
    let missing_board = board(db, outsider, 999_999, &[], BoardView::default(), org.now).await;
    assert_eq!(missing_board, Err(AppError::NotFound("Team 999999 does not exist.".into())));
    assert!(get(db, &org.lead, &card.reference, chrono::Utc::now()).await.is_ok(), "the lead is invited to Finance");

    assert!(matches!(get(db, insider, "not-a-ref", chrono::Utc::now()).await, Err(AppError::Invalid(_))));
    assert!(matches!(get(db, insider, "HD-999999", chrono::Utc::now()).await, Err(AppError::NotFound(_))));
}

#[tokio::test]
async fn customers_see_only_their_followed_public_tickets() {
    let org = Org::new().await;
    let (db, agent) = (&org.db, &org.agent);
    let customer = org.customer().await;
    let (help_desk, stages) = org.team("Help desk", "public", &[agent.id]).await;
    let card = create(db, agent, &input(help_desk, "My printer is broken"), org.now).await.unwrap();
    // Staff work on it: their names and internal lines must stay out of the customer's view.
    let worked = move_to_stage(db, agent, &card.reference, card.version, stages.in_progress.id, None, None, org.now).await.unwrap().card;
    org.follow(&card.reference, customer.id).await;
    let mine = card.reference;
    let shown = crate::store::portal::ticket(db, &customer, &mine).await.unwrap();
    assert!(shown.timeline.iter().all(|e| e.kind.customer_visible()), "internal lines stay internal");
    assert!(shown.timeline.iter().all(|e| e.actor.is_none() || e.actor.as_deref() == Some(customer.name.as_str())), "no staff names");
    let listed = crate::store::portal::my_tickets(db, &customer).await.unwrap();
    assert!(listed.iter().any(|t| t.reference == mine));
    // The staff view is not theirs, not even of their own ticket.
    assert!(matches!(get(db, &customer, &mine, org.now).await, Err(AppError::Forbidden(_))));
    let other = create(db, agent, &input(help_desk, "Someone else's printer"), org.now).await.unwrap().reference;
    let hidden = crate::store::portal::ticket(db, &customer, &other).await;
    assert_eq!(hidden, Err(AppError::NotFound(format!("Ticket {other} does not exist."))));
    assert!(listed.iter().all(|t| t.reference != other));
    let moved = move_to_stage(db, &customer, &mine, worked.version, stages.cancelled.id, None, None, org.now).await;
    assert!(matches!(moved, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn edits_are_versioned_and_described_field_by_field() {
    let org = Org::new().await;
    let (db, agent, lead, support) = (&org.db, &org.agent, &org.lead, org.team_id);
    let (field_service, _) = org.team("Field Service", "company", &[org.other_agent.id]).await;
    let card = create(db, agent, &input(support, "Old title"), org.now).await.unwrap();

    let mut edit = input(support, "New title");
    edit.priority = Priority::Urgent;
    edit.assignee_id = Some(agent.id);
    let updated = update(db, agent, &card.reference, card.version, &edit, false, org.now).await.unwrap();
    assert_eq!(updated.team_ids, vec![support]);
    let detail = updated.detail;
    assert_eq!(detail.status, TicketStatus::ActiveAssigned);
    let edited = detail.timeline.iter().find(|e| e.kind == TimelineKind::Edited).unwrap();
    assert_eq!(edited.summary, "Title: Old title → New title\nPriority: High → Urgent");
    assert!(detail.timeline.iter().any(|e| e.kind == TimelineKind::Assigned));

    let reassigned = update(db, agent, &card.reference, detail.version, &TicketInput { assignee_id: Some(lead.id), ..edit.clone() }, false, org.now + Duration::seconds(1))
        .await
        .unwrap();
    let recent: Vec<String> = form_options(db, agent, org.now).await.unwrap().recent_agents.into_iter().map(|a| a.name).collect();
    assert_eq!(recent, vec![lead.name.clone(), agent.name.clone()], "latest first");
    let detail = reassigned.detail;

    let stale = update(db, agent, &card.reference, card.version, &input(support, "Lost update"), false, org.now).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))));
    assert_eq!(get(db, agent, &card.reference, chrono::Utc::now()).await.unwrap().title, "New title");

    let moved_team = update(db, agent, &card.reference, detail.version, &TicketInput { team_id: field_service, ..edit.clone() }, false, org.now)
        .await
        .unwrap();
    assert_eq!(moved_team.team_ids, vec![support, field_service]);
    assert_eq!(moved_team.detail.team.id, field_service);
    assert_eq!(moved_team.detail.stage.category, StageCategory::New);
    assert!(moved_team.detail.timeline.iter().filter(|e| e.kind != TimelineKind::Sla).take(3).any(|e| e.summary.starts_with("Team: Support › New → Field Service › New")));
}

#[tokio::test]
async fn board_pages_long_columns_but_counts_everything() {
    let org = Org::new().await;
    let (db, agent, support) = (&org.db, &org.agent, org.team_id);
    for i in 0..DEFAULT_COLUMN_LIMIT + 5 {
        create(db, agent, &input(support, &format!("Bulk {i}")), org.now).await.unwrap();
    }
    let full = support_board(&org).await;
    let new = column(&full, "New");
    assert_eq!(new.cards.len() as i64, DEFAULT_COLUMN_LIMIT);
    assert!(new.total > DEFAULT_COLUMN_LIMIT);
    let more = board(db, agent, support, &[ColumnLimit { stage_id: new.stage.id, limit: new.total }], BoardView::default(), org.now).await.unwrap();
    assert_eq!(column(&more, "New").cards.len() as i64, new.total);
}

#[tokio::test]
async fn a_child_ticket_inherits_team_and_customer_and_links_back() {
    let org = Org::new().await;
    let (db, agent) = (&org.db, &org.agent);
    let acme = org.account("Acme").await;
    let parent = create(db, agent, &TicketInput { account_id: Some(acme), ..input(org.team_id, "Office move") }, org.now).await.unwrap();
    let child = create_child(db, &org.other_agent, &parent.reference, "  Patch the ports ", org.now).await.unwrap();
    assert_eq!((child.team_id, child.title.as_str()), (org.team_id, "Patch the ports"));

    let shown = get(db, agent, &child.reference, org.now).await.unwrap();
    assert_eq!(shown.customer.account_id, Some(acme));
    assert_eq!(shown.stage.category, StageCategory::New);
    assert_eq!(shown.relations.parent, Some(TicketLink { reference: parent.reference.clone(), title: "Office move".into() }));
    assert!(shown.timeline.iter().any(|e| e.kind == TimelineKind::Child && e.summary == format!("Child ticket of {}", parent.reference)));

    let parent_shown = get(db, agent, &parent.reference, org.now).await.unwrap();
    assert_eq!(parent_shown.relations.children.len(), 1);
    let listed = &parent_shown.relations.children[0];
    assert_eq!((listed.reference.as_str(), listed.stage_name.as_str(), listed.status), (child.reference.as_str(), "New", TicketStatus::ActiveNew));
    assert!(parent_shown.timeline.iter().any(|e| e.kind == TimelineKind::Child && e.summary.contains(&child.reference)));
    assert_eq!(parent_shown.version, parent.version, "adding a child does not make open parent forms stale");

    let customer = org.customer().await;
    let finance = org.private_team("Finance").await;
    let hidden = create(db, &finance.insider, &input(finance.id, "Refund"), org.now).await.unwrap();
    let before = ticket_count(&org).await;
    assert!(matches!(create_child(db, &customer, &parent.reference, "Sneaky", org.now).await, Err(AppError::Forbidden(_))));
    assert!(matches!(create_child(db, agent, &parent.reference, "   ", org.now).await, Err(AppError::Invalid(_))));
    assert!(matches!(create_child(db, agent, &hidden.reference, "Peek", org.now).await, Err(AppError::NotFound(_))));
    assert_eq!(ticket_count(&org).await, before, "refusals create nothing");
}

#[tokio::test]
async fn the_service_order_is_edited_with_the_form_and_on_the_timeline() {
    let org = Org::new().await;
    let card = org.ticket("Billable visit").await;
    let detail = get(&org.db, &org.agent, &card.reference, org.now).await.unwrap();
    let edit = TicketInput { service_order: " SO-2041 ".into(), ..TicketInput::quick(org.team_id, "Billable visit") };
    let updated = update(&org.db, &org.agent, &card.reference, detail.version, &edit, false, org.now).await.unwrap();
    assert_eq!(updated.detail.service_order, "SO-2041");
    assert!(updated.detail.timeline.iter().any(|e| e.kind == TimelineKind::Edited && e.summary.contains("Service order") && e.summary.contains("SO-2041")));
}
