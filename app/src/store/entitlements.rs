//! Entitlements (SPEC S2): what a customer has bought (cases or hours, valid from/to, with an
//! SLA policy), which of them a ticket may draw on, and using up their terms (hours by the
//! ticket's logged time).

use chrono::{DateTime, NaiveDate, Utc};

use super::timeline::add_timeline;
use super::{decode, expect_one_row, name_taken, named_list, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::work_log;
use crate::error::AppError;
use crate::model::*;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    account_id: i64,
    account_name: String,
    contact_id: Option<i64>,
    contact_name: Option<String>,
    name: String,
    kind: String,
    total_terms: i64,
    remaining_terms: i64,
    valid_from: NaiveDate,
    valid_to: NaiveDate,
    policy_id: Option<i64>,
    policy_name: Option<String>,
    decrement_on: String,
    active: bool,
    version: i64,
}

const SELECT: &str = "SELECT e.id, e.account_id, a.name AS account_name, e.contact_id, c.name AS contact_name, e.name, e.kind, e.total_terms,
        e.remaining_terms, e.valid_from, e.valid_to, e.policy_id, p.name AS policy_name, e.decrement_on, e.active, e.version
    FROM entitlements e JOIN accounts a ON a.id = e.account_id
    LEFT JOIN contacts c ON c.id = e.contact_id
    LEFT JOIN sla_policies p ON p.id = e.policy_id";

impl Row {
    fn into_entitlement(self) -> Result<Entitlement, AppError> {
        Ok(Entitlement {
            id: self.id,
            account: Named { id: self.account_id, name: self.account_name },
            contact: self.contact_id.zip(self.contact_name).map(|(id, name)| Named { id, name }),
            name: self.name,
            kind: decode(EntitlementKind::parse, &self.kind)?,
            total_terms: self.total_terms,
            remaining_terms: self.remaining_terms,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            policy: self.policy_id.zip(self.policy_name).map(|(id, name)| Named { id, name }),
            decrement_on: decode(DecrementOn::parse, &self.decrement_on)?,
            active: self.active,
            version: self.version,
        })
    }

    /// Why the entitlement cannot be chosen on `today`, if it cannot.
    fn unavailable(&self, today: NaiveDate) -> Option<String> {
        if !self.active {
            Some(format!("The entitlement \"{}\" is not active.", self.name))
        } else if today < self.valid_from || today > self.valid_to {
            Some(format!("The entitlement \"{}\" is only valid from {} to {}.", self.name, self.valid_from, self.valid_to))
        } else if self.remaining_terms <= 0 {
            Some(format!("The entitlement \"{}\" has no terms left.", self.name))
        } else {
            None
        }
    }

    fn choice(&self) -> Result<EntitlementChoice, AppError> {
        let unit = match decode(EntitlementKind::parse, &self.kind)? {
            EntitlementKind::Cases => "cases",
            EntitlementKind::Hours => "hours",
        };
        Ok(EntitlementChoice {
            id: self.id,
            account_id: self.account_id,
            contact_id: self.contact_id,
            name: self.name.clone(),
            label: format!("{} · {} of {} {unit} left · until {}", self.name, self.remaining_terms, self.total_terms, self.valid_to),
        })
    }
}

/// Entitlements that can be chosen on a ticket now.
pub(crate) async fn choices(conn: &mut Conn, now: DateTime<Utc>) -> Result<Vec<EntitlementChoice>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} WHERE e.active AND e.remaining_terms > 0 ORDER BY a.name, e.name")).fetch_all(&mut *conn).await?;
    rows.iter().filter(|r| r.unavailable(now.date_naive()).is_none()).map(Row::choice).collect()
}

/// The entitlements a customer can draw on now (the account's, and the contact's own), those
/// tied to an SLA policy of a team the caller does not see left out.
pub(crate) async fn available_to(
    conn: &mut Conn,
    user: &CurrentUser,
    account_id: i64,
    contact_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Vec<EntitlementChoice>, AppError> {
    let visible = super::id_list(&super::lookup::visible_team_ids(&mut *conn, user).await?);
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} WHERE e.account_id = ? AND {} ORDER BY e.valid_to, e.name", seen_by(&visible)))
        .bind(account_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut available = Vec::new();
    for row in rows.iter().filter(|r| r.unavailable(now.date_naive()).is_none()) {
        let choice = row.choice()?;
        if choice.fits(Some(account_id), contact_id) {
            available.push(choice);
        }
    }
    Ok(available)
}

/// The ticket's entitlement as its page shows it.
pub(crate) async fn of_ticket(conn: &mut Conn, entitlement_id: Option<i64>) -> Result<Option<EntitlementChoice>, AppError> {
    let Some(id) = entitlement_id else { return Ok(None) };
    let row: Row = sqlx::query_as(&format!("{SELECT} WHERE e.id = ?")).bind(id).fetch_one(&mut *conn).await?;
    row.choice().map(Some)
}

/// The entitlement a saved ticket keeps: a change of customer clears the old one; a newly chosen
/// one must belong to the customer and be active, valid and not used up.
pub(crate) async fn resolve(
    conn: &mut Conn,
    wanted: Option<i64>,
    current: Option<i64>,
    customer_changed: bool,
    account_id: Option<i64>,
    contact_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    let Some(id) = wanted else { return Ok(None) };
    if Some(id) == current {
        return Ok(if customer_changed { None } else { Some(id) });
    }
    let row: Row = sqlx::query_as(&format!("{SELECT} WHERE e.id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| AppError::Invalid(format!("Entitlement {id} does not exist.")))?;
    if !row.choice()?.fits(account_id, contact_id) {
        return Err(AppError::Invalid(format!("The entitlement \"{}\" belongs to another customer.", row.name)));
    }
    match row.unavailable(now.date_naive()) {
        Some(reason) => Err(AppError::Invalid(reason)),
        None => Ok(Some(id)),
    }
}

/// Uses the ticket's entitlement when it is due, once per ticket, unless the agent chose "do
/// not decrement": a cases entitlement one case (on creation, or on resolution when the ticket
/// is solved); an hours entitlement, on resolution, the hours of the ticket's billable logged
/// time (every started hour), never more than are left.
pub(crate) async fn charge_if_due(conn: &mut Conn, ticket_id: i64, actor_id: Option<i64>, now: DateTime<Utc>) -> Result<(), AppError> {
    // Hours are known only once the work is done: an hours entitlement waits for resolution.
    let due: Option<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT e.id, e.name, e.remaining_terms, e.kind FROM tickets k JOIN entitlements e ON e.id = k.entitlement_id JOIN stages s ON s.id = k.stage_id
          WHERE k.id = ? AND NOT k.entitlement_charged AND NOT k.do_not_decrement
            AND ((e.decrement_on = ? AND e.kind <> ?) OR s.category = ?)",
    )
    .bind(ticket_id)
    .bind(DecrementOn::Creation.as_str())
    .bind(EntitlementKind::Hours.as_str())
    .bind(StageCategory::Solved.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((entitlement_id, name, remaining, kind)) = due else { return Ok(()) };
    let line = match decode(EntitlementKind::parse, &kind)? {
        EntitlementKind::Cases if remaining > 0 => {
            use_terms(conn, entitlement_id, 1).await?;
            format!("Entitlement \"{name}\": 1 case used, {} left", remaining - 1)
        }
        EntitlementKind::Cases => format!("Entitlement \"{name}\" has no terms left; nothing was used"),
        EntitlementKind::Hours => {
            let billable: i64 = sqlx::query_scalar("SELECT COALESCE(SUM(minutes), 0) FROM time_entries WHERE ticket_id = ? AND billable AND ended_at IS NOT NULL")
                .bind(ticket_id)
                .fetch_one(&mut *conn)
                .await?;
            let logged = work_log::entitlement_hours(billable);
            let used = work_log::hours_to_charge(logged, remaining);
            use_terms(conn, entitlement_id, used).await?;
            let short = if used < logged { format!(" ({logged} logged, only {used} left to use)") } else { String::new() };
            format!("Entitlement \"{name}\": {used} {} used by the billable time logged{short}, {} left", if used == 1 { "hour" } else { "hours" }, remaining - used)
        }
    };
    sqlx::query("UPDATE tickets SET entitlement_charged = 1 WHERE id = ?").bind(ticket_id).execute(&mut *conn).await?;
    add_timeline(conn, ticket_id, TimelineKind::Edited, actor_id, now, &line).await
}

async fn use_terms(conn: &mut Conn, entitlement_id: i64, terms: i64) -> Result<(), AppError> {
    if terms > 0 {
        sqlx::query("UPDATE entitlements SET remaining_terms = remaining_terms - ?, version = version + 1 WHERE id = ?")
            .bind(terms)
            .bind(entitlement_id)
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn setup(db: &Db, user: &CurrentUser) -> Result<EntitlementsSetup, AppError> {
    access::require(user, Action::SeeSetup)?;
    let mut conn = db.read.acquire().await?;
    let visible = super::id_list(&super::lookup::visible_team_ids(&mut conn, user).await?);
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} WHERE {} ORDER BY a.name, e.name", seen_by(&visible))).fetch_all(&mut *conn).await?;
    let contacts: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT c.id, c.name || COALESCE(' · ' || a.name, ''), c.account_id FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id ORDER BY c.name",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(EntitlementsSetup {
        entitlements: rows.into_iter().map(Row::into_entitlement).collect::<Result<_, _>>()?,
        accounts: named_list(&mut conn, "SELECT id, name FROM accounts ORDER BY name").await?,
        contacts: contacts.into_iter().map(|(id, name, account)| (Named { id, name }, account)).collect(),
        policies: named_list(
            &mut conn,
            &format!("SELECT p.id, t.name || ' › ' || p.name FROM sla_policies p JOIN teams t ON t.id = p.team_id WHERE t.id IN ({visible}) ORDER BY t.name, p.position"),
        )
        .await?,
        can_edit: access::may(user.role, Action::ManageEntitlements),
    })
}

/// Entitlements whose SLA policy belongs to a team the caller does not see are hidden with it;
/// `visible` is an id list of the teams they see (`e` the entitlement, `p` its policy).
fn seen_by(visible: &str) -> String {
    format!("(e.policy_id IS NULL OR p.team_id IN ({visible}))")
}

fn validate(input: &EntitlementInput) -> Result<String, AppError> {
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::Invalid("Give the entitlement a name of at most 120 characters.".into()));
    }
    if !(1..=1_000_000).contains(&input.total_terms) {
        return Err(AppError::Invalid("Total terms must be a positive number.".into()));
    }
    if input.remaining_terms < 0 || input.remaining_terms > input.total_terms {
        return Err(AppError::Invalid("Remaining terms must lie between 0 and the total.".into()));
    }
    if input.valid_to < input.valid_from {
        return Err(AppError::Invalid("The entitlement must end on or after the day it starts.".into()));
    }
    Ok(name)
}

/// Creates an entitlement, or updates it if `version` is still current.
pub async fn save(db: &Db, user: &CurrentUser, id: Option<i64>, version: Option<i64>, input: &EntitlementInput) -> Result<Entitlement, AppError> {
    access::require(user, Action::ManageEntitlements)?;
    let name = validate(input)?;
    let mut tx = db.begin_write().await?;
    let visible = super::id_list(&super::lookup::visible_team_ids(&mut tx, user).await?);
    if let Some(id) = id {
        let seen: Option<i64> = sqlx::query_scalar(&format!("SELECT e.id FROM entitlements e LEFT JOIN sla_policies p ON p.id = e.policy_id WHERE e.id = ? AND {}", seen_by(&visible)))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        seen.ok_or_else(|| access::missing("Entitlement", id))?;
    }
    super::lookup::check_exists(&mut tx, "accounts", "Account", Some(input.account_id)).await?;
    if let Some(policy_id) = input.policy_id {
        let seen: Option<i64> = sqlx::query_scalar(&format!("SELECT id FROM sla_policies WHERE id = ? AND team_id IN ({visible})"))
            .bind(policy_id)
            .fetch_optional(&mut *tx)
            .await?;
        seen.ok_or_else(|| AppError::Invalid(format!("SLA policy {policy_id} does not exist.")))?;
    }
    if let Some(contact_id) = input.contact_id {
        let account: Option<Option<i64>> = sqlx::query_scalar("SELECT account_id FROM contacts WHERE id = ?").bind(contact_id).fetch_optional(&mut *tx).await?;
        if account != Some(Some(input.account_id)) {
            return Err(AppError::Invalid("The contact must belong to the entitlement's account.".into()));
        }
    }
    let statement = match (id, version) {
        (Some(_), Some(_)) => {
            "UPDATE entitlements SET account_id = ?, contact_id = ?, name = ?, kind = ?, total_terms = ?, remaining_terms = ?, valid_from = ?,
                    valid_to = ?, policy_id = ?, decrement_on = ?, active = ?, version = version + 1 WHERE id = ? AND version = ? RETURNING id"
        }
        (None, None) => {
            "INSERT INTO entitlements (account_id, contact_id, name, kind, total_terms, remaining_terms, valid_from, valid_to, policy_id, decrement_on, active)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
        }
        _ => return Err(AppError::Invalid("Give both the id and the version of the entitlement to change it.".into())),
    };
    let query = sqlx::query_scalar::<_, i64>(statement)
        .bind(input.account_id)
        .bind(input.contact_id)
        .bind(&name)
        .bind(input.kind.as_str())
        .bind(input.total_terms)
        .bind(input.remaining_terms)
        .bind(input.valid_from)
        .bind(input.valid_to)
        .bind(input.policy_id)
        .bind(input.decrement_on.as_str())
        .bind(input.active);
    let query = if id.is_some() { query.bind(id).bind(version) } else { query };
    let saved = query.fetch_optional(&mut *tx).await.map_err(name_taken("An entitlement of this account", &name))?;
    expect_one_row(saved.iter().count() as u64, &format!("The entitlement \"{name}\""))?;
    let saved_id = saved.unwrap_or_default();
    let row: Row = sqlx::query_as(&format!("{SELECT} WHERE e.id = ?")).bind(saved_id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    row.into_entitlement()
}

#[cfg(test)]
#[path = "entitlements_tests.rs"]
mod tests;
