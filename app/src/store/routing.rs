//! Routing rules in the database: kept in order, checked on save, applied to tickets.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::teams::{check_named_team, visible_team_ids};
use super::tickets::{accessible, add_timeline, check_assignee, follow, intake_stage, last_position, status_for, tree_paths};
use super::{decode, from_json, id_list, named_list, to_json, Db};
use crate::domain::access::{self, Action};
use crate::domain::routing::{self, TicketFacts};
use crate::domain::ordering;
use crate::error::AppError;
use crate::model::*;

const TABLE: super::rules::RuleTable = super::rules::RuleTable { table: "routing_rules", documents: &["conditions", "actions"], ordered: true };

async fn rules(conn: &mut SqliteConnection) -> Result<Vec<RoutingRule>, AppError> {
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
async fn listed(conn: &mut SqliteConnection, user: &CurrentUser) -> Result<Vec<RoutingRule>, AppError> {
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

/// Everything a rule may name, for the rule screens.
pub(crate) async fn choices(conn: &mut SqliteConnection, user: &CurrentUser) -> Result<RuleChoices, AppError> {
    let visible = visible_team_ids(conn, user).await?;
    Ok(RuleChoices {
        teams: named_list(conn, &format!("SELECT id, name FROM teams WHERE id IN ({}) ORDER BY name", id_list(&visible))).await?,
        queues: named_list(conn, "SELECT id, name FROM queues ORDER BY name").await?,
        agents: named_list(conn, super::STAFF_SQL).await?,
        subjects: tree_paths(conn, "subjects").await?,
        products: named_list(conn, "SELECT id, name FROM products ORDER BY name").await?,
        accounts: named_list(conn, "SELECT id, name FROM accounts ORDER BY name").await?,
        reasons: tree_paths(conn, "reason_codes").await?,
        regions: named_list(conn, "SELECT id, name FROM regions ORDER BY name").await?,
        service_types: named_list(conn, "SELECT id, name FROM service_types ORDER BY name").await?,
        unit_types: named_list(conn, "SELECT id, name FROM unit_types ORDER BY name").await?,
    })
}

async fn all_exist(conn: &mut SqliteConnection, table: &str, what: &str, ids: &[i64]) -> Result<(), AppError> {
    for id in ids {
        let found: Option<i64> = sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE id = ?")).bind(id).fetch_optional(&mut *conn).await?;
        if found.is_none() {
            return Err(AppError::Invalid(format!("{what} {id} does not exist.")));
        }
    }
    Ok(())
}

/// Every id the ticket conditions name must exist.
pub(crate) async fn check_conditions(conn: &mut SqliteConnection, c: &RoutingConditions) -> Result<(), AppError> {
    all_exist(conn, "subjects", "Subject", &c.subject_ids).await?;
    all_exist(conn, "products", "Product", &c.product_ids).await?;
    all_exist(conn, "accounts", "Account", &c.account_ids).await?;
    all_exist(conn, "reason_codes", "Reason code", &c.reason_ids).await?;
    all_exist(conn, "regions", "Region", &c.region_ids).await?;
    all_exist(conn, "service_types", "Service type", &c.service_type_ids).await?;
    all_exist(conn, "unit_types", "Unit type", &c.unit_type_ids).await
}

/// Every id a rule names must exist (teams: be visible to its author), and a user it routes to
/// must be able to work the team.
async fn check_references(conn: &mut SqliteConnection, user: &CurrentUser, rule: &RoutingRuleInput) -> Result<(), AppError> {
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
    let mut tx = db.write.begin().await?;
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
    let mut tx = db.write.begin().await?;
    super::rules::changeable(&listed(&mut tx, user).await?, user, id, rule_id)?;
    super::rules::delete(&mut tx, &TABLE, id, version).await?;
    tx.commit().await?;
    Ok(())
}

/// Puts a rule at `to_index` (0-based, clamped) in the order.
pub async fn reorder(db: &Db, user: &CurrentUser, id: i64, version: i64, to_index: i64) -> Result<Vec<RoutingRule>, AppError> {
    access::require(user, Action::ShapeWork)?;
    let mut tx = db.write.begin().await?;
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

#[derive(sqlx::FromRow)]
struct TicketRow {
    number: i64,
    team_id: i64,
    team_name: String,
    stage_id: i64,
    stage_category: String,
    priority: String,
    origin: String,
    assignee_id: Option<i64>,
    subject_id: Option<i64>,
    product_id: Option<i64>,
    account_id: Option<i64>,
    reason_id: Option<i64>,
    region_id: Option<i64>,
    service_type_id: Option<i64>,
    unit_type_id: Option<i64>,
    title: String,
    description: String,
    status: String,
    updated_at: DateTime<Utc>,
}

/// An entry of a tree table followed by its ancestors (empty for none); `table` is fixed by the caller.
async fn ancestry(conn: &mut SqliteConnection, table: &str, id: Option<i64>) -> Result<Vec<i64>, AppError> {
    let Some(id) = id else { return Ok(Vec::new()) };
    Ok(sqlx::query_scalar(&format!(
        "WITH RECURSIVE up(id, parent_id, depth) AS (
            SELECT id, parent_id, 0 FROM {table} WHERE id = ?
            UNION ALL SELECT s.id, s.parent_id, up.depth + 1 FROM {table} s JOIN up ON s.id = up.parent_id WHERE up.depth < 16)
         SELECT id FROM up ORDER BY depth"
    ))
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// A ticket as rules see it: the fields conditions test, decoded, with its subject's ancestry.
pub(crate) struct RuleTicket {
    pub number: i64,
    pub team_id: i64,
    pub team_name: String,
    pub stage_id: i64,
    pub stage: StageCategory,
    pub priority: Priority,
    pub origin: Origin,
    pub assignee_id: Option<i64>,
    pub subject_path: Vec<i64>,
    pub product_id: Option<i64>,
    pub account_id: Option<i64>,
    pub reason_path: Vec<i64>,
    pub region_id: Option<i64>,
    pub service_type_id: Option<i64>,
    pub unit_type_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub status: TicketStatus,
    pub updated_at: DateTime<Utc>,
}

impl RuleTicket {
    pub(crate) async fn load(conn: &mut SqliteConnection, ticket_id: i64) -> Result<RuleTicket, AppError> {
        let row: TicketRow = sqlx::query_as(
            "SELECT k.number, k.team_id, t.name AS team_name, k.stage_id, s.category AS stage_category, k.priority, k.origin,
                    k.assignee_id, k.subject_id, k.product_id,
                    COALESCE(k.account_id, (SELECT c.account_id FROM contacts c WHERE c.id = k.contact_id)) AS account_id,
                    k.reason_id, k.region_id, k.service_type_id, (SELECT u.unit_type_id FROM units u WHERE u.id = k.unit_id) AS unit_type_id,
                    k.title, k.description, k.status, k.updated_at
               FROM tickets k JOIN teams t ON t.id = k.team_id JOIN stages s ON s.id = k.stage_id WHERE k.id = ?",
        )
        .bind(ticket_id)
        .fetch_one(&mut *conn)
        .await?;
        let subject_path = ancestry(conn, "subjects", row.subject_id).await?;
        let reason_path = ancestry(conn, "reason_codes", row.reason_id).await?;
        Ok(RuleTicket {
            number: row.number,
            team_id: row.team_id,
            team_name: row.team_name,
            stage_id: row.stage_id,
            stage: decode(StageCategory::parse, &row.stage_category)?,
            priority: decode(Priority::parse, &row.priority)?,
            origin: decode(Origin::parse, &row.origin)?,
            assignee_id: row.assignee_id,
            subject_path,
            product_id: row.product_id,
            account_id: row.account_id,
            reason_path,
            region_id: row.region_id,
            service_type_id: row.service_type_id,
            unit_type_id: row.unit_type_id,
            title: row.title,
            description: row.description,
            status: decode(TicketStatus::parse, &row.status)?,
            updated_at: row.updated_at,
        })
    }

    pub(crate) fn is_open(&self) -> bool {
        matches!(self.status, TicketStatus::ActiveNew | TicketStatus::ActiveAssigned)
    }

    pub(crate) fn facts(&self) -> TicketFacts<'_> {
        TicketFacts {
            origin: self.origin,
            priority: self.priority,
            subject_path: &self.subject_path,
            product_id: self.product_id,
            account_id: self.account_id,
            reason_path: &self.reason_path,
            region_id: self.region_id,
            service_type_id: self.service_type_id,
            unit_type_id: self.unit_type_id,
            title: &self.title,
            description: &self.description,
        }
    }
}

/// What routing did to one ticket: the rule, and the teams whose boards must refresh.
pub struct Routed {
    pub rule_name: String,
    pub team_ids: Vec<i64>,
}

/// Applies the first matching enabled rule to an open ticket, writing what it changed to the
/// timeline. `None` when no rule matches, the ticket is closed, or the rule changes nothing.
pub(crate) async fn route(conn: &mut SqliteConnection, actor_id: Option<i64>, ticket_id: i64, now: DateTime<Utc>) -> Result<Option<Routed>, AppError> {
    let ticket = RuleTicket::load(conn, ticket_id).await?;
    if !ticket.is_open() {
        return Ok(None);
    }
    let priority = ticket.priority;
    let facts = ticket.facts();
    let mut all = rules(conn).await?;
    let reach = super::rules::Reach::load(conn, all.iter().map(|r| r.owner_id).collect()).await?;
    all.retain(|r| reach.allows(r.owner_id, ticket.team_id));
    let Some(rule) = routing::first_match(&all, &facts) else { return Ok(None) };
    let actions = &rule.rule.actions;

    let mut changes = Vec::new();
    let mut team_ids = vec![ticket.team_id];
    let moves_team = actions.team_id.filter(|team| *team != ticket.team_id);
    // Routing to another team hands the ticket over: the rule's user or that team's assignment decides.
    let mut assignee_id = if moves_team.is_some() { None } else { ticket.assignee_id };
    let (team_id, stage_id, category, position) = match moves_team {
        Some(team_id) => {
            let stage = intake_stage(conn, team_id).await?;
            let position = ordering::between(last_position(conn, stage.id, ticket_id).await?, None);
            let team_name: String = sqlx::query_scalar("SELECT name FROM teams WHERE id = ?").bind(team_id).fetch_one(&mut *conn).await?;
            changes.push(format!("Team: {} → {team_name} › {}", ticket.team_name, stage.name));
            team_ids.push(team_id);
            (team_id, stage.id, stage.category, Some(position))
        }
        None => (ticket.team_id, ticket.stage_id, ticket.stage, None),
    };
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
    let new_priority = actions.priority.unwrap_or(priority);
    if new_priority != priority {
        changes.push(format!("Priority: {} → {}", priority.label(), new_priority.label()));
    }
    if let Some(queue_id) = actions.queue_id {
        if super::queues::enqueue(conn, queue_id, ticket_id, now).await? {
            changes.push(format!("Added to queue {}", super::queues::queue_name(conn, queue_id).await?));
        }
    }
    if changes.is_empty() {
        return Ok(None);
    }
    sqlx::query(
        "UPDATE tickets SET team_id = ?, stage_id = ?, position = COALESCE(?, position), priority = ?, assignee_id = ?, status = ?,
                updated_at = ?, version = version + 1
          WHERE id = ?",
    )
    .bind(team_id)
    .bind(stage_id)
    .bind(position)
    .bind(new_priority.as_str())
    .bind(assignee_id)
    .bind(status_for(conn, team_id, category, assignee_id).await?.as_str())
    .bind(now)
    .bind(ticket_id)
    .execute(&mut *conn)
    .await?;
    if let Some(user_id) = assignee_id {
        follow(conn, ticket_id, user_id).await?;
    }
    let line = format!("Routed by rule \"{}\": {}", rule.rule.name, changes.join("; "));
    add_timeline(conn, ticket_id, TimelineKind::Routed, actor_id, now, &line).await?;
    if assignee_id.is_none() {
        super::assignment::assign_automatically(conn, ticket_id, team_id, actor_id, now).await?;
    }
    Ok(Some(Routed { rule_name: rule.rule.name.clone(), team_ids }))
}

/// "Apply routing rules" on a selection of tickets, in one transaction.
pub async fn apply(db: &Db, user: &CurrentUser, references: &[String], now: DateTime<Utc>) -> Result<(RoutingOutcome, Vec<i64>), AppError> {
    if references.is_empty() {
        return Err(AppError::Invalid("Select at least one ticket.".into()));
    }
    if references.len() > MAX_SELECTION {
        return Err(AppError::Invalid(format!("Apply routing rules to at most {MAX_SELECTION} tickets at once.")));
    }
    let mut tx = db.write.begin().await?;
    let mut outcome = RoutingOutcome { routed: Vec::new(), unchanged: 0 };
    let mut team_ids = Vec::new();
    for text in references {
        let ticket = accessible(&mut tx, user, text, true).await?;
        match route(&mut tx, Some(user.id), ticket.id, now).await? {
            Some(routed) => {
                super::sla::settle(&mut tx, ticket.id, Some(user.id), now).await?;
                outcome.routed.push(format!("{}: {}", text.trim().to_uppercase(), routed.rule_name));
                team_ids.extend(routed.team_ids);
            }
            None => outcome.unchanged += 1,
        }
    }
    tx.commit().await?;
    team_ids.sort_unstable();
    team_ids.dedup();
    Ok((outcome, team_ids))
}

/// How many tickets one "apply routing rules" may touch.
pub const MAX_SELECTION: usize = 500;

#[cfg(test)]
mod tests {
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
        let (outcome, teams) = apply(&d.db, &agent, &refs, d.now).await.unwrap();
        assert_eq!(outcome.routed, vec![format!("{}: Wombats on site", second.reference)]);
        assert_eq!(outcome.unchanged, 2, "no rule for the bystander; the first is already there");
        assert_eq!(teams, vec![support, field_service]);

        let finance_ticket: String = sqlx::query_scalar("SELECT 'HD-' || number FROM tickets WHERE team_id = ? LIMIT 1")
            .bind(d.team("Finance").await)
            .fetch_one(&d.db.read)
            .await
            .unwrap();
        assert!(matches!(apply(&d.db, &agent, &[second.reference.clone(), finance_ticket], d.now).await, Err(AppError::NotFound(_))));
        assert!(matches!(apply(&d.db, &agent, &[], d.now).await, Err(AppError::Invalid(_))));
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
}
