use super::*;
use crate::store::fixtures::Org;
use crate::store::timed::run_quiet_rules;
use crate::store::{notifications, tickets};
use chrono::Duration;

fn rule(name: &str, trigger: Trigger, conditions: AutomationConditions, actions: Vec<AutomationAction>) -> AutomationRuleInput {
    AutomationRuleInput { name: name.into(), enabled: true, trigger, conditions, actions }
}

#[tokio::test]
async fn shipped_defaults_make_the_status_follow_replies() {
    let org = Org::new().await;
    let agent = &org.agent;
    let names: Vec<(String, bool)> = setup(&org.db, agent).await.unwrap().rules.into_iter().map(|r| (r.rule.name, r.rule.enabled)).collect();
    assert_eq!(names.len(), 3);
    assert!(names.iter().any(|(name, enabled)| name.starts_with("Quiet for two days") && !enabled), "the reminder is opt-in");

    let card = org.ticket("Where is my order?").await;
    let id = org.ticket_id(&card.reference).await;
    let mut tx = org.db.begin_write().await.unwrap();
    assert!(run(&mut tx, None, id, vec![Event::AgentReplied], org.now).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(tickets::get(&org.db, agent, &card.reference, chrono::Utc::now()).await.unwrap().stage.name, "Waiting on customer");
    let mut tx = org.db.begin_write().await.unwrap();
    assert!(run(&mut tx, None, id, vec![Event::CustomerReplied], org.now).await.unwrap());
    tx.commit().await.unwrap();
    let detail = tickets::get(&org.db, agent, &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.stage.name, "In progress");
    assert_eq!(detail.timeline[0].summary, "Rule \"Customer replied: back to in progress\": Stage: Waiting on customer → In progress");
}

#[tokio::test]
async fn creation_rules_tag_and_notify_and_rules_cannot_ping_pong() {
    let org = Org::new().await;
    let (db, lead, agent, support) = (&org.db, &org.lead, &org.agent, org.team_id);
    let urgent_only = AutomationConditions {
        ticket: RoutingConditions { priorities: vec![Priority::Urgent], ..Default::default() },
        ..Default::default()
    };
    let actions = vec![AutomationAction::AddTag { tag: "Hot".into() }, AutomationAction::Notify { user_id: None, message: "Urgent ticket waiting".into() }];
    save(db, lead, None, None, &rule("Urgent: tag and tell the leads", Trigger::Created, urgent_only, actions)).await.unwrap();
    let before = notifications::unread(db, lead).await.unwrap();
    let card = tickets::create(db, agent, &TicketInput { priority: Priority::Urgent, ..TicketInput::quick(support, "Site down") }, org.now).await.unwrap();
    let detail = tickets::get(db, agent, &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.tags, vec!["hot"]);
    assert_eq!(notifications::unread(db, lead).await.unwrap(), before + 1, "unassigned: the team's lead is told");
    let calm = org.ticket("Calm").await;
    assert!(tickets::get(db, agent, &calm.reference, chrono::Utc::now()).await.unwrap().tags.is_empty(), "conditions hold back the rule");

    // Two rules that undo each other on every update: each fires once, then the chain ends.
    let set = |priority| vec![AutomationAction::SetPriority { priority }];
    save(db, lead, None, None, &rule("Raise", Trigger::Updated, AutomationConditions::default(), set(Priority::High))).await.unwrap();
    save(db, lead, None, None, &rule("Lower", Trigger::Updated, AutomationConditions::default(), set(Priority::Low))).await.unwrap();
    let detail = tickets::get(db, agent, &calm.reference, chrono::Utc::now()).await.unwrap();
    let saved = tickets::update(db, agent, &calm.reference, detail.version, &TicketInput::quick(support, "Calm, edited"), false, org.now).await.unwrap();
    assert_eq!(saved.detail.priority, Priority::Low);
    let fired: Vec<&str> = saved.detail.timeline.iter().filter(|e| e.kind == TimelineKind::Automation).map(|e| e.summary.as_str()).collect();
    assert_eq!(fired, vec!["Rule \"Lower\": Priority: High → Low", "Rule \"Raise\": Priority: Normal → High"]);
}

#[tokio::test]
async fn quiet_tickets_are_reminded_once_per_quiet_period() {
    let org = Org::new().await;
    let (db, admin, agent) = (&org.db, &org.admin, &org.agent);
    let reminder = setup(db, admin).await.unwrap().rules.into_iter().find(|r| r.rule.name.starts_with("Quiet")).unwrap();
    save(db, admin, Some(reminder.id), Some(reminder.version), &AutomationRuleInput { enabled: true, ..reminder.rule.clone() }).await.unwrap();
    let card = tickets::create(db, agent, &TicketInput { assignee_id: Some(agent.id), ..TicketInput::quick(org.team_id, "Quiet one") }, org.now).await.unwrap();
    let id = org.ticket_id(&card.reference).await;
    let reminders = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM notifications WHERE ticket_id = ? AND user_id = ?").bind(id).bind(agent.id).fetch_one(&db.read).await.unwrap()
    };

    let soon = run_quiet_rules(db, org.now + Duration::hours(47)).await.unwrap();
    assert!(soon.iter().all(|t| t.reference != card.reference), "not quiet long enough");
    let due = run_quiet_rules(db, org.now + Duration::hours(48)).await.unwrap();
    assert!(due.iter().any(|t| t.reference == card.reference));
    assert_eq!(reminders().await, 1, "the assignee is reminded");
    let again = run_quiet_rules(db, org.now + Duration::hours(60)).await.unwrap();
    assert!(again.iter().all(|t| t.reference != card.reference), "once per quiet period");
    assert_eq!(reminders().await, 1);

    let detail = tickets::get(db, agent, &card.reference, chrono::Utc::now()).await.unwrap();
    let later = org.now + Duration::hours(61);
    tickets::update(db, agent, &card.reference, detail.version, &TicketInput { assignee_id: Some(agent.id), ..TicketInput::quick(detail.team.id, "Quiet one, touched") }, false, later)
        .await
        .unwrap();
    assert!(run_quiet_rules(db, later + Duration::hours(48)).await.unwrap().iter().any(|t| t.reference == card.reference), "a new quiet period");
    assert_eq!(reminders().await, 2);
}

#[tokio::test]
async fn bad_rules_and_outsiders_are_refused() {
    let org = Org::new().await;
    let (db, lead, agent) = (&org.db, &org.lead, &org.agent);
    let tag = vec![AutomationAction::AddTag { tag: "x".into() }];
    let good = rule("Tag everything", Trigger::Created, AutomationConditions::default(), tag);
    assert!(matches!(save(db, agent, None, None, &good).await, Err(AppError::Forbidden(_))));
    let unknown_team = AutomationRuleInput { conditions: AutomationConditions { team_ids: vec![9_999], ..Default::default() }, ..good.clone() };
    assert!(matches!(save(db, lead, None, None, &unknown_team).await, Err(AppError::Invalid(m)) if m == "Team 9999 does not exist."));
    let customer = org.customer().await;
    let to_customer = AutomationRuleInput { actions: vec![AutomationAction::AddFollower { user_id: customer.id }], ..good.clone() };
    assert!(matches!(save(db, lead, None, None, &to_customer).await, Err(AppError::Invalid(_))));
    assert_eq!(setup(db, lead).await.unwrap().rules.len(), 3, "nothing was saved: only the shipped defaults");
    assert!(matches!(setup(db, &customer).await, Err(AppError::Forbidden(_))));
}

/// The agent made a lead: a member of Support, outside every other team.
async fn outside_lead(org: &Org) -> CurrentUser {
    sqlx::query("UPDATE users SET role = 'lead' WHERE id = ?").bind(org.agent.id).execute(&org.db.write).await.unwrap();
    CurrentUser { role: Role::Lead, ..org.agent.clone() }
}

#[tokio::test]
async fn a_leads_rules_reach_only_the_teams_they_belong_to() {
    let org = Org::new().await;
    let db = &org.db;
    let lead = outside_lead(&org).await;
    let finance = org.private_team("Finance").await;
    tickets::create(db, &finance.insider, &TicketInput::quick(finance.id, "Invoice charged twice"), org.now).await.unwrap();
    let finance = finance.id;
    // Created by someone else: the lead does not follow it yet.
    let in_support = tickets::create(db, &org.other_agent, &TicketInput::quick(org.team_id, "Printer jams"), org.now).await.unwrap();
    let follow_me = vec![AutomationAction::AddFollower { user_id: lead.id }];
    let quiet = rule("Follow everything quiet", Trigger::NoUpdateFor { hours: 1 }, AutomationConditions::default(), follow_me.clone());

    // Naming the hidden team reads like naming one that does not exist.
    let aimed = AutomationRuleInput { conditions: AutomationConditions { team_ids: vec![finance], ..Default::default() }, ..quiet.clone() };
    assert_eq!(save(db, &lead, None, None, &aimed).await, Err(AppError::Invalid(format!("Team {finance} does not exist."))));

    // Without a team condition the rule is saved as the lead's own and acts only where they belong.
    let saved = save(db, &lead, None, None, &quiet).await.unwrap();
    assert_eq!(saved.owner_id, Some(lead.id));
    let touched = run_quiet_rules(db, org.now + Duration::days(30)).await.unwrap();
    assert!(touched.iter().any(|t| t.reference == in_support.reference), "the rule acts in Support, where the lead belongs");
    let finance_refs: Vec<String> = sqlx::query_scalar::<_, i64>("SELECT number FROM tickets WHERE team_id = ?")
        .bind(finance)
        .fetch_all(&db.read)
        .await
        .unwrap()
        .into_iter()
        .map(crate::domain::reference::format)
        .collect();
    assert!(touched.iter().all(|t| !finance_refs.contains(&t.reference)), "no Finance ticket was touched");
    let following: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket_followers f JOIN tickets k ON k.id = f.ticket_id WHERE f.user_id = ? AND k.team_id = ?")
        .bind(lead.id)
        .bind(finance)
        .fetch_one(&db.read)
        .await
        .unwrap();
    assert_eq!(following, 0, "the rule opened no private ticket");

    // Installation-wide rules are the admins'; the lead's own rule is theirs to change.
    let shipped = setup(db, &lead).await.unwrap().rules.into_iter().find(|r| r.owner_id.is_none()).unwrap();
    assert!(matches!(delete(db, &lead, shipped.id, shipped.version).await, Err(AppError::Forbidden(_))));
    delete(db, &lead, saved.id, saved.version).await.unwrap();
}

#[tokio::test]
async fn rules_never_add_followers_who_cannot_see_the_team() {
    let org = Org::new().await;
    let outsider = &org.agent;
    let finance = org.private_team("Finance").await;
    let actions = vec![AutomationAction::AddFollower { user_id: outsider.id }];
    let conditions = AutomationConditions { team_ids: vec![finance.id], ..Default::default() };
    save(&org.db, &org.admin, None, None, &rule("Finance to the agent", Trigger::Created, conditions, actions)).await.unwrap();
    let insider = &finance.insider;
    let card = tickets::create(&org.db, insider, &TicketInput::quick(finance.id, "Invoice dispute"), org.now).await.unwrap();
    let hidden = tickets::get(&org.db, outsider, &card.reference, org.now).await;
    assert!(matches!(hidden, Err(AppError::NotFound(_))), "following would have opened a private ticket");
    let shown = tickets::get(&org.db, insider, &card.reference, org.now).await.unwrap();
    assert!(shown.timeline.iter().any(|e| e.summary.contains("No follower added")));
}
