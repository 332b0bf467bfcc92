//! How a ticket relates to other records (issue 12): its parent, its child tickets, and the lead
//! it was converted to. Only tickets the caller may see are named.

use chrono::{DateTime, Utc};

use super::lookup::may_see;
use super::{decode, Conn};
use crate::domain::reference;
use crate::error::AppError;
use crate::model::*;

type ChildRow = (i64, i64, String, String, String, Option<i64>, Option<String>);

/// The ticket's parent, children and lead, as `user` may see them.
pub(crate) async fn of_ticket(conn: &mut Conn, user: &CurrentUser, ticket_id: i64) -> Result<TicketRelations, AppError> {
    let (parent_id, archived_at): (Option<i64>, Option<DateTime<Utc>>) =
        sqlx::query_as("SELECT parent_id, archived_at FROM tickets WHERE id = ?").bind(ticket_id).fetch_one(&mut *conn).await?;
    let parent = match parent_id {
        Some(id) if may_see(conn, user.id, id).await? => {
            let (number, title): (i64, String) = sqlx::query_as("SELECT number, title FROM tickets WHERE id = ?").bind(id).fetch_one(&mut *conn).await?;
            Some(TicketLink { reference: reference::format(number), title })
        }
        _ => None,
    };
    let rows: Vec<ChildRow> = sqlx::query_as(
        "SELECT c.id, c.number, c.title, s.name, c.status, u.id, u.name
           FROM tickets c JOIN stages s ON s.id = c.stage_id LEFT JOIN users u ON u.id = c.assignee_id
          WHERE c.parent_id = ? ORDER BY c.number",
    )
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut children = Vec::new();
    for (id, number, title, stage_name, status, assignee_id, assignee_name) in rows {
        if may_see(conn, user.id, id).await? {
            children.push(ChildTicket {
                reference: reference::format(number),
                title,
                stage_name,
                status: decode(TicketStatus::parse, &status)?,
                assignee: assignee_id.zip(assignee_name).map(|(id, name)| UserRef { id, name }),
            });
        }
    }
    let lead = sqlx::query_as::<_, (i64, String)>("SELECT id, title FROM leads WHERE ticket_id = ?")
        .bind(ticket_id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|(id, title)| LeadLink { id, title });
    Ok(TicketRelations { parent, children, lead, archived_at })
}
