use crate::store::lookup::stages_of;
use super::*;
use crate::store::fixtures::Org;
use crate::model::{TeamTemplate, TicketInput};
use crate::store::tickets;

fn new_team(name: &str, template: TeamTemplate) -> NewTeam {
    NewTeam { name: name.into(), visibility: Visibility::Company, stages: StagesFrom::Template(template) }
}

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
    let field = create_team(&org.db, &org.admin, &new_team(" Field Service ", TeamTemplate::FieldService), org.now).await.unwrap();
    assert_eq!((field.name.as_str(), field.archived), ("Field Service", false));
    let mut conn = org.db.read.acquire().await.unwrap();
    let stages: Vec<(String, StageCategory)> = stages_of(&mut conn, field.id).await.unwrap().into_iter().map(|s| (s.name, s.category)).collect();
    let expected: Vec<(String, StageCategory)> = crate::domain::templates::stages(TeamTemplate::FieldService).iter().map(|(n, c)| (n.to_string(), *c)).collect();
    assert_eq!(stages, expected);
    drop(conn);

    assert!(matches!(create_team(&org.db, &org.admin, &new_team("field service", TeamTemplate::Support), org.now).await, Err(AppError::Invalid(m)) if m.contains("already exists")));
    assert!(matches!(create_team(&org.db, &org.admin, &new_team("  ", TeamTemplate::Support), org.now).await, Err(AppError::Invalid(_))));
    assert!(matches!(create_team(&org.db, &org.lead, &new_team("Leads' own", TeamTemplate::Support), org.now).await, Err(AppError::Forbidden(_))));
    assert!(matches!(create_team(&org.db, &org.agent, &new_team("Agents' own", TeamTemplate::Support), org.now).await, Err(AppError::Forbidden(_))));
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

    assert!(matches!(set_archived(&org.db, &org.agent, org.team_id, 1, true, org.now).await, Err(AppError::Forbidden(_))));
    let archived = set_archived(&org.db, &org.lead, org.team_id, 1, true, org.now).await.unwrap();
    assert!(archived.archived);
    assert!(matches!(set_archived(&org.db, &org.admin, org.team_id, 2, true, org.now).await, Err(AppError::Invalid(m)) if m.contains("archived already")));

    let refused = tickets::create(&org.db, &org.agent, &TicketInput::quick(org.team_id, "After the archive"), org.now).await;
    assert!(matches!(refused, Err(AppError::Invalid(m)) if m.contains("archived")), "no new tickets");
    let routed = tickets::create(&org.db, &org.agent, &TicketInput::quick(billing, "Invoice is wrong"), org.now).await.unwrap();
    assert_eq!(routed.team_id, billing, "routing does not send tickets into an archived team");

    let seen = tickets::get(&org.db, &org.agent, &old.reference, org.now).await.unwrap();
    assert_eq!(seen.team.id, org.team_id, "old tickets stay readable");
    let board = crate::store::board::board(&org.db, &org.agent, org.team_id, &[], crate::model::BoardView::default(), org.now).await.unwrap();
    assert!(board.team.archived && board.columns.iter().any(|c| c.cards.iter().any(|k| k.reference == old.reference)));
}

#[tokio::test]
async fn a_team_copies_another_teams_pipeline_and_is_renamed_by_its_lead() {
    let org = Org::new().await;
    let copy = NewTeam { name: "Second line".into(), visibility: Visibility::Private, stages: StagesFrom::Team(org.team_id) };
    let second = create_team(&org.db, &org.admin, &copy, org.now).await.unwrap();
    assert_eq!(names(&org.db, second.id).await, names(&org.db, org.team_id).await);
    let hidden = NewTeam { name: "Ghost copy".into(), stages: StagesFrom::Team(9_999), ..copy };
    assert!(matches!(create_team(&org.db, &org.admin, &hidden, org.now).await, Err(AppError::NotFound(_))));

    let renamed = rename_team(&org.db, &org.lead, org.team_id, 1, " Customer care ", org.now).await.unwrap();
    assert_eq!(renamed.name, "Customer care");
    assert!(matches!(rename_team(&org.db, &org.lead, org.team_id, 1, "Stale", org.now).await, Err(AppError::Conflict(_))));
    assert!(matches!(rename_team(&org.db, &org.admin, org.team_id, 2, "second LINE", org.now).await, Err(AppError::Invalid(m)) if m.contains("already exists")));
    assert!(matches!(rename_team(&org.db, &org.agent, org.team_id, 2, "Agents' pick", org.now).await, Err(AppError::Forbidden(_))));
    let audit = crate::store::audit::entries(&org.db, &org.admin, Some("team"), Some(org.team_id)).await.unwrap();
    assert_eq!(audit.len(), 1, "one entry for the one rename that happened");
    assert!(audit[0].summary.contains("Customer care") && audit[0].actor.as_deref() == Some(org.lead.name.as_str()));
}

#[tokio::test]
async fn a_stage_with_tickets_is_neither_deleted_nor_re_categorised_and_a_team_keeps_an_open_stage() {
    let org = Org::new().await;
    let (db, lead) = (&org.db, &org.lead);
    let waiting = &org.stages.waiting;
    let ticket = org.ticket("On the waiting stage").await;
    tickets::move_to_stage(db, lead, &ticket.reference, ticket.version, waiting.id, None, None, org.now).await.unwrap();

    let refused = delete_stage(db, lead, waiting.id, waiting.version, org.now).await;
    assert!(matches!(refused, Err(AppError::Invalid(m)) if m.contains("Move the 1 ticket on \"Waiting")));
    let refused = set_stage_category(db, lead, waiting.id, waiting.version, StageCategory::InProgress, org.now).await;
    assert!(matches!(refused, Err(AppError::Invalid(m)) if m.contains("first")));
    assert_eq!(names(db, org.team_id).await.len(), 5, "nothing changed");

    let cancelled = &org.stages.cancelled;
    let stages = delete_stage(db, lead, cancelled.id, cancelled.version, org.now).await.unwrap();
    assert_eq!(stages.len(), 4);
    assert!(matches!(delete_stage(db, &org.agent, org.stages.solved.id, org.stages.solved.version, org.now).await, Err(AppError::Forbidden(_))));
    let solved = set_stage_category(db, lead, org.stages.solved.id, org.stages.solved.version, StageCategory::Cancelled, org.now).await.unwrap();
    assert_eq!(solved.category, StageCategory::Cancelled);

    // Empty every open stage but "New", then try to close the last way in.
    let moved = tickets::get(db, lead, &ticket.reference, org.now).await.unwrap();
    tickets::move_to_stage(db, lead, &ticket.reference, moved.version, solved.id, None, None, org.now).await.unwrap();
    for open in [waiting, &org.stages.in_progress] {
        delete_stage(db, lead, open.id, open.version, org.now).await.unwrap();
    }
    let new = &org.stages.new;
    let last = set_stage_category(db, lead, new.id, new.version, StageCategory::Solved, org.now).await;
    assert!(matches!(last, Err(AppError::Invalid(m)) if m.contains("last open stage")));
    let last = delete_stage(db, lead, new.id, new.version, org.now).await;
    assert!(matches!(last, Err(AppError::Invalid(m)) if m.contains("last open stage")));
    assert_eq!(names(db, org.team_id).await, ["New", "Solved"]);
}

#[tokio::test]
async fn followers_are_users_and_contacts_and_portal_users_only_on_public_teams() {
    let org = Org::new().await;
    let current = settings(&org.db, &org.admin, org.team_id).await.unwrap();
    let contact: i64 = sqlx::query_scalar("INSERT INTO contacts (name) VALUES ('Carla Contact') RETURNING id").fetch_one(&org.db.write).await.unwrap();
    let customer_user = org.customer().await.id;
    let mut change = current.settings.clone();
    change.followers = vec![org.other_agent.id];
    change.contact_followers = vec![contact];
    let company_only = save_settings(&org.db, &org.admin, org.team_id, current.version, &change).await;
    assert!(matches!(company_only, Err(AppError::Invalid(m)) if m.contains("Only a public team")), "contacts follow public teams only");
    change.visibility = Visibility::Public;
    let saved = save_settings(&org.db, &org.admin, org.team_id, current.version, &change).await.unwrap();
    assert_eq!(saved.settings.followers, vec![org.other_agent.id]);
    assert_eq!(saved.contact_follower_names.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Carla Contact"]);

    let portal = TeamSettingsInput { followers: vec![customer_user], visibility: Visibility::Company, contact_followers: vec![], ..saved.settings.clone() };
    let refused = save_settings(&org.db, &org.admin, org.team_id, saved.version, &portal).await;
    assert!(matches!(refused, Err(AppError::Invalid(m)) if m.contains("cannot follow")), "portal users follow public teams only");
    let ghost = TeamSettingsInput { contact_followers: vec![9_999], ..saved.settings.clone() };
    assert!(matches!(save_settings(&org.db, &org.admin, org.team_id, saved.version, &ghost).await, Err(AppError::Invalid(_))));
    assert_eq!(settings(&org.db, &org.admin, org.team_id).await.unwrap().settings.followers, vec![org.other_agent.id], "nothing changed");
}
