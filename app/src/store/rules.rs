//! Storage shared by routing and automation rules: a name, an enabled flag and JSON documents
//! (conditions, actions, …), versioned like every mutable row.

use std::collections::HashMap;

use sqlx::SqliteConnection;

use super::{decode, expect_one_row};
use crate::domain::access;
use crate::error::AppError;
use crate::model::{CurrentUser, Role};

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
    conn: &mut SqliteConnection,
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
                "INSERT INTO {table} (owner_id, name, enabled{position_column}, {}) VALUES (?, ?, ?{position_value}, {marks})",
                rules.documents.join(", ")
            );
            let mut insert = sqlx::query(&sql).bind(owner_id).bind(name).bind(enabled);
            for document in documents {
                insert = insert.bind(document);
            }
            Ok(insert.execute(conn).await?.last_insert_rowid())
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

pub(crate) async fn delete(conn: &mut SqliteConnection, rules: &RuleTable, id: i64, version: i64) -> Result<(), AppError> {
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
    pub(crate) async fn load(conn: &mut SqliteConnection, owners: Vec<Option<i64>>) -> Result<Reach, AppError> {
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
                    super::teams::managed_team_ids(conn, &owner).await?
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
