//! Automation rules in the database: saved after checks, run inside the transaction of the
//! change that triggered them, and by the clock for "no update for N hours".

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::routing::{check_conditions, choices, RuleTicket};
use super::teams::{check_named_team, stages_of, visible_team_ids};
use super::tickets::{add_timeline, check_assignee, follow, last_position, status_for};
use super::{from_json, to_json, Db};
use crate::domain::access::{self, Action};
use crate::domain::automation::{self, AutomationFacts, Chain, Event};
use crate::domain::assign::Method;
use crate::domain::ordering;
use crate::error::AppError;
use crate::model::*;

/// How many quiet tickets one clock round handles per rule; the rest wait for the next round.
const QUIET_BATCH: i64 = 500;

const TABLE: super::rules::RuleTable =
    super::rules::RuleTable { table: "automation_rules", documents: &["trigger", "conditions", "actions"], ordered: false };

async fn rules(conn: &mut SqliteConnection) -> Result<Vec<AutomationRule>, AppError> {
    let rows: Vec<(i64, String, bool, String, String, String, i64, Option<i64>)> =
        sqlx::query_as("SELECT id, name, enabled, trigger, conditions, actions, version, owner_id FROM automation_rules ORDER BY id").fetch_all(conn).await?;
    rows.into_iter()
        .map(|(id, name, enabled, trigger, conditions, actions, version, owner_id)| {
            Ok(AutomationRule {
                id,
                version,
                owner_id,
                rule: AutomationRuleInput {
                    name,
                    enabled,
                    trigger: from_json(&trigger)?,
                    conditions: from_json(&conditions)?,
                    actions: from_json(&actions)?,
                },
            })
        })
        .collect()
}

/// The rules this user may see: those that name no team hidden from them.
async fn listed(conn: &mut SqliteConnection, user: &CurrentUser) -> Result<Vec<AutomationRule>, AppError> {
    let visible = visible_team_ids(conn, user).await?;
    let mut all = rules(conn).await?;
    all.retain(|r| r.rule.conditions.team_ids.iter().all(|team| visible.contains(team)));
    Ok(all)
}

fn rule_id(rule: &AutomationRule) -> (i64, Option<i64>) {
    (rule.id, rule.owner_id)
}

pub async fn setup(db: &Db, user: &CurrentUser) -> Result<AutomationSetup, AppError> {
    access::require(user, Action::SeeSetup)?;
    let mut conn = db.read.acquire().await?;
    let rules = listed(&mut conn, user).await?;
    let changeable = rules.iter().filter(|r| access::can_change_rule(user, r.owner_id)).map(|r| r.id).collect();
    Ok(AutomationSetup { rules, can_edit: access::may(user.role, Action::ShapeWork), changeable, choices: choices(&mut conn, user).await? })
}

async fn check_references(conn: &mut SqliteConnection, user: &CurrentUser, rule: &AutomationRuleInput) -> Result<(), AppError> {
    check_conditions(conn, &rule.conditions.ticket).await?;
    for team_id in &rule.conditions.team_ids {
        check_named_team(conn, user, *team_id).await?;
    }
    for action in &rule.actions {
        let user = match action {
            AutomationAction::Assign { user_id } | AutomationAction::AddFollower { user_id } => Some(*user_id),
            AutomationAction::Notify { user_id, .. } => *user_id,
            _ => None,
        };
        if let Some(user_id) = user {
            let role: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = ?").bind(user_id).fetch_optional(&mut *conn).await?;
            if role.as_deref().and_then(Role::parse).is_none_or(|role| !role.is_internal()) {
                return Err(AppError::Invalid(format!("User {user_id} is not a staff member.")));
            }
        }
    }
    Ok(())
}

/// Creates a rule or, with `id` and `version`, changes one.
pub async fn save(db: &Db, user: &CurrentUser, id: Option<i64>, version: Option<i64>, input: &AutomationRuleInput) -> Result<AutomationRule, AppError> {
    access::require(user, Action::ShapeWork)?;
    super::rules::check_pairing(id, version)?;
    let rule = automation::validate(input)?;
    let (trigger, conditions, actions) = (to_json(&rule.trigger)?, to_json(&rule.conditions)?, to_json(&rule.actions)?);
    let mut tx = db.write.begin().await?;
    if let Some(id) = id {
        super::rules::changeable(&listed(&mut tx, user).await?, user, id, rule_id)?;
    }
    check_references(&mut tx, user, &rule).await?;
    let owner = access::rule_owner(user);
    let id = super::rules::write(&mut tx, &TABLE, id, version, owner, &rule.name, rule.enabled, &[trigger, conditions, actions]).await?;
    let saved = rules(&mut tx).await?.into_iter().find(|r| r.id == id).ok_or_else(|| access::missing("Rule", id))?;
    tx.commit().await?;
    Ok(saved)
}

pub async fn delete(db: &Db, user: &CurrentUser, id: i64, version: i64) -> Result<(), AppError> {
    access::require(user, Action::ShapeWork)?;
    let mut tx = db.write.begin().await?;
    super::rules::changeable(&listed(&mut tx, user).await?, user, id, rule_id)?;
    super::rules::delete(&mut tx, &TABLE, id, version).await?;
    tx.commit().await?;
    Ok(())
}

fn facts(ticket: &RuleTicket) -> AutomationFacts<'_> {
    AutomationFacts { ticket: ticket.facts(), team_id: ticket.team_id, stage: ticket.stage, assigned: ticket.assignee_id.is_some() }
}

/// Runs the rules that react to `events` on one ticket, and those their changes trigger in turn,
/// inside the caller's transaction. Returns whether any rule fired.
pub(crate) async fn run(conn: &mut SqliteConnection, actor_id: Option<i64>, ticket_id: i64, events: Vec<Event>, now: DateTime<Utc>) -> Result<bool, AppError> {
    let mut all = rules(conn).await?;
    if !all.iter().any(|r| r.rule.enabled && events.iter().any(|e| r.rule.trigger.fires_on(*e))) {
        return Ok(false);
    }
    let team_id: i64 = sqlx::query_scalar("SELECT team_id FROM tickets WHERE id = ?").bind(ticket_id).fetch_one(&mut *conn).await?;
    let reach = super::rules::Reach::load(conn, all.iter().map(|r| r.owner_id).collect()).await?;
    all.retain(|r| reach.allows(r.owner_id, team_id));
    cascade(conn, &all, Chain::new(events), actor_id, ticket_id, now).await
}

async fn cascade(
    conn: &mut SqliteConnection,
    all: &[AutomationRule],
    mut chain: Chain,
    actor_id: Option<i64>,
    ticket_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let mut fired_any = false;
    while let Some(event) = chain.next_event() {
        let ticket = RuleTicket::load(conn, ticket_id).await?;
        let due: Vec<AutomationRule> = chain.rules_for(all, event, &facts(&ticket)).into_iter().cloned().collect();
        for rule in due {
            let raised = apply(conn, actor_id, ticket_id, &rule, now).await?;
            chain.raise(raised);
            fired_any = true;
        }
    }
    Ok(fired_any)
}

/// Carries out one rule's actions, writes them to the timeline, and says what they changed.
async fn apply(conn: &mut SqliteConnection, actor_id: Option<i64>, ticket_id: i64, rule: &AutomationRule, now: DateTime<Utc>) -> Result<Vec<Event>, AppError> {
    let mut lines = Vec::new();
    let mut events = Vec::new();
    for action in &rule.rule.actions {
        let ticket = RuleTicket::load(conn, ticket_id).await?;
        match action {
            AutomationAction::Assign { user_id } => {
                if ticket.assignee_id != Some(*user_id) {
                    match check_assignee(conn, Some(*user_id), ticket.team_id).await {
                        Ok(Some(user)) => {
                            set_assignee(conn, &ticket, ticket_id, &user, now).await?;
                            lines.push(format!("Assigned to {}", user.name));
                            events.push(Event::Updated);
                        }
                        Ok(None) => {}
                        Err(AppError::Invalid(message)) => lines.push(format!("Not assigned: {message}")),
                        Err(other) => return Err(other),
                    }
                }
            }
            AutomationAction::RoundRobin => match super::assignment::choose_member(conn, ticket.team_id, Some(Method::RoundRobin), now).await? {
                Some((user, _)) if ticket.assignee_id != Some(user.id) => {
                    set_assignee(conn, &ticket, ticket_id, &user, now).await?;
                    lines.push(format!("Assigned to {} (round-robin)", user.name));
                    events.push(Event::Updated);
                }
                Some(_) => {}
                None => lines.push("Round-robin: no team member is available".into()),
            },
            AutomationAction::SetStage { category } => {
                let stages = stages_of(conn, ticket.team_id).await?;
                match stages.iter().find(|s| s.category == *category) {
                    Some(target) if target.id != ticket.stage_id => {
                        let position = ordering::between(last_position(conn, target.id, ticket_id).await?, None);
                        let closed_at = category.is_closing().then_some(now);
                        sqlx::query(
                            "UPDATE tickets SET stage_id = ?, position = ?, status = ?, closed_at = CASE WHEN ? THEN COALESCE(closed_at, ?) END,
                                    updated_at = ?, version = version + 1 WHERE id = ?",
                        )
                        .bind(target.id)
                        .bind(position)
                        .bind(status_for(conn, ticket.team_id, target.category, ticket.assignee_id).await?.as_str())
                        .bind(closed_at.is_some())
                        .bind(closed_at)
                        .bind(now)
                        .bind(ticket_id)
                        .execute(&mut *conn)
                        .await?;
                        let from = stages.iter().find(|s| s.id == ticket.stage_id).map(|s| s.name.clone()).unwrap_or_default();
                        lines.push(format!("Stage: {from} → {}", target.name));
                        events.push(Event::StageChanged);
                    }
                    Some(_) => {}
                    None => lines.push(format!("{} has no {} stage", ticket.team_name, category.label())),
                }
            }
            AutomationAction::SetPriority { priority } => {
                if ticket.priority != *priority {
                    sqlx::query("UPDATE tickets SET priority = ?, updated_at = ?, version = version + 1 WHERE id = ?")
                        .bind(priority.as_str())
                        .bind(now)
                        .bind(ticket_id)
                        .execute(&mut *conn)
                        .await?;
                    lines.push(format!("Priority: {} → {}", ticket.priority.label(), priority.label()));
                    events.push(Event::Updated);
                }
            }
            // Following opens a ticket, so only someone who already sees the team may be added.
            AutomationAction::AddFollower { user_id } => match check_assignee(conn, Some(*user_id), ticket.team_id).await {
                Ok(Some(user)) => {
                    follow(conn, ticket_id, user.id).await?;
                    lines.push(format!("Follower added: {}", user.name));
                }
                Ok(None) => {}
                Err(AppError::Invalid(_)) => lines.push(format!("No follower added: user {user_id} cannot see this team")),
                Err(other) => return Err(other),
            },
            AutomationAction::AddTag { tag } => {
                let added = sqlx::query("INSERT INTO ticket_tags (ticket_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING")
                    .bind(ticket_id)
                    .bind(tag)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                if added == 1 {
                    sqlx::query("UPDATE tickets SET updated_at = ?, version = version + 1 WHERE id = ?").bind(now).bind(ticket_id).execute(&mut *conn).await?;
                    lines.push(format!("Tag added: {tag}"));
                    events.push(Event::Updated);
                }
            }
            AutomationAction::Notify { user_id, message } => {
                let recipients = match user_id {
                    Some(id) => vec![*id],
                    None => recipients_for(conn, &ticket).await?,
                };
                let mut names = Vec::new();
                for recipient in recipients {
                    // A notification names the ticket: only for those who may see it.
                    if super::tickets::may_see(conn, recipient, ticket_id).await? {
                        super::notifications::notify(conn, recipient, Some(ticket_id), message, now).await?;
                        names.push(user_name(conn, recipient).await?);
                    }
                }
                if !names.is_empty() {
                    lines.push(format!("Notified {}", names.join(", ")));
                }
            }
        }
    }
    if !lines.is_empty() {
        add_timeline(conn, ticket_id, TimelineKind::Automation, actor_id, now, &format!("Rule \"{}\": {}", rule.rule.name, lines.join("; "))).await?;
    }
    sqlx::query("INSERT INTO automation_runs (rule_id, ticket_id, fired_at) VALUES (?, ?, ?) ON CONFLICT (rule_id, ticket_id) DO UPDATE SET fired_at = excluded.fired_at")
        .bind(rule.id)
        .bind(ticket_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(events)
}

async fn set_assignee(conn: &mut SqliteConnection, ticket: &RuleTicket, ticket_id: i64, user: &UserRef, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query("UPDATE tickets SET assignee_id = ?, status = ?, updated_at = ?, version = version + 1 WHERE id = ?")
        .bind(user.id)
        .bind(status_for(conn, ticket.team_id, ticket.stage, Some(user.id)).await?.as_str())
        .bind(now)
        .bind(ticket_id)
        .execute(&mut *conn)
        .await?;
    follow(conn, ticket_id, user.id).await
}

async fn user_name(conn: &mut SqliteConnection, user_id: i64) -> Result<String, AppError> {
    Ok(sqlx::query_scalar("SELECT name FROM users WHERE id = ?").bind(user_id).fetch_optional(conn).await?.unwrap_or_else(|| format!("user {user_id}")))
}

/// The assignee, or while unassigned the team leads who are members or followers of the team.
async fn recipients_for(conn: &mut SqliteConnection, ticket: &RuleTicket) -> Result<Vec<i64>, AppError> {
    if let Some(assignee) = ticket.assignee_id {
        return Ok(vec![assignee]);
    }
    Ok(sqlx::query_scalar(
        "SELECT u.id FROM users u WHERE u.role = 'lead'
            AND (EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = ?1 AND m.user_id = u.id)
                 OR EXISTS (SELECT 1 FROM team_followers f WHERE f.team_id = ?1 AND f.user_id = u.id))
          ORDER BY u.id",
    )
    .bind(ticket.team_id)
    .fetch_all(conn)
    .await?)
}

/// A ticket changed by the clock, and its team (whose boards must refresh).
pub struct Touched {
    pub reference: String,
    pub team_id: i64,
}

/// Fires "no update for N hours" rules on the open tickets that have been quiet that long
/// (once per quiet period), each ticket in its own transaction; run periodically by the server.
pub async fn run_quiet_rules(db: &Db, now: DateTime<Utc>) -> Result<Vec<Touched>, AppError> {
    let (all, reach) = {
        let mut conn = db.read.acquire().await?;
        let all = rules(&mut conn).await?;
        let reach = super::rules::Reach::load(&mut conn, all.iter().map(|r| r.owner_id).collect()).await?;
        (all, reach)
    };
    let mut touched = Vec::new();
    for rule in all.iter().filter(|r| r.rule.enabled) {
        let Trigger::NoUpdateFor { hours } = rule.rule.trigger else { continue };
        let Some(quiet_since) = chrono::Duration::try_hours(hours).and_then(|quiet| now.checked_sub_signed(quiet)) else { continue };
        let within_reach = match reach.teams(rule.owner_id) {
            Some(teams) => format!(" AND k.team_id IN ({})", super::id_list(teams)),
            None => String::new(),
        };
        let candidates: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT k.id FROM tickets k LEFT JOIN automation_runs r ON r.rule_id = ? AND r.ticket_id = k.id
              WHERE k.status IN ('active_new', 'active_assigned') AND k.updated_at <= ? AND (r.fired_at IS NULL OR r.fired_at < k.updated_at){within_reach}
              ORDER BY k.updated_at LIMIT ?",
        ))
        .bind(rule.id)
        .bind(quiet_since)
        .bind(QUIET_BATCH)
        .fetch_all(&db.read)
        .await?;
        for ticket_id in candidates {
            let mut tx = db.write.begin().await?;
            let ticket = RuleTicket::load(&mut tx, ticket_id).await?;
            let last_fired: Option<DateTime<Utc>> =
                sqlx::query_scalar("SELECT fired_at FROM automation_runs WHERE rule_id = ? AND ticket_id = ?").bind(rule.id).bind(ticket_id).fetch_optional(&mut *tx).await?;
            // Checked again inside the write transaction: the ticket may have changed meanwhile.
            if !ticket.is_open() || !automation::is_quiet(ticket.updated_at, last_fired, hours, now) || !automation::matches(&rule.rule.conditions, &facts(&ticket)) {
                continue;
            }
            let raised = apply(&mut tx, None, ticket_id, rule, now).await?;
            let reachable: Vec<AutomationRule> = all.iter().filter(|r| reach.allows(r.owner_id, ticket.team_id)).cloned().collect();
            cascade(&mut tx, &reachable, Chain::after(rule.id, raised), None, ticket_id, now).await?;
            super::sla::settle(&mut tx, ticket_id, None, now).await?;
            tx.commit().await?;
            touched.push(Touched { reference: crate::domain::reference::format(ticket.number), team_id: ticket.team_id });
        }
    }
    Ok(touched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::Demo;
    use crate::store::{notifications, tickets};
    use chrono::Duration;

    async fn ticket_id(d: &Demo, reference: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM tickets WHERE number = ?").bind(crate::domain::reference::parse(reference)).fetch_one(&d.db.read).await.unwrap()
    }

    fn rule(name: &str, trigger: Trigger, conditions: AutomationConditions, actions: Vec<AutomationAction>) -> AutomationRuleInput {
        AutomationRuleInput { name: name.into(), enabled: true, trigger, conditions, actions }
    }

    #[tokio::test]
    async fn shipped_defaults_make_the_status_follow_replies() {
        let d = Demo::new().await;
        let agent = d.user("agent1@demo.test").await;
        let names: Vec<(String, bool)> = setup(&d.db, &agent).await.unwrap().rules.into_iter().map(|r| (r.rule.name, r.rule.enabled)).collect();
        assert_eq!(names.len(), 3);
        assert!(names.iter().any(|(name, enabled)| name.starts_with("Quiet for two days") && !enabled), "the reminder is opt-in");

        let card = tickets::create(&d.db, &agent, &TicketInput::quick(d.team("Support").await, "Where is my order?"), d.now).await.unwrap();
        let id = ticket_id(&d, &card.reference).await;
        let mut tx = d.db.write.begin().await.unwrap();
        assert!(run(&mut tx, None, id, vec![Event::AgentReplied], d.now).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(tickets::get(&d.db, &agent, &card.reference, chrono::Utc::now()).await.unwrap().stage.name, "Waiting on Customer");
        let mut tx = d.db.write.begin().await.unwrap();
        assert!(run(&mut tx, None, id, vec![Event::CustomerReplied], d.now).await.unwrap());
        tx.commit().await.unwrap();
        let detail = tickets::get(&d.db, &agent, &card.reference, chrono::Utc::now()).await.unwrap();
        assert_eq!(detail.stage.name, "In Progress");
        assert_eq!(detail.timeline[0].summary, "Rule \"Customer replied: back to in progress\": Stage: Waiting on Customer → In Progress");
    }

    #[tokio::test]
    async fn creation_rules_tag_and_notify_and_rules_cannot_ping_pong() {
        let d = Demo::new().await;
        let (lead, agent) = (d.user("lead@demo.test").await, d.user("agent1@demo.test").await);
        let support = d.team("Support").await;
        let urgent_only = AutomationConditions {
            ticket: RoutingConditions { priorities: vec![Priority::Urgent], ..Default::default() },
            ..Default::default()
        };
        let actions = vec![AutomationAction::AddTag { tag: "Hot".into() }, AutomationAction::Notify { user_id: None, message: "Urgent ticket waiting".into() }];
        save(&d.db, &lead, None, None, &rule("Urgent: tag and tell the leads", Trigger::Created, urgent_only, actions)).await.unwrap();
        let before = notifications::unread(&d.db, &lead).await.unwrap();
        let card = tickets::create(&d.db, &agent, &TicketInput { priority: Priority::Urgent, ..TicketInput::quick(support, "Site down") }, d.now).await.unwrap();
        let detail = tickets::get(&d.db, &agent, &card.reference, chrono::Utc::now()).await.unwrap();
        assert_eq!(detail.tags, vec!["hot"]);
        assert_eq!(notifications::unread(&d.db, &lead).await.unwrap(), before + 1, "unassigned: the team's lead is told");
        let calm = tickets::create(&d.db, &agent, &TicketInput::quick(support, "Calm"), d.now).await.unwrap();
        assert!(tickets::get(&d.db, &agent, &calm.reference, chrono::Utc::now()).await.unwrap().tags.is_empty(), "conditions hold back the rule");

        // Two rules that undo each other on every update: each fires once, then the chain ends.
        let set = |priority| vec![AutomationAction::SetPriority { priority }];
        save(&d.db, &lead, None, None, &rule("Raise", Trigger::Updated, AutomationConditions::default(), set(Priority::High))).await.unwrap();
        save(&d.db, &lead, None, None, &rule("Lower", Trigger::Updated, AutomationConditions::default(), set(Priority::Low))).await.unwrap();
        let detail = tickets::get(&d.db, &agent, &calm.reference, chrono::Utc::now()).await.unwrap();
        let saved = tickets::update(&d.db, &agent, &calm.reference, detail.version, &TicketInput::quick(support, "Calm, edited"), false, d.now).await.unwrap();
        assert_eq!(saved.detail.priority, Priority::Low);
        let fired: Vec<&str> = saved.detail.timeline.iter().filter(|e| e.kind == TimelineKind::Automation).map(|e| e.summary.as_str()).collect();
        assert_eq!(fired, vec!["Rule \"Lower\": Priority: High → Low", "Rule \"Raise\": Priority: Normal → High"]);
    }

    #[tokio::test]
    async fn quiet_tickets_are_reminded_once_per_quiet_period() {
        let d = Demo::new().await;
        let (admin, agent) = (d.user("admin@demo.test").await, d.user("agent1@demo.test").await);
        let reminder = setup(&d.db, &admin).await.unwrap().rules.into_iter().find(|r| r.rule.name.starts_with("Quiet")).unwrap();
        save(&d.db, &admin, Some(reminder.id), Some(reminder.version), &AutomationRuleInput { enabled: true, ..reminder.rule.clone() }).await.unwrap();
        let card = tickets::create(&d.db, &agent, &TicketInput { assignee_id: Some(agent.id), ..TicketInput::quick(d.team("Support").await, "Quiet one") }, d.now).await.unwrap();
        let id = ticket_id(&d, &card.reference).await;
        // Seeded tickets are quiet too; count only this ticket's reminders to its assignee.
        let reminders = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM notifications WHERE ticket_id = ? AND user_id = ?").bind(id).bind(agent.id).fetch_one(&d.db.read).await.unwrap()
        };

        let soon = run_quiet_rules(&d.db, d.now + Duration::hours(47)).await.unwrap();
        assert!(soon.iter().all(|t| t.reference != card.reference), "not quiet long enough");
        let due = run_quiet_rules(&d.db, d.now + Duration::hours(48)).await.unwrap();
        assert!(due.iter().any(|t| t.reference == card.reference));
        assert_eq!(reminders().await, 1, "the assignee is reminded");
        let again = run_quiet_rules(&d.db, d.now + Duration::hours(60)).await.unwrap();
        assert!(again.iter().all(|t| t.reference != card.reference), "once per quiet period");
        assert_eq!(reminders().await, 1);

        let detail = tickets::get(&d.db, &agent, &card.reference, chrono::Utc::now()).await.unwrap();
        let later = d.now + Duration::hours(61);
        tickets::update(&d.db, &agent, &card.reference, detail.version, &TicketInput { assignee_id: Some(agent.id), ..TicketInput::quick(detail.team.id, "Quiet one, touched") }, false, later)
            .await
            .unwrap();
        assert!(run_quiet_rules(&d.db, later + Duration::hours(48)).await.unwrap().iter().any(|t| t.reference == card.reference), "a new quiet period");
        assert_eq!(reminders().await, 2);
    }

    #[tokio::test]
    async fn bad_rules_and_outsiders_are_refused() {
        let d = Demo::new().await;
        let (lead, agent) = (d.user("lead@demo.test").await, d.user("agent1@demo.test").await);
        let tag = vec![AutomationAction::AddTag { tag: "x".into() }];
        let good = rule("Tag everything", Trigger::Created, AutomationConditions::default(), tag);
        assert!(matches!(save(&d.db, &agent, None, None, &good).await, Err(AppError::Forbidden(_))));
        let unknown_team = AutomationRuleInput { conditions: AutomationConditions { team_ids: vec![9_999], ..Default::default() }, ..good.clone() };
        assert!(matches!(save(&d.db, &lead, None, None, &unknown_team).await, Err(AppError::Invalid(m)) if m == "Team 9999 does not exist."));
        let customer = d.user("customer@demo.test").await;
        let to_customer = AutomationRuleInput { actions: vec![AutomationAction::AddFollower { user_id: customer.id }], ..good.clone() };
        assert!(matches!(save(&d.db, &lead, None, None, &to_customer).await, Err(AppError::Invalid(_))));
        assert_eq!(setup(&d.db, &lead).await.unwrap().rules.len(), 3, "nothing was saved");
        assert!(matches!(setup(&d.db, &customer).await, Err(AppError::Forbidden(_))));
    }

    /// A lead outside Finance (neither member nor follower).
    async fn outside_lead(d: &Demo) -> CurrentUser {
        let agent = d.user("agent1@demo.test").await;
        sqlx::query("UPDATE users SET role = 'lead' WHERE id = ?").bind(agent.id).execute(&d.db.write).await.unwrap();
        CurrentUser { role: Role::Lead, ..agent }
    }

    #[tokio::test]
    async fn a_leads_rules_reach_only_the_teams_they_belong_to() {
        let d = Demo::new().await;
        let lead = outside_lead(&d).await;
        let finance = d.team("Finance").await;
        let follow_me = vec![AutomationAction::AddFollower { user_id: lead.id }];
        let quiet = rule("Follow everything quiet", Trigger::NoUpdateFor { hours: 1 }, AutomationConditions::default(), follow_me.clone());

        // Naming the hidden team reads like naming one that does not exist.
        let aimed = AutomationRuleInput { conditions: AutomationConditions { team_ids: vec![finance], ..Default::default() }, ..quiet.clone() };
        assert_eq!(save(&d.db, &lead, None, None, &aimed).await, Err(AppError::Invalid(format!("Team {finance} does not exist."))));

        // Without a team condition the rule is saved as the lead's own and acts only where they belong.
        let saved = save(&d.db, &lead, None, None, &quiet).await.unwrap();
        assert_eq!(saved.owner_id, Some(lead.id));
        let touched = run_quiet_rules(&d.db, d.now + Duration::days(30)).await.unwrap();
        let finance_refs: Vec<String> = sqlx::query_scalar::<_, i64>("SELECT number FROM tickets WHERE team_id = ?")
            .bind(finance)
            .fetch_all(&d.db.read)
            .await
            .unwrap()
            .into_iter()
            .map(crate::domain::reference::format)
            .collect();
        assert!(touched.iter().all(|t| !finance_refs.contains(&t.reference)), "no Finance ticket was touched");
        let following: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket_followers f JOIN tickets k ON k.id = f.ticket_id WHERE f.user_id = ? AND k.team_id = ?")
            .bind(lead.id)
            .bind(finance)
            .fetch_one(&d.db.read)
            .await
            .unwrap();
        assert_eq!(following, 0, "the rule opened no private ticket");

        // Installation-wide rules are the admins'; the lead's own rule is theirs to change.
        let shipped = setup(&d.db, &lead).await.unwrap().rules.into_iter().find(|r| r.owner_id.is_none()).unwrap();
        assert!(matches!(delete(&d.db, &lead, shipped.id, shipped.version).await, Err(AppError::Forbidden(_))));
        delete(&d.db, &lead, saved.id, saved.version).await.unwrap();
    }

    #[tokio::test]
    async fn rules_never_add_followers_who_cannot_see_the_team() {
        let d = Demo::new().await;
        let admin = d.user("admin@demo.test").await;
        let outsider = d.user("agent1@demo.test").await;
        let finance = d.team("Finance").await;
        let actions = vec![AutomationAction::AddFollower { user_id: outsider.id }];
        let conditions = AutomationConditions { team_ids: vec![finance], ..Default::default() };
        save(&d.db, &admin, None, None, &rule("Finance to agent1", Trigger::Created, conditions, actions)).await.unwrap();
        let insider = d.user("agent4@demo.test").await;
        let card = tickets::create(&d.db, &insider, &TicketInput::quick(finance, "Invoice dispute"), d.now).await.unwrap();
        let hidden = tickets::get(&d.db, &outsider, &card.reference, d.now).await;
        assert!(matches!(hidden, Err(AppError::NotFound(_))), "following would have opened a private ticket");
        let shown = tickets::get(&d.db, &insider, &card.reference, d.now).await.unwrap();
        assert!(shown.timeline.iter().any(|e| e.summary.contains("No follower added")));
    }
}
