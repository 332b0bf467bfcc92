//! Automation rules in the database: saved after checks, run inside the transaction of the
//! change that triggered them, and by the clock for "no update for N hours".

use chrono::{DateTime, Utc};

use super::lookup::{check_assignee, check_named_team, may_see, stages_of, team_leads, visible_team_ids};
use super::rules::{check_conditions, choices, Reach, RuleTicket};
use super::ticket_writes::{follow, move_to_end, set_assignee, set_priority, touch, Claim};
use super::timeline::add_timeline;
use super::notifications::{self, NotificationKind};
use super::{assignment, from_json, to_json, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::automation::{self, AutomationFacts, Chain, Event};
use crate::domain::assign::Method;
use crate::error::AppError;
use crate::model::*;

/// How many quiet tickets one clock round handles per rule; the rest wait for the next round.
const QUIET_BATCH: i64 = 500;

const TABLE: super::rules::RuleTable =
    super::rules::RuleTable { table: "automation_rules", documents: &["trigger", "conditions", "actions"], ordered: false };

async fn rules(conn: &mut Conn) -> Result<Vec<AutomationRule>, AppError> {
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
async fn listed(conn: &mut Conn, user: &CurrentUser) -> Result<Vec<AutomationRule>, AppError> {
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

async fn check_references(conn: &mut Conn, user: &CurrentUser, rule: &AutomationRuleInput) -> Result<(), AppError> {
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
    let mut tx = db.begin_write().await?;
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
    let mut tx = db.begin_write().await?;
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
pub(crate) async fn run(conn: &mut Conn, actor_id: Option<i64>, ticket_id: i64, events: Vec<Event>, now: DateTime<Utc>) -> Result<bool, AppError> {
    let mut all = rules(conn).await?;
    if !all.iter().any(|r| r.rule.enabled && events.iter().any(|e| r.rule.trigger.fires_on(*e))) {
        return Ok(false);
    }
    let team_id: i64 = sqlx::query_scalar("SELECT team_id FROM tickets WHERE id = ?").bind(ticket_id).fetch_one(&mut *conn).await?;
    let reach = Reach::load(conn, all.iter().map(|r| r.owner_id).collect()).await?;
    all.retain(|r| reach.allows(r.owner_id, team_id));
    cascade(conn, &all, Chain::new(events), actor_id, ticket_id, now).await
}

async fn cascade(
    conn: &mut Conn,
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
async fn apply(conn: &mut Conn, actor_id: Option<i64>, ticket_id: i64, rule: &AutomationRule, now: DateTime<Utc>) -> Result<Vec<Event>, AppError> {
    let mut lines = Vec::new();
    let mut events = Vec::new();
    for action in &rule.rule.actions {
        let ticket = RuleTicket::load(conn, ticket_id).await?;
        match action {
            AutomationAction::Assign { user_id } => {
                if ticket.assignee_id != Some(*user_id) {
                    match check_assignee(conn, Some(*user_id), ticket.team_id).await {
                        Ok(Some(user)) => {
                            set_assignee(conn, ticket_id, Some(user.id), Claim::Any, now).await?;
                            lines.push(format!("Assigned to {}", user.name));
                            events.push(Event::Updated);
                        }
                        Ok(None) => {}
                        Err(AppError::Invalid(message)) => lines.push(format!("Not assigned: {message}")),
                        Err(other) => return Err(other),
                    }
                }
            }
            AutomationAction::RoundRobin => match assignment::choose_member(conn, ticket.team_id, Some(Method::RoundRobin), now).await? {
                Some((user, _)) if ticket.assignee_id != Some(user.id) => {
                    set_assignee(conn, ticket_id, Some(user.id), Claim::Any, now).await?;
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
                        move_to_end(conn, ticket_id, target, now).await?;
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
                    set_priority(conn, ticket_id, *priority, now).await?;
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
                    touch(conn, ticket_id, now).await?;
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
                    if may_see(conn, recipient, ticket_id).await?
                        && notifications::notify(conn, recipient, NotificationKind::Rule, Some(ticket_id), message, now).await?
                    {
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

async fn user_name(conn: &mut Conn, user_id: i64) -> Result<String, AppError> {
    Ok(sqlx::query_scalar("SELECT name FROM users WHERE id = ?").bind(user_id).fetch_optional(conn).await?.unwrap_or_else(|| format!("user {user_id}")))
}

/// The assignee, or while unassigned the team's leads.
async fn recipients_for(conn: &mut Conn, ticket: &RuleTicket) -> Result<Vec<i64>, AppError> {
    match ticket.assignee_id {
        Some(assignee) => Ok(vec![assignee]),
        None => team_leads(conn, ticket.team_id).await,
    }
}

/// Each enabled time-based rule with the open tickets (at most `QUIET_BATCH`) that have been
/// quiet long enough and within its owner's reach, read outside any write.
pub(crate) async fn quiet_candidates(db: &Db, now: DateTime<Utc>) -> Result<Vec<(AutomationRule, Vec<i64>)>, AppError> {
    let mut conn = db.read.acquire().await?;
    let all = rules(&mut conn).await?;
    let reach = Reach::load(&mut conn, all.iter().map(|r| r.owner_id).collect()).await?;
    let mut due = Vec::new();
    for rule in all.into_iter().filter(|r| r.rule.enabled) {
        let Trigger::NoUpdateFor { hours } = rule.rule.trigger else { continue };
        let Some(quiet_since) = chrono::Duration::try_hours(hours).and_then(|quiet| now.checked_sub_signed(quiet)) else { continue };
        let within_reach = match reach.teams(rule.owner_id) {
            Some(teams) => format!(" AND k.team_id IN ({})", super::id_list(teams)),
            None => String::new(),
        };
        let candidates: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT k.id FROM tickets k LEFT JOIN automation_runs r ON r.rule_id = ? AND r.ticket_id = k.id
              WHERE k.status IN ({}) AND k.updated_at <= ? AND (r.fired_at IS NULL OR r.fired_at < k.updated_at){within_reach}
              ORDER BY k.updated_at LIMIT ?",
            super::open_statuses()
        ))
        .bind(rule.id)
        .bind(quiet_since)
        .bind(QUIET_BATCH)
        .fetch_all(&mut *conn)
        .await?;
        due.push((rule, candidates));
    }
    Ok(due)
}

/// Fires a time-based rule on one ticket if, checked again inside the write, the ticket is
/// still open, quiet and matching; returns the events its actions raised (`None`: not fired).
pub(crate) async fn fire_quiet(conn: &mut Conn, rule: &AutomationRule, ticket_id: i64, now: DateTime<Utc>) -> Result<Option<Vec<Event>>, AppError> {
    let Trigger::NoUpdateFor { hours } = rule.rule.trigger else { return Ok(None) };
    let ticket = RuleTicket::load(conn, ticket_id).await?;
    let last_fired: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT fired_at FROM automation_runs WHERE rule_id = ? AND ticket_id = ?").bind(rule.id).bind(ticket_id).fetch_optional(&mut *conn).await?;
    if !ticket.is_open() || !automation::is_quiet(ticket.updated_at, last_fired, hours, now) || !automation::matches(&rule.rule.conditions, &facts(&ticket)) {
        return Ok(None);
    }
    apply(conn, None, ticket_id, rule, now).await.map(Some)
}

#[cfg(test)]
#[path = "automation_tests.rs"]
mod tests;
