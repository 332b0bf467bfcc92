//! Routing rules in the database: kept in order, checked on save, and the first match applied
//! to a ticket (step 1 of the ticket workflow).

use chrono::{DateTime, Utc};

use super::lookup::{check_assignee, check_named_team, visible_team_ids};
use super::rules::{all_exist, check_conditions, choices, RuleTicket};
use super::ticket_writes::{intake_stage, move_to_end, set_assignee, set_priority, Claim};
use super::timeline::add_timeline;
use super::{decode, from_json, queues, to_json, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::routing;
use crate::error::AppError;
use crate::model::*;

const TABLE: super::rules::RuleTable = super::rules::RuleTable { table: "routing_rules", documents: &["conditions", "actions"], ordered: true };

async fn rules(conn: &mut Conn) -> Result<Vec<RoutingRule>, AppError> {
    let rows: Vec<(i64, String, bool, String, String, i64, Option<i64>)> =
        sqlx::query_as("SELECT id, name, enabled, conditions, actions, version, owner_id FROM routing_rules ORDER BY position, id")
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(id, name, enabled, conditions, actions, version, owner_id)| {
            Ok(RoutingRule {
                id,
                version,
                owner_id,
                rule: RoutingRuleInput {
                    name,
                    enabled,
                    conditions: from_json(&conditions)?,
                    actions: from_json(&actions)?,
                },
            })
        })
        .collect()
}

/// The rules this user may see: those that name no team hidden from them.
async fn listed(conn: &mut Conn, user: &CurrentUser) -> Result<Vec<RoutingRule>, AppError> {
    let visible = visible_team_ids(conn, user).await?;
    let mut all = rules(conn).await?;
    all.retain(|r| r.rule.actions.team_id.is_none_or(|team| visible.contains(&team)));
    Ok(all)
}

fn rule_id(rule: &RoutingRule) -> (i64, Option<i64>) {
    (rule.id, rule.owner_id)
}

/// The rules in order with the names of everything they refer to (staff only).
pub async fn setup(db: &Db, user: &CurrentUser) -> Result<RoutingSetup, AppError> {
    access::require(user, Action::SeeSetup)?;
    let mut conn = db.read.acquire().await?;
    let rules = listed(&mut conn, user).await?;
    let changeable = rules.iter().filter(|r| access::can_change_rule(user, r.owner_id)).map(|r| r.id).collect();
    Ok(RoutingSetup { rules, can_edit: access::may(user.role, Action::ShapeWork), changeable, choices: choices(&mut conn, user).await? })
}

/// Every id a rule names must exist (teams: be visible to its author), and a user it routes to
/// must be able to work the team.
async fn check_references(conn: &mut Conn, user: &CurrentUser, rule: &RoutingRuleInput) -> Result<(), AppError> {
    let a = &rule.actions;
    check_conditions(conn, &rule.conditions).await?;
    if let Some(team_id) = a.team_id {
        check_named_team(conn, user, team_id).await?;
    }
    all_exist(conn, "queues", "Queue", a.queue_id.as_slice()).await?;
    if let Some(user_id) = a.assignee_id {
        let role: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = ?").bind(user_id).fetch_optional(&mut *conn).await?;
        match role.as_deref().map(|code| decode(Role::parse, code)).transpose()? {
            Some(role) if role.is_internal() => {}
            _ => return Err(AppError::Invalid(format!("User {user_id} cannot be assigned tickets."))),
        }
        if let Some(team_id) = a.team_id {
            check_assignee(conn, Some(user_id), team_id).await?;
        }
    }
    Ok(())
}

/// Creates a rule (placed last) or, with `id` and `version`, changes one.
pub async fn save(db: &Db, user: &CurrentUser, id: Option<i64>, version: Option<i64>, input: &RoutingRuleInput) -> Result<RoutingRule, AppError> {
    access::require(user, Action::ShapeWork)?;
    super::rules::check_pairing(id, version)?;
    let rule = routing::validate(input)?;
    let (conditions, actions) = (to_json(&rule.conditions)?, to_json(&rule.actions)?);
    let mut tx = db.begin_write().await?;
    if let Some(id) = id {
        super::rules::changeable(&listed(&mut tx, user).await?, user, id, rule_id)?;
    }
    check_references(&mut tx, user, &rule).await?;
    let id = super::rules::write(&mut tx, &TABLE, id, version, access::rule_owner(user), &rule.name, rule.enabled, &[conditions, actions]).await?;
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

/// Puts a rule at `to_index` (0-based, clamped) in the order.
pub async fn reorder(db: &Db, user: &CurrentUser, id: i64, version: i64, to_index: i64) -> Result<Vec<RoutingRule>, AppError> {
    access::require(user, Action::ShapeWork)?;
    let mut tx = db.begin_write().await?;
    super::rules::changeable(&listed(&mut tx, user).await?, user, id, rule_id)?;
    let mut order: Vec<RoutingRule> = rules(&mut tx).await?;
    let at = order.iter().position(|r| r.id == id).ok_or_else(|| access::missing("Rule", id))?;
    if order[at].version != version {
        return Err(AppError::Conflict("The rule was changed by someone else in the meantime. The latest rules have been loaded.".into()));
    }
    let moving = order.remove(at);
    let index = usize::try_from(to_index.max(0)).unwrap_or(0).min(order.len());
    order.insert(index, moving);
    for (position, rule) in order.iter().enumerate() {
        sqlx::query("UPDATE routing_rules SET position = ?, version = version + 1 WHERE id = ?").bind(position as i64).bind(rule.id).execute(&mut *tx).await?;
    }
    let reordered = listed(&mut tx, user).await?;
    tx.commit().await?;
    Ok(reordered)
}

/// What routing did to one ticket: the rule, and the teams whose boards must refresh.
pub struct Routed {
    pub rule_name: String,
    pub team_ids: Vec<i64>,
}

/// Applies the first matching enabled rule to an open ticket, writing what it changed to the
/// timeline. `None` when no rule matches, the ticket is closed, the rule changes nothing, or
/// its team cannot take the ticket (archived; the timeline says so).
/// A ticket routed to another team is handed over unassigned unless the rule names someone;
/// the workflow's assignment step then gives it to that team's automatic assignment.
pub(crate) async fn route(conn: &mut Conn, actor_id: Option<i64>, ticket_id: i64, now: DateTime<Utc>) -> Result<Option<Routed>, AppError> {
    let ticket = RuleTicket::load(conn, ticket_id).await?;
    if !ticket.is_open() {
        return Ok(None);
    }
    let facts = ticket.facts();
    let mut all = rules(conn).await?;
    let reach = super::rules::Reach::load(conn, all.iter().map(|r| r.owner_id).collect()).await?;
    all.retain(|r| reach.allows(r.owner_id, ticket.team_id));
    let Some(rule) = routing::first_match(&all, &facts) else { return Ok(None) };
    let actions = &rule.rule.actions;

    let mut changes = Vec::new();
    let mut team_ids = vec![ticket.team_id];
    let moves_to = match actions.team_id.filter(|team| *team != ticket.team_id) {
        Some(team_id) => {
            let stage = match intake_stage(conn, team_id).await {
                Ok(stage) => stage,
                Err(AppError::Invalid(why)) => {
                    let line = format!("Rule \"{}\" did not route the ticket: {why}", rule.rule.name);
                    add_timeline(conn, ticket_id, TimelineKind::Routed, actor_id, now, &line).await?;
                    return Ok(None);
                }
                Err(other) => return Err(other),
            };
            let team_name: String = sqlx::query_scalar("SELECT name FROM teams WHERE id = ?").bind(team_id).fetch_one(&mut *conn).await?;
            changes.push(format!("Team: {} → {team_name} › {}", ticket.team_name, stage.name));
            team_ids.push(team_id);
            Some(stage)
        }
        None => None,
    };
    let team_id = moves_to.as_ref().map_or(ticket.team_id, |stage| stage.team_id);
    // Routing to another team hands the ticket over: the rule's user or that team's assignment decides.
    let mut assignee_id = if moves_to.is_some() { None } else { ticket.assignee_id };
    if let Some(wanted) = actions.assignee_id.filter(|_| assignee_id.is_none()) {
        match check_assignee(conn, Some(wanted), team_id).await {
            Ok(Some(user)) => {
                changes.push(format!("Assigned to {}", user.name));
                assignee_id = Some(user.id);
            }
            Ok(None) => {}
            Err(AppError::Invalid(_)) => changes.push(format!("User {wanted} cannot work this team's tickets; left unassigned")),
            Err(other) => return Err(other),
        }
    }
    if ticket.assignee_id.is_some() && assignee_id.is_none() {
        changes.push("Unassigned (handed over to the team)".into());
    }
    let new_priority = actions.priority.filter(|p| *p != ticket.priority);
    if let Some(priority) = new_priority {
        changes.push(format!("Priority: {} → {}", ticket.priority.label(), priority.label()));
    }
    if let Some(queue_id) = actions.queue_id {
        if queues::enqueue(conn, queue_id, ticket_id, now).await? {
            changes.push(format!("Added to queue {}", queues::queue_name(conn, queue_id).await?));
        }
    }
    if changes.is_empty() {
        return Ok(None);
    }
    if let Some(stage) = &moves_to {
        move_to_end(conn, ticket_id, stage, now).await?;
    }
    if assignee_id != ticket.assignee_id {
        set_assignee(conn, ticket_id, assignee_id, Claim::Any, now).await?;
    }
    if let Some(priority) = new_priority {
        set_priority(conn, ticket_id, priority, now).await?;
    }
    let line = format!("Routed by rule \"{}\": {}", rule.rule.name, changes.join("; "));
    add_timeline(conn, ticket_id, TimelineKind::Routed, actor_id, now, &line).await?;
    Ok(Some(Routed { rule_name: rule.rule.name.clone(), team_ids }))
}

#[cfg(test)]
#[path = "routing_tests.rs"]
mod tests;
