//! What routing and automation rules share: their storage (a name, an enabled flag and JSON
//! documents, versioned like every mutable row), the reach of a rule's owner, the ticket as
//! rules see it, and the checks of the ids their conditions name.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::lookup::{managed_team_ids, visible_team_ids};
use super::{catalogs, decode, expect_one_row, id_list, named_list, Conn};
use crate::domain::access;
use crate::domain::routing::TicketFacts;
use crate::error::AppError;
use crate::model::*;

/// A rule table and its JSON columns, in the order their documents are given.
pub(crate) struct RuleTable {
    pub table: &'static str,
    pub documents: &'static [&'static str],
    /// New rules go last in the table's `position` order.
    pub ordered: bool,
}

/// Inserts a rule owned by `owner_id` or, with `id` and `version`, updates it if `version` is
/// still current; returns its id.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write(
    conn: &mut Conn,
    rules: &RuleTable,
    id: Option<i64>,
    version: Option<i64>,
    owner_id: Option<i64>,
    name: &str,
    enabled: bool,
    documents: &[String],
) -> Result<i64, AppError> {
    let table = rules.table;
    match (id, version) {
        (Some(id), Some(version)) => {
            let sets: Vec<String> = rules.documents.iter().map(|column| format!("{column} = ?")).collect();
            let sql = format!("UPDATE {table} SET name = ?, enabled = ?, {}, version = version + 1 WHERE id = ? AND version = ?", sets.join(", "));
            let mut update = sqlx::query(&sql).bind(name).bind(enabled);
            for document in documents {
                update = update.bind(document);
            }
            let affected = update.bind(id).bind(version).execute(conn).await?.rows_affected();
            expect_one_row(affected, &format!("The rule \"{name}\""))?;
            Ok(id)
        }
        (None, None) => {
            let (position_column, position_value) =
                if rules.ordered { (", position", format!(", (SELECT COALESCE(MAX(position), -1) + 1 FROM {table})")) } else { ("", String::new()) };
            let marks = vec!["?"; rules.documents.len()].join(", ");
            let sql = format!(
                "INSERT INTO {table} (owner_id, name, enabled{position_column}, {}) VALUES (?, ?, ?{position_value}, {marks}) RETURNING id",
                rules.documents.join(", ")
            );
            let mut insert = sqlx::query_scalar(&sql).bind(owner_id).bind(name).bind(enabled);
            for document in documents {
                insert = insert.bind(document);
            }
            Ok(insert.fetch_one(conn).await?)
        }
        _ => check_pairing(id, version).map(|_| 0),
    }
}

/// A rule is created without id and version, and changed with both.
pub(crate) fn check_pairing(id: Option<i64>, version: Option<i64>) -> Result<(), AppError> {
    if id.is_some() == version.is_some() {
        Ok(())
    } else {
        Err(AppError::Invalid("A rule is changed by its id and version together.".into()))
    }
}

pub(crate) async fn delete(conn: &mut Conn, rules: &RuleTable, id: i64, version: i64) -> Result<(), AppError> {
    let affected = sqlx::query(&format!("DELETE FROM {} WHERE id = ? AND version = ?", rules.table)).bind(id).bind(version).execute(conn).await?.rows_affected();
    expect_one_row(affected, "The rule")
}

/// The rule `id` as `user` may change it: a rule they cannot list answers like a missing one; a
/// listed rule written by someone else is refused.
pub(crate) fn changeable<'a, R>(listed: &'a [R], user: &CurrentUser, id: i64, rule_id: fn(&R) -> (i64, Option<i64>)) -> Result<&'a R, AppError> {
    let rule = listed.iter().find(|r| rule_id(r).0 == id).ok_or_else(|| access::missing("Rule", id))?;
    if !access::can_change_rule(user, rule_id(rule).1) {
        return Err(AppError::Forbidden("Only the rule's author or an admin can change it.".into()));
    }
    Ok(rule)
}

/// The teams each rule may act on: every team for an installation-wide rule, otherwise the
/// teams its owner may shape now (a lead who leaves a team takes their rules' reach along).
pub(crate) struct Reach {
    by_owner: HashMap<i64, Vec<i64>>,
}

impl Reach {
    pub(crate) async fn load(conn: &mut Conn, owners: Vec<Option<i64>>) -> Result<Reach, AppError> {
        let mut by_owner = HashMap::new();
        for owner_id in owners.into_iter().flatten() {
            if by_owner.contains_key(&owner_id) {
                continue;
            }
            let row: Option<(String, String, String)> =
                sqlx::query_as("SELECT name, email, role FROM users WHERE id = ?").bind(owner_id).fetch_optional(&mut *conn).await?;
            let teams = match row {
                Some((name, email, role)) => {
                    let owner = CurrentUser { id: owner_id, name, email, role: decode(Role::parse, &role)? };
                    managed_team_ids(conn, &owner).await?
                }
                None => Vec::new(),
            };
            by_owner.insert(owner_id, teams);
        }
        Ok(Reach { by_owner })
    }

    pub(crate) fn allows(&self, owner_id: Option<i64>, team_id: i64) -> bool {
        owner_id.is_none_or(|owner| self.by_owner.get(&owner).is_some_and(|teams| teams.contains(&team_id)))
    }

    /// The teams an owned rule may act on, `None` for every team.
    pub(crate) fn teams(&self, owner_id: Option<i64>) -> Option<&[i64]> {
        owner_id.map(|owner| self.by_owner.get(&owner).map_or(&[][..], Vec::as_slice))
    }
}

/// Everything a rule may name, for the rule screens.
pub(crate) async fn choices(conn: &mut Conn, user: &CurrentUser) -> Result<RuleChoices, AppError> {
    let visible = visible_team_ids(conn, user).await?;
    Ok(RuleChoices {
        teams: named_list(conn, &format!("SELECT id, name FROM teams WHERE id IN ({}) ORDER BY name", id_list(&visible))).await?,
        queues: named_list(conn, "SELECT id, name FROM queues ORDER BY name").await?,
        agents: named_list(conn, &super::staff_sql()).await?,
        subjects: catalogs::rule_choices(conn, Catalog::Subjects).await?,
        products: catalogs::rule_choices(conn, Catalog::Products).await?,
        accounts: named_list(conn, "SELECT id, name FROM accounts ORDER BY name").await?,
        reasons: catalogs::rule_choices(conn, Catalog::ReasonCodes).await?,
        regions: catalogs::rule_choices(conn, Catalog::Regions).await?,
        service_types: catalogs::rule_choices(conn, Catalog::ServiceTypes).await?,
        unit_types: catalogs::rule_choices(conn, Catalog::UnitTypes).await?,
    })
}

pub(crate) async fn all_exist(conn: &mut Conn, table: &str, what: &str, ids: &[i64]) -> Result<(), AppError> {
    for id in ids {
        let found: Option<i64> = sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE id = ?")).bind(id).fetch_optional(&mut *conn).await?;
        if found.is_none() {
            return Err(AppError::Invalid(format!("{what} {id} does not exist.")));
        }
    }
    Ok(())
}

/// Every id the ticket conditions name must exist.
pub(crate) async fn check_conditions(conn: &mut Conn, c: &RoutingConditions) -> Result<(), AppError> {
    all_exist(conn, "subjects", "Subject", &c.subject_ids).await?;
    all_exist(conn, "products", "Product", &c.product_ids).await?;
    all_exist(conn, "accounts", "Account", &c.account_ids).await?;
    all_exist(conn, "reason_codes", "Reason code", &c.reason_ids).await?;
    all_exist(conn, "regions", "Region", &c.region_ids).await?;
    all_exist(conn, "service_types", "Service type", &c.service_type_ids).await?;
    all_exist(conn, "unit_types", "Unit type", &c.unit_type_ids).await
}

#[derive(sqlx::FromRow)]
struct TicketRow {
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
async fn ancestry(conn: &mut Conn, table: &str, id: Option<i64>) -> Result<Vec<i64>, AppError> {
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
    pub(crate) async fn load(conn: &mut Conn, ticket_id: i64) -> Result<RuleTicket, AppError> {
        let row: TicketRow = sqlx::query_as(
            "SELECT k.team_id, t.name AS team_name, k.stage_id, s.category AS stage_category, k.priority, k.origin,
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
        TicketStatus::OPEN.contains(&self.status)
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
