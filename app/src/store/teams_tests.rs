use crate::store::lookup::stages_of;
use super::*;
use crate::store::fixtures::Org;
use crate::model::TicketInput;
use crate::store::tickets;

async fn names(db: &Db, team_id: i64) -> Vec<String> {
    let mut conn = db.read.acquire().await.unwrap();
    stages_of(&mut conn, team_id).await.unwrap().into_iter().map(|s| s.name).collect()
}

#[tokio::test]
async fn leads_create_rename_reorder_and_fold_stages() {
    let org = Org::new().await;
    let (db, lead, support) = (&org.db, &org.lead, org.team_id);
    let review = create_stage(db, lead, support, " Review ", StageCategory::InProgress).await.unwrap();
    assert_eq!(names(db, support).await.last().map(String::as_str), Some("Review"));

    let renamed = rename_stage(db, lead, review.id, review.version, "Peer review").await.unwrap();
    let stages = reorder_stage(db, lead, renamed.id, renamed.version, 1).await.unwrap();
    assert_eq!(stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>()[..3], ["New", "Peer review", "In progress"]);
    assert!(stages.windows(2).all(|w| w[0].position < w[1].position));

    let moved = stages.iter().find(|s| s.id == review.id).unwrap();
    let folded = set_stage_folded(db, lead, moved.id, moved.version, true).await.unwrap();
    assert!(folded.folded);
    let stale = rename_stage(db, lead, review.id, moved.version, "Too late").await;
    assert!(matches!(stale, Err(AppError::Conflict(_))));
}

#[tokio::test]
async fn settings_are_versioned_and_going_private_drops_portal_followers() {
    let org = Org::new().await;
    let (db, lead, agent, admin) = (&org.db, &org.lead, &org.agent, &org.admin);
    let (help_desk, _) = org.team("Help desk", "public", &[lead.id, agent.id]).await;
    let customer = org.customer().await;
    let followed = tickets::create(db, agent, &TicketInput::quick(help_desk, "My printer is broken"), org.now).await.unwrap();
    org.follow(&followed.reference, customer.id).await;
    let customer_follows = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM ticket_followers f JOIN users u ON u.id = f.user_id WHERE u.role = 'customer'",
        )
        .fetch_one(&db.read)
        .await
        .unwrap()
    };
    assert!(customer_follows().await > 0);
    let current = settings(db, lead, help_desk).await.unwrap();
    assert!(matches!(settings(db, agent, help_desk).await, Err(AppError::Forbidden(_))));

    let mut change = current.settings.clone();
    change.visibility = Visibility::Company;
    change.assignment = Some(AssignmentMethod::RoundRobin);
    change.members = vec![lead.id, agent.id];
    let refused = save_settings(db, lead, help_desk, current.version, &change).await;
    assert!(matches!(refused, Err(AppError::Forbidden(_))), "who sees a team is the admins' decision");
    let saved = save_settings(db, admin, help_desk, current.version, &change).await.unwrap();
    assert_eq!(saved.settings, change);
    assert_eq!(customer_follows().await, 0, "portal users no longer follow the team's tickets");

    let stale = save_settings(db, admin, help_desk, current.version, &current.settings).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))));
    let bad_member = TeamSettingsInput { members: vec![customer.id], ..change.clone() };
    assert!(matches!(save_settings(db, lead, help_desk, saved.version, &bad_member).await, Err(AppError::Invalid(_))));
    let both = TeamSettingsInput { queue_user_id: Some(agent.id), ..change.clone() };
    assert!(matches!(save_settings(db, lead, help_desk, saved.version, &both).await, Err(AppError::Invalid(m)) if m.contains("not both")));
    let outsider = TeamSettingsInput { assignment: None, queue_user_id: Some(customer.id), ..change.clone() };
    assert!(matches!(save_settings(db, lead, help_desk, saved.version, &outsider).await, Err(AppError::Invalid(_))));
    assert_eq!(settings(db, lead, help_desk).await.unwrap().settings, change, "nothing changed");
}

#[tokio::test]
async fn leads_shape_only_teams_they_belong_to() {
    let org = Org::new().await;
    let (db, lead, support) = (&org.db, &org.lead, org.team_id);
    let finance = org.private_team("Finance").await.id;
    for table in ["team_members", "team_followers"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE team_id = ? AND user_id = ?")).bind(support).bind(lead.id).execute(&db.write).await.unwrap();
    }
    assert!(matches!(settings(db, lead, support).await, Err(AppError::Forbidden(_))), "sees Support, does not belong to it");
    assert!(matches!(create_stage(db, lead, support, "Mine", StageCategory::New).await, Err(AppError::Forbidden(_))));
    assert!(settings(db, lead, finance).await.is_ok(), "invited to Finance as a follower");
    // A private team the caller is not invited to reads exactly like one that does not exist.
    let as_lead = CurrentUser { role: Role::Lead, ..org.agent.clone() };
    assert_eq!(settings(db, &as_lead, finance).await, Err(AppError::NotFound(format!("Team {finance} does not exist."))));
}

#[tokio::test]
async fn stage_changes_are_refused_to_agents_and_on_bad_input() {
    let org = Org::new().await;
    let (db, lead, agent, support) = (&org.db, &org.lead, &org.agent, org.team_id);
    let before = names(db, support).await;
    assert!(matches!(create_stage(db, agent, support, "Mine", StageCategory::New).await, Err(AppError::Forbidden(_))));
    assert!(matches!(create_stage(db, lead, support, "  ", StageCategory::New).await, Err(AppError::Invalid(_))));
    assert!(matches!(create_stage(db, lead, support, "New", StageCategory::New).await, Err(AppError::Invalid(m)) if m.contains("already has")));
    assert!(matches!(create_stage(db, lead, 9_999, "Ghost", StageCategory::New).await, Err(AppError::NotFound(_))));
    let first = &org.stages.new;
    assert!(matches!(rename_stage(db, agent, first.id, first.version, "Inbox").await, Err(AppError::Forbidden(_))));
    assert!(matches!(rename_stage(db, lead, first.id, first.version, "In progress").await, Err(AppError::Invalid(_))));
    assert_eq!(names(db, support).await, before, "nothing changed");
}

#[tokio::test]
async fn an_admin_creates_a_team_from_a_template_and_nobody_else_may() {
    let org = crate::store::fixtures::Org::new().await;
    let field = create_team(&org.db, &org.admin, " Field Service ", Visibility::Company, TeamTemplate::FieldService).await.unwrap();
    assert_eq!((field.name.as_str(), field.archived), ("Field Service", false));
    let mut conn = org.db.read.acquire().await.unwrap();
    let stages: Vec<(String, StageCategory)> = stages_of(&mut conn, field.id).await.unwrap().into_iter().map(|s| (s.name, s.category)).collect();
    let expected: Vec<(String, StageCategory)> = crate::domain::templates::stages(TeamTemplate::FieldService).iter().map(|(n, c)| (n.to_string(), *c)).collect();
    assert_eq!(stages, expected);
    drop(conn);

    assert!(matches!(create_team(&org.db, &org.admin, "field service", Visibility::Company, TeamTemplate::Support).await, Err(AppError::Invalid(m)) if m.contains("already exists")));
    assert!(matches!(create_team(&org.db, &org.admin, "  ", Visibility::Company, TeamTemplate::Support).await, Err(AppError::Invalid(_))));
    assert!(matches!(create_team(&org.db, &org.lead, "Leads' own", Visibility::Company, TeamTemplate::Support).await, Err(AppError::Forbidden(_))));
    assert!(matches!(create_team(&org.db, &org.agent, "Agents' own", Visibility::Company, TeamTemplate::Support).await, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn an_archived_team_takes_no_new_tickets_but_its_tickets_stay_visible() {
    use crate::model::{RoutingActions, RoutingConditions, RoutingRuleInput};
    use crate::store::routing;
    let org = crate::store::fixtures::Org::new().await;
    let old = org.ticket("Before the archive").await;
    let (billing, _) = org.team("Billing", "company", &[org.agent.id]).await;
    let to_support = RoutingRuleInput {
        name: "Invoices go to Support".into(),
        enabled: true,
        conditions: RoutingConditions { keywords: vec!["invoice".into()], ..RoutingConditions::default() },
        actions: RoutingActions { team_id: Some(org.team_id), ..RoutingActions::default() },
    };
    routing::save(&org.db, &org.admin, None, None, &to_support).await.unwrap();

    let archived = archive_team(&org.db, &org.admin, org.team_id, 1, org.now).await.unwrap();
    assert!(archived.archived);
    assert!(matches!(archive_team(&org.db, &org.lead, org.team_id, 2, org.now).await, Err(AppError::Forbidden(_))));

    let refused = tickets::create(&org.db, &org.agent, &TicketInput::quick(org.team_id, "After the archive"), org.now).await;
    assert!(matches!(refused, Err(AppError::Invalid(m)) if m.contains("archived")), "no new tickets");
    let routed = tickets::create(&org.db, &org.agent, &TicketInput::quick(billing, "Invoice is wrong"), org.now).await.unwrap();
    assert_eq!(routed.team_id, billing, "routing does not send tickets into an archived team");

    let seen = tickets::get(&org.db, &org.agent, &old.reference, org.now).await.unwrap();
    assert_eq!(seen.team.id, org.team_id, "old tickets stay readable");
    let board = crate::store::board::board(&org.db, &org.agent, org.team_id, &[], crate::model::BoardView::default(), org.now).await.unwrap();
    assert!(board.team.archived && board.columns.iter().any(|c| c.cards.iter().any(|k| k.reference == old.reference)));
}
