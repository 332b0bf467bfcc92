//! Leads (issue 12, SPEC S2 "convert to lead"): the minimal sales side. A ticket better handled
//! by sales becomes a lead with a customer choice (the ticket's, a new contact, or none), a sales
//! team and a salesperson; the ticket is archived (off the board) and both link to each other.
//! Internal users only.

use chrono::{DateTime, Utc};

use super::lookup::{accessible, check_exists, may_see};
use super::ticket_flow::{after_change, Change};
use super::ticket_writes::archive;
use super::timeline::add_timeline;
use super::{code, customers, named_list, staff_sql, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::automation::Event;
use crate::domain::{reference, validate};
use crate::error::AppError;
use crate::model::*;

/// The *Leads* page shows the newest this many.
pub const LEADS_SHOWN: i64 = 500;

/// What "Convert to lead…" offers: the sales teams and the people who may sell.
pub async fn choices(db: &Db, user: &CurrentUser) -> Result<LeadChoices, AppError> {
    access::require(user, Action::WorkTickets)?;
    let mut conn = db.read.acquire().await?;
    Ok(LeadChoices {
        sales_teams: named_list(&mut conn, "SELECT id, name FROM sales_teams ORDER BY name").await?,
        salespeople: named_list(&mut conn, &staff_sql()).await?,
    })
}

type LeadSelect = (i64, String, Option<String>, Option<String>, String, Option<i64>, Option<String>, Option<i64>, Option<i64>, Option<String>, DateTime<Utc>);

const LEAD_SELECT: &str = "SELECT l.id, l.title, c.name, a.name, s.name, u.id, u.name, k.id, k.number, k.title, l.created_at
    FROM leads l
    JOIN sales_teams s ON s.id = l.sales_team_id
    LEFT JOIN contacts c ON c.id = l.contact_id
    LEFT JOIN accounts a ON a.id = l.account_id
    LEFT JOIN users u ON u.id = l.salesperson_id
    LEFT JOIN tickets k ON k.id = l.ticket_id";

/// A lead as listed; its source ticket only when `user` may see that ticket.
async fn row(conn: &mut Conn, user: &CurrentUser, selected: LeadSelect) -> Result<LeadRow, AppError> {
    let (id, title, contact, account, sales_team, salesperson_id, salesperson_name, ticket_id, number, ticket_title, created_at) = selected;
    let ticket = match (ticket_id, number, ticket_title) {
        (Some(ticket_id), Some(number), Some(title)) if may_see(conn, user.id, ticket_id).await? => Some(TicketLink { reference: reference::format(number), title }),
        _ => None,
    };
    let customer = match (contact, account) {
        (Some(c), Some(a)) => Some(format!("{c} · {a}")),
        (c, a) => c.or(a),
    };
    Ok(LeadRow { id, title, customer, sales_team, salesperson: salesperson_id.zip(salesperson_name).map(|(id, name)| UserRef { id, name }), ticket, created_at })
}

/// The newest leads first.
pub async fn list(db: &Db, user: &CurrentUser) -> Result<Vec<LeadRow>, AppError> {
    access::require(user, Action::WorkTickets)?;
    let mut conn = db.read.acquire().await?;
    let rows: Vec<LeadSelect> =
        sqlx::query_as(&format!("{LEAD_SELECT} ORDER BY l.created_at DESC, l.id DESC LIMIT ?")).bind(LEADS_SHOWN).fetch_all(&mut *conn).await?;
    let mut leads = Vec::with_capacity(rows.len());
    for selected in rows {
        leads.push(row(&mut conn, user, selected).await?);
    }
    Ok(leads)
}

/// A lead converted from a ticket, and the team whose board must refresh.
pub struct Converted {
    pub lead: LeadRow,
    pub team_id: i64,
}

/// Converts the ticket (at `version`) into a lead and archives it; both timelines and links say
/// so. A ticket is converted once.
pub async fn convert(db: &Db, user: &CurrentUser, reference_text: &str, version: i64, input: &LeadInput, now: DateTime<Utc>) -> Result<Converted, AppError> {
    access::require(user, Action::WorkTickets)?;
    let title = validate::title(&input.title)?;
    let new_customer = match &input.customer {
        LeadCustomer::New(given) => Some(validate::new_customer(given)?),
        LeadCustomer::Ticket | LeadCustomer::None => None,
    };
    let mut tx = db.begin_write().await?;
    let ticket = accessible(&mut tx, user, reference_text, true).await?;
    let shown_reference = reference_text.trim().to_uppercase();
    if ticket.version != version {
        return Err(AppError::Conflict(format!("{shown_reference} was changed by someone else in the meantime. The latest version has been loaded.")));
    }
    let (archived, contact_id, account_id): (bool, Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT archived_at IS NOT NULL, contact_id, account_id FROM tickets WHERE id = ?").bind(ticket.id).fetch_one(&mut *tx).await?;
    if archived {
        return Err(AppError::Invalid(format!("{shown_reference} is archived already: it was converted to a lead.")));
    }
    let (contact_id, account_id) = match &input.customer {
        LeadCustomer::Ticket => (contact_id, account_id),
        LeadCustomer::New(_) => customers::resolve(&mut tx, None, None, new_customer.as_ref()).await?,
        LeadCustomer::None => (None, None),
    };
    check_exists(&mut tx, "sales_teams", "Sales team", Some(input.sales_team_id)).await?;
    let salesperson = match input.salesperson_id {
        Some(id) => Some(
            sqlx::query_scalar::<_, String>(&format!("SELECT name FROM users WHERE id = ? AND role <> {} AND deactivated_at IS NULL", code(Role::Customer.as_str())))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| AppError::Invalid(format!("User {id} cannot be a salesperson.")))?,
        ),
        None => None,
    };
    let lead_id: i64 = sqlx::query_scalar(
        "INSERT INTO leads (title, contact_id, account_id, sales_team_id, salesperson_id, ticket_id, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&title)
    .bind(contact_id)
    .bind(account_id)
    .bind(input.sales_team_id)
    .bind(input.salesperson_id)
    .bind(ticket.id)
    .bind(user.id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    archive(&mut tx, ticket.id, now).await?;
    let by = salesperson.map(|name| format!(" for {name}")).unwrap_or_default();
    let line = format!("Converted to lead \"{title}\"{by}; the ticket is archived");
    add_timeline(&mut tx, ticket.id, TimelineKind::Converted, Some(user.id), now, &line).await?;
    after_change(&mut tx, Change { actor_id: Some(user.id), ticket_id: ticket.id, events: vec![Event::Updated], route: false }, now).await?;
    let selected: LeadSelect = sqlx::query_as(&format!("{LEAD_SELECT} WHERE l.id = ?")).bind(lead_id).fetch_one(&mut *tx).await?;
    let lead = row(&mut tx, user, selected).await?;
    tx.commit().await?;
    Ok(Converted { lead, team_id: ticket.team_id })
}

#[cfg(test)]
#[path = "leads_tests.rs"]
mod tests;
