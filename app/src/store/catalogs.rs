//! Catalogs (issue 11): subjects and reason codes (trees, general › specific), products, units,
//! unit types, regions, service types and event types, as admins keep them and as ticket forms and rule
//! pickers offer them. A value in use is deactivated, never deleted: it is no longer offered,
//! and stays on the tickets that carry it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::{audit, expect_one_row, from_json, named_list, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::validate::quoted;
use crate::error::AppError;
use crate::model::*;

pub const NAME_MAX: usize = 200;
/// Trees are at most this many levels deep, which keeps paths readable and every walk short.
pub const DEPTH_MAX: usize = 8;

/// The table of a catalog: the catalog's code is its table's name.
fn table(catalog: Catalog) -> &'static str {
    catalog.as_str()
}

/// The column that names a value (a unit is known by its serial number).
fn name_column(catalog: Catalog) -> &'static str {
    if catalog == Catalog::Units {
        "serial"
    } else {
        "name"
    }
}

/// The ticket column that refers to the catalog; unit types are reached through units.
fn ticket_column(catalog: Catalog) -> Option<&'static str> {
    match catalog {
        Catalog::Subjects => Some("subject_id"),
        Catalog::Products => Some("product_id"),
        Catalog::ReasonCodes => Some("reason_id"),
        Catalog::Units => Some("unit_id"),
        Catalog::Regions => Some("region_id"),
        Catalog::ServiceTypes => Some("service_type_id"),
        Catalog::ResolutionCodes => Some("resolution_code_id"),
        Catalog::UnitTypes | Catalog::EventTypes => None,
    }
}

/// The ids a rule's ticket conditions name in the catalog.
fn rule_ids(conditions: &RoutingConditions, catalog: Catalog) -> &[i64] {
    match catalog {
        Catalog::Subjects => &conditions.subject_ids,
        Catalog::Products => &conditions.product_ids,
        Catalog::ReasonCodes => &conditions.reason_ids,
        Catalog::UnitTypes => &conditions.unit_type_ids,
        Catalog::Regions => &conditions.region_ids,
        Catalog::ServiceTypes => &conditions.service_type_ids,
        Catalog::Units | Catalog::EventTypes | Catalog::ResolutionCodes => &[],
    }
}

#[derive(sqlx::FromRow, Clone)]
struct Row {
    id: i64,
    parent_id: Option<i64>,
    name: String,
    deactivated: bool,
    version: i64,
}

async fn rows(conn: &mut Conn, catalog: Catalog) -> Result<Vec<Row>, AppError> {
    let parent = if catalog.is_tree() { "parent_id" } else { "NULL" };
    Ok(sqlx::query_as(&format!(
        "SELECT id, {parent} AS parent_id, {} AS name, deactivated_at IS NOT NULL AS deactivated, version FROM {}",
        name_column(catalog),
        table(catalog)
    ))
    .fetch_all(conn)
    .await?)
}

/// A value in its place: depth-first for trees (siblings by name), by name for flat lists.
struct Entry {
    row: Row,
    depth: usize,
    /// "Hardware › Printer" in trees, the name otherwise.
    path: String,
    offered: bool,
}

fn arrange(rows: Vec<Row>) -> Vec<Entry> {
    let known: HashSet<i64> = rows.iter().map(|r| r.id).collect();
    let mut children: HashMap<Option<i64>, Vec<Row>> = HashMap::new();
    for row in rows {
        // A parent that is missing (hand-edited data) puts the value at the top.
        let parent = row.parent_id.filter(|p| known.contains(p));
        children.entry(parent).or_default().push(row);
    }
    for siblings in children.values_mut() {
        siblings.sort_by_key(|r| (r.name.to_lowercase(), r.id));
    }
    let mut arranged = Vec::new();
    // (row, depth, parent's path, parent offered), last sibling pushed first so the first pops first.
    let mut stack: Vec<(Row, usize, String, bool)> =
        children.remove(&None).unwrap_or_default().into_iter().rev().map(|r| (r, 0, String::new(), true)).collect();
    while let Some((row, depth, above, above_offered)) = stack.pop() {
        let path = if above.is_empty() { row.name.clone() } else { format!("{above} › {}", row.name) };
        let offered = above_offered && !row.deactivated;
        for child in children.remove(&Some(row.id)).unwrap_or_default().into_iter().rev() {
            stack.push((child, depth + 1, path.clone(), offered));
        }
        arranged.push(Entry { row, depth, path, offered });
    }
    arranged
}

async fn entries(conn: &mut Conn, catalog: Catalog) -> Result<Vec<Entry>, AppError> {
    Ok(arrange(rows(conn, catalog).await?))
}

/// Every value of the catalog as pickers name it, with whether it is offered: trees by path,
/// units as "serial · item · account".
async fn labelled(conn: &mut Conn, catalog: Catalog) -> Result<Vec<(Named, bool)>, AppError> {
    if catalog == Catalog::Units {
        let rows: Vec<(i64, String, bool)> = sqlx::query_as(
            "SELECT u.id, u.serial || ' · ' || u.item || COALESCE(' · ' || a.name, ''), u.deactivated_at IS NULL
               FROM units u LEFT JOIN accounts a ON a.id = u.account_id ORDER BY a.name, u.serial",
        )
        .fetch_all(conn)
        .await?;
        return Ok(rows.into_iter().map(|(id, name, offered)| (Named { id, name }, offered)).collect());
    }
    Ok(entries(conn, catalog).await?.into_iter().map(|e| (Named { id: e.row.id, name: e.path }, e.offered)).collect())
}

/// One value as pickers name it, with whether it is offered; reads only that value (and, in a
/// tree, the values above it), as every ticket save asks.
async fn labelled_one(conn: &mut Conn, catalog: Catalog, id: i64) -> Result<Option<(Named, bool)>, AppError> {
    if catalog == Catalog::Units {
        let row: Option<(String, bool)> = sqlx::query_as(
            "SELECT u.serial || ' · ' || u.item || COALESCE(' · ' || a.name, ''), u.deactivated_at IS NULL
               FROM units u LEFT JOIN accounts a ON a.id = u.account_id WHERE u.id = ?",
        )
        .bind(id)
        .fetch_optional(conn)
        .await?;
        return Ok(row.map(|(name, offered)| (Named { id, name }, offered)));
    }
    let parent = if catalog.is_tree() { "parent_id" } else { "NULL" };
    let sql = format!("SELECT {parent}, name, deactivated_at IS NULL FROM {} WHERE id = ?", table(catalog));
    let (mut names, mut offered, mut cursor) = (Vec::new(), true, Some(id));
    // The depth bound also ends a cycle in hand-edited data.
    while let Some(at) = cursor.filter(|_| names.len() <= DEPTH_MAX) {
        let Some((parent_id, name, active)) = sqlx::query_as::<_, (Option<i64>, String, bool)>(&sql).bind(at).fetch_optional(&mut *conn).await? else {
            break;
        };
        names.push(name);
        offered &= active;
        cursor = parent_id;
    }
    if names.is_empty() {
        return Ok(None);
    }
    names.reverse();
    Ok(Some((Named { id, name: names.join(" › ") }, offered)))
}

/// Every value, deactivated ones included, by the name pickers use (for describing changes).
pub(crate) async fn labels(conn: &mut Conn, catalog: Catalog) -> Result<Vec<Named>, AppError> {
    Ok(labelled(conn, catalog).await?.into_iter().map(|(named, _)| named).collect())
}

/// The values a new ticket may take.
pub(crate) async fn offered(conn: &mut Conn, catalog: Catalog) -> Result<Vec<Named>, AppError> {
    Ok(labelled(conn, catalog).await?.into_iter().filter(|(_, offered)| *offered).map(|(named, _)| named).collect())
}

/// The resolution codes a person may choose when solving a ticket: the offered codes with no
/// offered code below them (the specific ones), each under the path of its general code.
pub(crate) async fn resolution_choices(conn: &mut Conn) -> Result<Vec<ResolutionChoice>, AppError> {
    let offered: Vec<Entry> = entries(conn, Catalog::ResolutionCodes).await?.into_iter().filter(|e| e.offered).collect();
    let general: HashSet<i64> = offered.iter().filter_map(|e| e.row.parent_id).collect();
    Ok(offered
        .into_iter()
        .filter(|e| !general.contains(&e.row.id))
        .map(|e| {
            let above = e.path.rsplit_once(" › ").map(|(above, _)| above.to_string()).unwrap_or_default();
            ResolutionChoice { id: e.row.id, general: above, name: e.row.name }
        })
        .collect())
}

/// The value as pickers name it, marked when it is no longer offered.
fn marked((value, offered): (Named, bool)) -> Named {
    if offered {
        value
    } else {
        Named { name: format!("{} (deactivated)", value.name), ..value }
    }
}

/// The ids the routing and automation rules name in the catalog.
async fn named_by_rules(conn: &mut Conn, catalog: Catalog) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    for text in sqlx::query_scalar::<_, String>("SELECT conditions FROM routing_rules").fetch_all(&mut *conn).await? {
        ids.extend_from_slice(rule_ids(&from_json::<RoutingConditions>(&text)?, catalog));
    }
    for text in sqlx::query_scalar::<_, String>("SELECT conditions FROM automation_rules").fetch_all(&mut *conn).await? {
        ids.extend_from_slice(rule_ids(&from_json::<AutomationConditions>(&text)?.ticket, catalog));
    }
    Ok(ids)
}

/// What a rule may name: the offered values, and the deactivated ones a rule already names
/// (marked, so that they can be read and taken out).
pub(crate) async fn rule_choices(conn: &mut Conn, catalog: Catalog) -> Result<Vec<Named>, AppError> {
    let named = named_by_rules(conn, catalog).await?;
    Ok(labelled(conn, catalog)
        .await?
        .into_iter()
        .filter(|(value, offered)| *offered || named.contains(&value.id))
        .map(marked)
        .collect())
}

/// Checks a catalog value a ticket form sends: it exists, and is offered unless the ticket
/// (`ticket_id`, when editing) already carries it.
pub(crate) async fn check_ticket_value(conn: &mut Conn, catalog: Catalog, id: Option<i64>, ticket_id: Option<i64>) -> Result<(), AppError> {
    let (Some(id), Some(column)) = (id, ticket_column(catalog)) else { return Ok(()) };
    let Some((value, offered)) = labelled_one(conn, catalog, id).await? else {
        return Err(AppError::Invalid(format!("{} {id} does not exist.", catalog.singular())));
    };
    if offered {
        return Ok(());
    }
    let carried: Option<i64> = match ticket_id {
        Some(ticket_id) => sqlx::query_scalar(&format!("SELECT id FROM tickets WHERE id = ? AND {column} = ?"))
            .bind(ticket_id)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?,
        None => None,
    };
    match carried {
        Some(_) => Ok(()),
        None => Err(AppError::Invalid(format!("{} {} is deactivated; choose another.", catalog.singular(), quoted(&value.name)))),
    }
}

/// The deactivated values a ticket carries, named for its form.
pub(crate) async fn kept_choices(conn: &mut Conn, ticket_id: i64) -> Result<Vec<KeptChoice>, AppError> {
    let mut kept = Vec::new();
    for catalog in Catalog::ALL.iter().copied() {
        let Some(column) = ticket_column(catalog) else { continue };
        let carried: Option<i64> =
            sqlx::query_scalar(&format!("SELECT {column} FROM tickets WHERE id = ?")).bind(ticket_id).fetch_one(&mut *conn).await?;
        let Some(id) = carried else { continue };
        if let Some(found @ (_, false)) = labelled_one(conn, catalog, id).await? {
            kept.push(KeptChoice { catalog, choice: marked(found) });
        }
    }
    Ok(kept)
}

// ---------------------------------------------------------------------------------------------
// Administration
// ---------------------------------------------------------------------------------------------

/// How many tickets carry each value (for unit types: how many units have each type; for event
/// types: how many events were logged with each).
async fn uses(conn: &mut Conn, catalog: Catalog) -> Result<HashMap<i64, i64>, AppError> {
    let sql = match (ticket_column(catalog), catalog) {
        (Some(column), _) => format!("SELECT {column}, COUNT(*) FROM tickets WHERE {column} IS NOT NULL GROUP BY {column}"),
        (None, Catalog::EventTypes) => "SELECT event_type_id, COUNT(*) FROM ticket_events GROUP BY event_type_id".into(),
        (None, _) => "SELECT unit_type_id, COUNT(*) FROM units WHERE unit_type_id IS NOT NULL GROUP BY unit_type_id".into(),
    };
    Ok(sqlx::query_as::<_, (i64, i64)>(&sql).fetch_all(conn).await?.into_iter().collect())
}

async fn unit_details(conn: &mut Conn) -> Result<HashMap<i64, UnitDetails>, AppError> {
    let rows: Vec<(i64, String, Option<i64>, Option<i64>, Option<chrono::NaiveDate>, String)> =
        sqlx::query_as("SELECT id, item, unit_type_id, account_id, warranty_until, contract FROM units").fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(id, item, unit_type_id, account_id, warranty_until, contract)| (id, UnitDetails { item, unit_type_id, account_id, warranty_until, contract }))
        .collect())
}

async fn values(conn: &mut Conn, catalog: Catalog) -> Result<Vec<CatalogValue>, AppError> {
    let uses = uses(conn, catalog).await?;
    let mut units = if catalog == Catalog::Units { unit_details(conn).await? } else { HashMap::new() };
    Ok(entries(conn, catalog)
        .await?
        .into_iter()
        .map(|e| CatalogValue {
            id: e.row.id,
            name: e.row.name,
            parent_id: e.row.parent_id,
            depth: e.depth,
            active: !e.row.deactivated,
            offered: e.offered,
            uses: uses.get(&e.row.id).copied().unwrap_or(0),
            unit: units.remove(&e.row.id),
            version: e.row.version,
        })
        .collect())
}

async fn value(conn: &mut Conn, catalog: Catalog, id: i64) -> Result<CatalogValue, AppError> {
    values(conn, catalog).await?.into_iter().find(|v| v.id == id).ok_or_else(|| access::missing(catalog.singular(), id))
}

/// The catalog with every value, deactivated ones included (admins only).
pub async fn listing(db: &Db, user: &CurrentUser, catalog: Catalog) -> Result<CatalogListing, AppError> {
    access::require(user, Action::ConfigureInstallation)?;
    let mut conn = db.read.acquire().await?;
    // A unit keeps showing a type that was deactivated since (marked as such).
    let (unit_types, accounts) = if catalog == Catalog::Units {
        let types = labelled(&mut conn, Catalog::UnitTypes).await?.into_iter().map(marked).collect();
        (types, named_list(&mut conn, "SELECT id, name FROM accounts ORDER BY name").await?)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(CatalogListing { catalog, values: values(&mut conn, catalog).await?, unit_types, accounts })
}

fn valid_text(field: &str, value: &str, required: bool) -> Result<String, AppError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(AppError::Invalid(format!("{field} is required.")));
    }
    if value.chars().count() > NAME_MAX {
        return Err(AppError::Invalid(format!("{field} is longer than {NAME_MAX} characters.")));
    }
    Ok(value.to_string())
}

/// The input, trimmed and bounded; only trees have a parent, only units have unit details.
fn valid_input(catalog: Catalog, input: &CatalogValueInput) -> Result<CatalogValueInput, AppError> {
    let field = if catalog == Catalog::Units { "Serial number" } else { "Name" };
    let name = valid_text(field, &input.name, true)?;
    if input.parent_id.is_some() && !catalog.is_tree() {
        return Err(AppError::Invalid(format!("{} are a flat list: their values have no parent.", catalog.label())));
    }
    let unit = match (catalog, &input.unit) {
        (Catalog::Units, Some(unit)) => Some(UnitDetails {
            item: valid_text("Item", &unit.item, true)?,
            contract: valid_text("Service contract", &unit.contract, false)?,
            ..unit.clone()
        }),
        (Catalog::Units, None) => return Err(AppError::Invalid("A unit needs its item.".into())),
        (_, Some(_)) => return Err(AppError::Invalid("Only units have an item, owner, warranty and contract.".into())),
        (_, None) => None,
    };
    Ok(CatalogValueInput { name, parent_id: input.parent_id, unit })
}

/// Where a tree value would go: the parent exists, is not the value itself or below it, and the
/// tree stays within `DEPTH_MAX` levels. Returns the parent's path, `None` for the top level.
async fn check_parent(conn: &mut Conn, catalog: Catalog, id: Option<i64>, name: &str, parent_id: Option<i64>) -> Result<Option<String>, AppError> {
    let Some(parent_id) = parent_id else { return Ok(None) };
    let arranged = entries(conn, catalog).await?;
    let parent = arranged
        .iter()
        .find(|e| e.row.id == parent_id)
        .ok_or_else(|| AppError::Invalid(format!("{} {parent_id} does not exist.", catalog.singular())))?;
    let mut height = 0;
    if let Some(id) = id {
        if let Some(at) = arranged.iter().position(|e| e.row.id == id) {
            let depth = arranged[at].depth;
            let subtree: Vec<&Entry> = std::iter::once(&arranged[at]).chain(arranged[at + 1..].iter().take_while(|e| e.depth > depth)).collect();
            if subtree.iter().any(|e| e.row.id == parent_id) {
                let what = if parent_id == id { "itself".to_string() } else { format!("{}, which is below it", quoted(&parent.row.name)) };
                return Err(AppError::Invalid(format!("{} cannot move under {what}.", quoted(name))));
            }
            height = subtree.iter().map(|e| e.depth - depth).max().unwrap_or(0);
        }
    }
    if parent.depth + 1 + height >= DEPTH_MAX {
        return Err(AppError::Invalid(format!("The {} tree is at most {DEPTH_MAX} levels deep.", catalog.label().to_lowercase())));
    }
    Ok(Some(parent.path.clone()))
}

fn place(parent: &Option<String>) -> String {
    match parent {
        Some(path) => format!("under {}", quoted(path)),
        None => "at the top level".into(),
    }
}

/// A unique-name violation as a sentence about the catalog.
fn taken(catalog: Catalog, name: &str, parent: &Option<String>) -> impl FnOnce(sqlx::Error) -> AppError {
    let message = match catalog {
        Catalog::Units => format!("A unit with serial number {} already exists.", quoted(name)),
        _ if catalog.is_tree() => format!("{} {} already exists {}.", catalog.singular(), quoted(name), place(parent)),
        _ => format!("{} {} already exists.", catalog.singular(), quoted(name)),
    };
    move |error| match AppError::from(error) {
        AppError::Conflict(_) => AppError::Invalid(message),
        other => other,
    }
}

/// Bound to every reference a unit makes: its type and owner must exist.
async fn check_unit_references(conn: &mut Conn, unit: &UnitDetails) -> Result<(), AppError> {
    super::lookup::check_exists(conn, "unit_types", "Unit type", unit.unit_type_id).await?;
    super::lookup::check_exists(conn, "accounts", "Account", unit.account_id).await
}

fn area(catalog: Catalog) -> String {
    format!("catalog:{}", catalog.as_str())
}

/// Adds a value (no `id`) or changes one whose `version` is still current: renames it, moves it
/// under another parent (trees), or changes a unit's details. Admins only.
pub async fn save(
    db: &Db,
    user: &CurrentUser,
    catalog: Catalog,
    id: Option<i64>,
    version: Option<i64>,
    input: &CatalogValueInput,
    now: DateTime<Utc>,
) -> Result<CatalogValue, AppError> {
    access::require(user, Action::ConfigureInstallation)?;
    let input = valid_input(catalog, input)?;
    if id.is_some() != version.is_some() {
        return Err(AppError::Invalid(format!("Give both the id and the version of the {} to change it.", catalog.singular().to_lowercase())));
    }
    let mut tx = db.begin_write().await?;
    let before = match id {
        Some(id) => Some(value(&mut tx, catalog, id).await?),
        None => None,
    };
    let parent = if catalog.is_tree() { check_parent(&mut tx, catalog, id, &input.name, input.parent_id).await? } else { None };
    if let Some(unit) = &input.unit {
        check_unit_references(&mut tx, unit).await?;
    }
    let (t, name_column) = (table(catalog), name_column(catalog));
    let unit = input.unit.clone().unwrap_or_default();
    let saved_id = match (&before, version) {
        (Some(before), Some(version)) => {
            let sql = match catalog {
                Catalog::Units => "UPDATE units SET serial = ?, item = ?, unit_type_id = ?, account_id = ?, warranty_until = ?, contract = ?,
                                   version = version + 1 WHERE id = ? AND version = ?"
                    .to_string(),
                _ if catalog.is_tree() => format!("UPDATE {t} SET name = ?, parent_id = ?, version = version + 1 WHERE id = ? AND version = ?"),
                _ => format!("UPDATE {t} SET name = ?, version = version + 1 WHERE id = ? AND version = ?"),
            };
            let mut statement = sqlx::query(&sql).bind(&input.name);
            statement = match catalog {
                Catalog::Units => statement.bind(&unit.item).bind(unit.unit_type_id).bind(unit.account_id).bind(unit.warranty_until).bind(&unit.contract),
                _ if catalog.is_tree() => statement.bind(input.parent_id),
                _ => statement,
            };
            let done = statement.bind(before.id).bind(version).execute(&mut *tx).await.map_err(taken(catalog, &input.name, &parent))?;
            expect_one_row(done.rows_affected(), &format!("{} {}", catalog.singular(), quoted(&before.name)))?;
            before.id
        }
        _ => {
            let sql = match catalog {
                Catalog::Units => {
                    "INSERT INTO units (serial, item, unit_type_id, account_id, warranty_until, contract) VALUES (?, ?, ?, ?, ?, ?) RETURNING id".to_string()
                }
                _ if catalog.is_tree() => format!("INSERT INTO {t} ({name_column}, parent_id) VALUES (?, ?) RETURNING id"),
                _ => format!("INSERT INTO {t} ({name_column}) VALUES (?) RETURNING id"),
            };
            let mut statement = sqlx::query_scalar::<_, i64>(&sql).bind(&input.name);
            statement = match catalog {
                Catalog::Units => statement.bind(&unit.item).bind(unit.unit_type_id).bind(unit.account_id).bind(unit.warranty_until).bind(&unit.contract),
                _ if catalog.is_tree() => statement.bind(input.parent_id),
                _ => statement,
            };
            statement.fetch_one(&mut *tx).await.map_err(taken(catalog, &input.name, &parent))?
        }
    };
    let saved = value(&mut tx, catalog, saved_id).await?;
    let summary = describe_save(catalog, before.as_ref(), &saved, &parent);
    audit::record(&mut tx, user.id, &area(catalog), Some(saved_id), now, &summary).await?;
    tx.commit().await?;
    Ok(saved)
}

/// One line for the audit log: what was added, or what changed.
fn describe_save(catalog: Catalog, before: Option<&CatalogValue>, after: &CatalogValue, parent: &Option<String>) -> String {
    let Some(before) = before else {
        let place = if catalog.is_tree() { format!(" {}", place(parent)) } else { String::new() };
        return format!("Added {} {}{place}", catalog.singular().to_lowercase(), quoted(&after.name));
    };
    let mut changes = Vec::new();
    if before.name != after.name {
        changes.push(format!("renamed {} to {}", quoted(&before.name), quoted(&after.name)));
    }
    if before.parent_id != after.parent_id {
        changes.push(match parent {
            Some(path) => format!("moved under {}", quoted(path)),
            None => "moved to the top level".into(),
        });
    }
    if before.unit != after.unit {
        changes.push("changed its item, owner, warranty or contract".into());
    }
    if changes.is_empty() {
        changes.push("saved without changes".into());
    }
    format!("{} {}: {}", catalog.singular(), quoted(&before.name), changes.join(", "))
}

/// Deactivates a value (no longer offered; tickets keep it) or reactivates it. Admins only.
pub async fn set_active(db: &Db, user: &CurrentUser, catalog: Catalog, id: i64, version: i64, active: bool, now: DateTime<Utc>) -> Result<CatalogValue, AppError> {
    access::require(user, Action::ConfigureInstallation)?;
    let mut tx = db.begin_write().await?;
    let before = value(&mut tx, catalog, id).await?;
    let deactivated_at = (!active).then_some(now);
    let done = sqlx::query(&format!("UPDATE {} SET deactivated_at = ?, version = version + 1 WHERE id = ? AND version = ?", table(catalog)))
        .bind(deactivated_at)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    expect_one_row(done.rows_affected(), &format!("{} {}", catalog.singular(), quoted(&before.name)))?;
    let verb = if active { "Reactivated" } else { "Deactivated" };
    audit::record(&mut tx, user.id, &area(catalog), Some(id), now, &format!("{verb} {} {}", catalog.singular().to_lowercase(), quoted(&before.name))).await?;
    let saved = value(&mut tx, catalog, id).await?;
    tx.commit().await?;
    Ok(saved)
}

fn plural(count: i64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// Deletes a value nothing uses; a value in use is refused with the advice to deactivate it,
/// and nothing changes. Admins only.
pub async fn delete(db: &Db, user: &CurrentUser, catalog: Catalog, id: i64, version: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    access::require(user, Action::ConfigureInstallation)?;
    let mut tx = db.begin_write().await?;
    let doomed = value(&mut tx, catalog, id).await?;
    let name = quoted(&doomed.name);
    if doomed.uses > 0 {
        let used = match catalog {
            Catalog::UnitTypes => format!("is the type of {}", plural(doomed.uses, "unit", "units")),
            Catalog::EventTypes => format!("is the type of {}", plural(doomed.uses, "logged event", "logged events")),
            _ => format!("is used on {}", plural(doomed.uses, "ticket", "tickets")),
        };
        return Err(AppError::Invalid(format!("{name} {used}; deactivate it instead.")));
    }
    let rules = named_by_rules(&mut tx, catalog).await?.into_iter().filter(|named| *named == id).count() as i64;
    if rules > 0 {
        return Err(AppError::Invalid(format!("{name} is named by {}; deactivate it instead.", plural(rules, "rule", "rules"))));
    }
    if catalog.is_tree() {
        let below: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {} WHERE parent_id = ?", table(catalog))).bind(id).fetch_one(&mut *tx).await?;
        if below > 0 {
            return Err(AppError::Invalid(format!("{name} has {} below it; move or delete them first.", plural(below, "value", "values"))));
        }
    }
    let done = sqlx::query(&format!("DELETE FROM {} WHERE id = ? AND version = ?", table(catalog))).bind(id).bind(version).execute(&mut *tx).await?;
    expect_one_row(done.rows_affected(), &format!("{} {name}", catalog.singular()))?;
    audit::record(&mut tx, user.id, &area(catalog), Some(id), now, &format!("Deleted {} {name}", catalog.singular().to_lowercase())).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
#[path = "catalogs_tests.rs"]
mod tests;
