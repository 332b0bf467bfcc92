//! Storage shared by routing and automation rules: a name, an enabled flag and JSON documents
//! (conditions, actions, …), versioned like every mutable row.

use sqlx::SqliteConnection;

use super::{expect_one_row, Db};
use crate::error::AppError;

/// A rule table and its JSON columns, in the order their documents are given.
pub(crate) struct RuleTable {
    pub table: &'static str,
    pub documents: &'static [&'static str],
    /// New rules go last in the table's `position` order.
    pub ordered: bool,
}

/// Inserts a rule or, with `id` and `version`, updates it if `version` is still current; returns its id.
pub(crate) async fn write(
    conn: &mut SqliteConnection,
    rules: &RuleTable,
    id: Option<i64>,
    version: Option<i64>,
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
                "INSERT INTO {table} (name, enabled{position_column}, {}) VALUES (?, ?{position_value}, {marks})",
                rules.documents.join(", ")
            );
            let mut insert = sqlx::query(&sql).bind(name).bind(enabled);
            for document in documents {
                insert = insert.bind(document);
            }
            Ok(insert.execute(conn).await?.last_insert_rowid())
        }
        _ => Err(AppError::Invalid("A rule is changed by its id and version together.".into())),
    }
}

pub(crate) async fn delete(db: &Db, rules: &RuleTable, id: i64, version: i64) -> Result<(), AppError> {
    let affected = sqlx::query(&format!("DELETE FROM {} WHERE id = ? AND version = ?", rules.table)).bind(id).bind(version).execute(&db.write).await?.rows_affected();
    expect_one_row(affected, "The rule")
}
