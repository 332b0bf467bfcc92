//! The board: a team's stages with their counts and first cards, and single cards.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::lookup::{stages_of, visible_team_and_management};
use super::{decode, sla, Conn, Db};
use crate::domain::reference;
use crate::error::AppError;
use crate::model::*;

/// Cards sent per column unless the browser asks for more.
pub const DEFAULT_COLUMN_LIMIT: i64 = 50;
pub const MAX_COLUMN_LIMIT: i64 = 1_000;
/// Columns a board request may ask more cards for: far more than any pipeline has.
pub const MAX_COLUMN_LIMITS: usize = 100;

#[derive(sqlx::FromRow)]
struct CardRow {
    id: i64,
    number: i64,
    team_id: i64,
    title: String,
    priority: String,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    contact_name: Option<String>,
    account_name: Option<String>,
    created_at: DateTime<Utc>,
    stage_id: i64,
    position: f64,
    version: i64,
}

const CARD_SELECT: &str = "SELECT k.id, k.number, k.team_id, k.title, k.priority, k.assignee_id, u.name AS assignee_name,
        c.name AS contact_name, a.name AS account_name, k.created_at, k.stage_id, k.position, k.version
    FROM tickets k
    LEFT JOIN users u ON u.id = k.assignee_id
    LEFT JOIN contacts c ON c.id = k.contact_id
    LEFT JOIN accounts a ON a.id = k.account_id";

impl CardRow {
    fn into_card(self) -> Result<TicketCard, AppError> {
        Ok(TicketCard {
            reference: reference::format(self.number),
            team_id: self.team_id,
            priority: decode(Priority::parse, &self.priority)?,
            assignee: self.assignee_id.zip(self.assignee_name).map(|(id, name)| UserRef { id, name }),
            customer: self.contact_name.or(self.account_name),
            title: self.title,
            created_at: self.created_at,
            stage_id: self.stage_id,
            position: self.position,
            version: self.version,
            sla: None,
        })
    }
}

/// The team's board: every stage in order with its total and its first cards, in the manual
/// order or most urgent SLA deadline first, optionally only the tickets at risk.
pub async fn board(db: &Db, user: &CurrentUser, team_id: i64, limits: &[ColumnLimit], view: BoardView, now: DateTime<Utc>) -> Result<Board, AppError> {
    if limits.len() > MAX_COLUMN_LIMITS {
        return Err(AppError::Invalid(format!("Ask for at most {MAX_COLUMN_LIMITS} columns at once.")));
    }
    let mut conn = db.read.acquire().await?;
    let (team, can_manage_stages) = visible_team_and_management(&mut conn, user, team_id).await?;
    let requested: HashMap<i64, i64> = limits.iter().map(|l| (l.stage_id, l.limit.clamp(1, MAX_COLUMN_LIMIT))).collect();
    let narrowed = match view.filter {
        SlaFilter::All => "",
        SlaFilter::AtRisk => " AND k.sla_warning_at <= ?",
        SlaFilter::Breached => " AND k.sla_due_at <= ?",
    };
    let order = if view.by_urgency { "k.sla_due_at IS NULL, k.sla_due_at, k.position, k.id" } else { "k.position, k.id" };
    let mut columns = Vec::new();
    for stage in stages_of(&mut conn, team_id).await? {
        // Archived tickets (converted to a lead) are off the board.
        let count = format!("SELECT COUNT(*) FROM tickets k WHERE k.team_id = ? AND k.stage_id = ? AND k.archived_at IS NULL{narrowed}");
        let mut total = sqlx::query_scalar::<_, i64>(&count).bind(team_id).bind(stage.id);
        if view.filter != SlaFilter::All {
            total = total.bind(now);
        }
        let total = total.fetch_one(&mut *conn).await?;
        let limit = requested.get(&stage.id).copied().unwrap_or(DEFAULT_COLUMN_LIMIT);
        let select = format!("{CARD_SELECT} WHERE k.team_id = ? AND k.stage_id = ? AND k.archived_at IS NULL{narrowed} ORDER BY {order} LIMIT ?");
        let mut cards = sqlx::query_as::<_, CardRow>(&select).bind(team_id).bind(stage.id);
        if view.filter != SlaFilter::All {
            cards = cards.bind(now);
        }
        let rows = cards.bind(limit).fetch_all(&mut *conn).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut countdowns = sla::card_countdowns(&mut conn, &ids, now).await?;
        let cards = rows
            .into_iter()
            .map(|row| {
                let id = row.id;
                row.into_card().map(|mut card| {
                    card.sla = countdowns.remove(&id);
                    card
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        columns.push(BoardColumn { stage, total, cards });
    }
    Ok(Board { can_manage_stages, team, columns })
}

pub(crate) async fn card(conn: &mut Conn, ticket_id: i64, now: DateTime<Utc>) -> Result<TicketCard, AppError> {
    let mut card = sqlx::query_as::<_, CardRow>(&format!("{CARD_SELECT} WHERE k.id = ?")).bind(ticket_id).fetch_one(&mut *conn).await?.into_card()?;
    card.sla = sla::card_countdowns(conn, &[ticket_id], now).await?.remove(&ticket_id);
    Ok(card)
}

