//! Store tests of tickets: the board, creation, edits, moves, visibility.

use crate::store::board::{board, DEFAULT_COLUMN_LIMIT};

use super::*;
use crate::store::fixtures::Demo;
use chrono::Duration;

async fn demo() -> Demo {
    Demo::new().await
}

fn input(team_id: i64, title: &str) -> TicketInput {
    TicketInput { priority: Priority::High, origin: Origin::Email, tags: vec!["Printer".into()], ..TicketInput::quick(team_id, title) }
}

fn column<'a>(board: &'a Board, name: &str) -> &'a BoardColumn {
    board.columns.iter().find(|c| c.stage.name == name).unwrap()
}

#[tokio::test]
async fn creation_numbers_references_and_derives_status() {
    let d = demo().await;
    let agent = d.user("agent1@demo.test").await;
    let support = d.team("Support").await;
    let first = create(&d.db, &agent, &input(support, "Printer offline"), d.now).await.unwrap();
    let second = create(&d.db, &agent, &input(support, "Printer offline again"), d.now).await.unwrap();
    assert_eq!(reference::parse(&second.reference), reference::parse(&first.reference).map(|n| n + 1));

    let unassigned = get(&d.db, &agent, &first.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(unassigned.status, TicketStatus::ActiveNew);
    assert_eq!(unassigned.stage.category, StageCategory::New);
    assert_eq!(unassigned.tags, vec!["printer"]);
    let history: Vec<_> = unassigned.timeline.iter().filter(|e| e.kind != TimelineKind::Sla).collect();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].kind, TimelineKind::Created);

    let mut assigned = input(support, "Assigned from the start");
    assigned.assignee_id = Some(agent.id);
    let card = create(&d.db, &agent, &assigned, d.now).await.unwrap();
    let detail = get(&d.db, &agent, &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.status, TicketStatus::ActiveAssigned);
    assert!(detail.timeline.iter().any(|e| e.kind == TimelineKind::Assigned && e.summary == "Assigned to Mia Wagner"));
}

#[tokio::test]
async fn bad_creation_input_changes_nothing() {
    let d = demo().await;
    let agent1 = d.user("agent1@demo.test").await;
    let before = d.ticket_count().await;
    let support = d.team("Support").await;
    let finance = d.team("Finance").await;
    let customer = d.user("customer@demo.test").await;
    let agent4 = d.user("agent4@demo.test").await;

    let cases: Vec<(CurrentUser, TicketInput)> = vec![
        (agent1.clone(), input(support, "  ")),
        (agent1.clone(), input(9_999, "Unknown team")),
        (agent1.clone(), input(finance, "Private team of others")),
        (customer.clone(), input(support, "Customers use the portal")),
        (agent1.clone(), TicketInput { assignee_id: Some(agent4.id + 100), ..input(support, "Unknown assignee") }),
        (agent1.clone(), TicketInput { assignee_id: Some(customer.id), ..input(support, "Customer as assignee") }),
        (agent1.clone(), TicketInput { subject_id: Some(9_999), ..input(support, "Unknown subject") }),
        (agent1.clone(), TicketInput { contact_id: Some(9_999), ..input(support, "Unknown contact") }),
    ];
    for (user, bad) in cases {
        let result = create(&d.db, &user, &bad, d.now).await;
        assert!(matches!(result, Err(AppError::Invalid(_) | AppError::NotFound(_) | AppError::Forbidden(_))), "{bad:?} gave {result:?}");
    }
    // Anyone internal who can see the team may be assigned, members of other teams too.
    let other_team = TicketInput { assignee_id: Some(agent4.id), ..input(support, "Assign to a Finance agent") };
    assert!(create(&d.db, &agent1, &other_team, d.now).await.is_ok());
    assert_eq!(d.ticket_count().await, before + 1);
}

#[tokio::test]
async fn inline_customer_is_created_with_its_account() {
    let d = demo().await;
    let agent = d.user("agent1@demo.test").await;
    let mut with_customer = input(d.team("Support").await, "New customer calls");
    with_customer.new_customer = Some(NewCustomer { name: "Rita Berger".into(), email: "rita@example.com".into(), account_name: "Berger AG".into() });
    let card = create(&d.db, &agent, &with_customer, d.now).await.unwrap();
    assert_eq!(card.customer.as_deref(), Some("Rita Berger"));
    let detail = get(&d.db, &agent, &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.customer.display().as_deref(), Some("Rita Berger · Berger AG"));
    // The same email again is a clear error, not a duplicate contact.
    let again = create(&d.db, &agent, &with_customer, d.now).await;
    assert!(matches!(again, Err(AppError::Invalid(m)) if m.contains("exists already")));
}

#[tokio::test]
async fn moves_check_version_team_and_record_the_timeline() {
    let d = demo().await;
    let agent = d.user("agent1@demo.test").await;
    let board_before = d.board("agent1@demo.test", "Support").await;
    let progress = column(&board_before, "In Progress").stage.id;
    let solved = column(&board_before, "Solved").stage.id;
    let card = create(&d.db, &agent, &input(board_before.team.id, "Move me"), d.now).await.unwrap();

    let moved = move_to_stage(&d.db, &agent, &card.reference, card.version, progress, None, d.now).await.unwrap();
    assert_eq!((moved.card.stage_id, moved.card.version), (progress, card.version + 1));

    let stale = move_to_stage(&d.db, &agent, &card.reference, card.version, solved, None, d.now).await;
    assert!(matches!(stale, Err(AppError::Conflict(m)) if m.contains("changed by someone else")));
    let detail = get(&d.db, &agent, &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.stage.id, progress, "a stale move changes nothing");

    let field_service = d.board("agent1@demo.test", "Field Service").await;
    let foreign = field_service.columns[1].stage.id;
    let wrong_team = move_to_stage(&d.db, &agent, &card.reference, moved.card.version, foreign, None, d.now).await;
    assert!(matches!(wrong_team, Err(AppError::Invalid(m)) if m.contains("another team")));

    let later = d.now + Duration::minutes(5);
    let closed = move_to_stage(&d.db, &agent, &card.reference, moved.card.version, solved, None, later).await.unwrap();
    let detail = get(&d.db, &agent, &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.status, TicketStatus::Resolved);
    assert!(detail.closed_at.is_some());
    assert_eq!(detail.timeline.iter().find(|e| e.kind == TimelineKind::Moved).unwrap().summary, "Stage: In Progress → Solved");

    move_to_stage(&d.db, &agent, &card.reference, closed.card.version, progress, None, later).await.unwrap();
    let reopened = get(&d.db, &agent, &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(reopened.status, TicketStatus::ActiveNew);
    assert_eq!(reopened.closed_at, None);
}

#[tokio::test]
async fn dropping_before_a_card_orders_the_column() {
    let d = demo().await;
    let agent = d.user("agent1@demo.test").await;
    let support = d.team("Support").await;
    let a = create(&d.db, &agent, &input(support, "A"), d.now).await.unwrap();
    let b = create(&d.db, &agent, &input(support, "B"), d.now).await.unwrap();
    let moved = move_to_stage(&d.db, &agent, &b.reference, b.version, b.stage_id, Some(&a.reference), d.now).await.unwrap();
    assert!(moved.card.position < a.position);
    let board = d.board("agent1@demo.test", "Support").await;
    let refs: Vec<&str> = column(&board, "New").cards.iter().map(|c| c.reference.as_str()).collect();
    let (ia, ib) = (refs.iter().position(|r| *r == a.reference), refs.iter().position(|r| *r == b.reference));
    assert!(ib < ia, "{refs:?}");
    let not_there = move_to_stage(&d.db, &agent, &a.reference, a.version, a.stage_id, Some("HD-1"), d.now).await;
    assert!(matches!(not_there, Err(AppError::Invalid(_))));
}

#[tokio::test]
async fn repeated_drops_at_one_spot_renumber_instead_of_colliding() {
    let d = demo().await;
    let agent = d.user("agent1@demo.test").await;
    let support = d.team("Support").await;
    let anchor = create(&d.db, &agent, &input(support, "Anchor"), d.now).await.unwrap();
    let mut cards = Vec::new();
    for i in 0..70 {
        let card = create(&d.db, &agent, &input(support, &format!("Card {i}")), d.now).await.unwrap();
        let moved = move_to_stage(&d.db, &agent, &card.reference, card.version, card.stage_id, Some(&anchor.reference), d.now).await.unwrap();
        cards.push(moved.card.reference);
    }
    let positions: Vec<f64> = sqlx::query_scalar("SELECT position FROM tickets WHERE stage_id = ? ORDER BY position")
        .bind(anchor.stage_id)
        .fetch_all(&d.db.read)
        .await
        .unwrap();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "positions stay distinct");
}

#[tokio::test]
async fn private_team_tickets_are_refused_to_outsiders() {
    let d = demo().await;
    let insider = d.user("agent4@demo.test").await;
    let outsider = d.user("agent1@demo.test").await;
    let finance = d.board("agent4@demo.test", "Finance").await;
    let card = finance.columns[0].cards[0].clone();

    assert!(get(&d.db, &insider, &card.reference, chrono::Utc::now()).await.is_ok());
    // Hidden reads exactly like missing: the same answer as for a ticket or team that does not exist.
    let hidden = get(&d.db, &outsider, &card.reference, chrono::Utc::now()).await;
    assert_eq!(hidden, Err(AppError::NotFound(format!("Ticket {} does not exist.", card.reference))));
    let moved = move_to_stage(&d.db, &outsider, &card.reference, card.version, finance.columns[1].stage.id, None, d.now).await;
    assert_eq!(moved.err(), hidden.err());
    let hidden_board = board(&d.db, &outsider, finance.team.id, &[], BoardView::default(), d.now).await;
    assert_eq!(hidden_board, Err(AppError::NotFound(format!("Team {} does not exist.", finance.team.id))));
    let missing_board = board(&d.db, &outsider, 999_999, &[], BoardView::default(), d.now).await;
    assert_eq!(missing_board, Err(AppError::NotFound("Team 999999 does not exist.".into())));
    let lead = d.user("lead@demo.test").await;
    assert!(get(&d.db, &lead, &card.reference, chrono::Utc::now()).await.is_ok(), "the lead is invited to Finance");

    assert!(matches!(get(&d.db, &insider, "not-a-ref", chrono::Utc::now()).await, Err(AppError::Invalid(_))));
    assert!(matches!(get(&d.db, &insider, "HD-999999", chrono::Utc::now()).await, Err(AppError::NotFound(_))));
}

#[tokio::test]
async fn customers_see_only_their_followed_public_tickets() {
    let d = demo().await;
    let customer = d.user("customer@demo.test").await;
    let followed: Vec<i64> = sqlx::query_scalar(
        "SELECT k.number FROM tickets k JOIN ticket_followers f ON f.ticket_id = k.id WHERE f.user_id = ?",
    )
    .bind(customer.id)
    .fetch_all(&d.db.read)
    .await
    .unwrap();
    assert!(!followed.is_empty());
    let mine = reference::format(followed[0]);
    let shown = crate::store::portal::ticket(&d.db, &customer, &mine).await.unwrap();
    assert!(shown.timeline.iter().all(|e| e.kind.customer_visible()), "internal lines stay internal");
    assert!(shown.timeline.iter().all(|e| e.actor.is_none() || e.actor.as_deref() == Some(customer.name.as_str())), "no staff names");
    let listed = crate::store::portal::my_tickets(&d.db, &customer).await.unwrap();
    assert!(listed.iter().any(|t| t.reference == mine));
    // The staff view is not theirs, not even of their own ticket.
    assert!(matches!(get(&d.db, &customer, &mine, d.now).await, Err(AppError::Forbidden(_))));
    let other: i64 = sqlx::query_scalar("SELECT number FROM tickets WHERE id NOT IN (SELECT ticket_id FROM ticket_followers WHERE user_id = ?) LIMIT 1")
        .bind(customer.id)
        .fetch_one(&d.db.read)
        .await
        .unwrap();
    let other = reference::format(other);
    let hidden = crate::store::portal::ticket(&d.db, &customer, &other).await;
    assert_eq!(hidden, Err(AppError::NotFound(format!("Ticket {other} does not exist."))));
    assert!(listed.iter().all(|t| t.reference != other));
    let version: i64 = sqlx::query_scalar("SELECT version FROM tickets WHERE number = ?").bind(followed[0]).fetch_one(&d.db.read).await.unwrap();
    let stage: i64 = sqlx::query_scalar("SELECT id FROM stages WHERE team_id = (SELECT team_id FROM tickets WHERE number = ?) ORDER BY position DESC LIMIT 1")
        .bind(followed[0])
        .fetch_one(&d.db.read)
        .await
        .unwrap();
    let moved = move_to_stage(&d.db, &customer, &mine, version, stage, None, d.now).await;
    assert!(matches!(moved, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn edits_are_versioned_and_described_field_by_field() {
    let d = demo().await;
    let agent = d.user("agent1@demo.test").await;
    let support = d.team("Support").await;
    let field_service = d.team("Field Service").await;
    let card = create(&d.db, &agent, &input(support, "Old title"), d.now).await.unwrap();

    let mut edit = input(support, "New title");
    edit.priority = Priority::Urgent;
    edit.assignee_id = Some(agent.id);
    let updated = update(&d.db, &agent, &card.reference, card.version, &edit, false, d.now).await.unwrap();
    assert_eq!(updated.team_ids, vec![support]);
    let detail = updated.detail;
    assert_eq!(detail.status, TicketStatus::ActiveAssigned);
    let edited = detail.timeline.iter().find(|e| e.kind == TimelineKind::Edited).unwrap();
    assert_eq!(edited.summary, "Title: Old title → New title\nPriority: High → Urgent");
    assert!(detail.timeline.iter().any(|e| e.kind == TimelineKind::Assigned));

    let lead = d.user("lead@demo.test").await;
    let reassigned = update(&d.db, &agent, &card.reference, detail.version, &TicketInput { assignee_id: Some(lead.id), ..edit.clone() }, false, d.now + Duration::seconds(1))
        .await
        .unwrap();
    let recent: Vec<String> = form_options(&d.db, &agent, d.now).await.unwrap().recent_agents.into_iter().map(|a| a.name).collect();
    assert_eq!(recent, vec!["Lena Lead", "Mia Wagner"], "latest first");
    let detail = reassigned.detail;

    let stale = update(&d.db, &agent, &card.reference, card.version, &input(support, "Lost update"), false, d.now).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))));
    assert_eq!(get(&d.db, &agent, &card.reference, chrono::Utc::now()).await.unwrap().title, "New title");

    let moved_team = update(&d.db, &agent, &card.reference, detail.version, &TicketInput { team_id: field_service, ..edit.clone() }, false, d.now)
        .await
        .unwrap();
    assert_eq!(moved_team.team_ids, vec![support, field_service]);
    assert_eq!(moved_team.detail.team.id, field_service);
    assert_eq!(moved_team.detail.stage.category, StageCategory::New);
    assert!(moved_team.detail.timeline.iter().filter(|e| e.kind != TimelineKind::Sla).take(3).any(|e| e.summary.starts_with("Team: Support › New → Field Service › New")));
}

#[tokio::test]
async fn board_pages_long_columns_but_counts_everything() {
    let d = demo().await;
    let agent = d.user("agent1@demo.test").await;
    let support = d.team("Support").await;
    for i in 0..DEFAULT_COLUMN_LIMIT + 5 {
        create(&d.db, &agent, &input(support, &format!("Bulk {i}")), d.now).await.unwrap();
    }
    let full = d.board("agent1@demo.test", "Support").await;
    let new = column(&full, "New");
    assert_eq!(new.cards.len() as i64, DEFAULT_COLUMN_LIMIT);
    assert!(new.total > DEFAULT_COLUMN_LIMIT);
    let more = board(&d.db, &agent, support, &[ColumnLimit { stage_id: new.stage.id, limit: new.total }], BoardView::default(), d.now).await.unwrap();
    assert_eq!(column(&more, "New").cards.len() as i64, new.total);
}
