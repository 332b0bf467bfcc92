//! Tickets: creation, edits, board moves, "apply routing rules", and the staff view. Every
//! change ends in the ticket workflow (`ticket_flow`).

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::board::card;
use super::lookup::{accessible, check_assignee, parse_reference, stage, stages_of, visible_team, TicketCore};
use super::ticket_flow::{after_change, Change};
use super::ticket_writes::{end_of, intake_stage, move_to_end, set_assignee, set_stage, Claim};
use super::timeline::add_timeline;
use super::{catalogs, conversation, customers, decode, entitlements, expect_one_row, qualifications, queues, relations, resolutions, sla, Conn, Database, Db};
use crate::domain::access::{self, Action};
use crate::domain::automation::Event;
use crate::domain::{changes, ordering, reference, status, validate};
use crate::error::AppError;
use crate::model::*;

fn stale(reference_text: &str) -> AppError {
    AppError::Conflict(format!(
        "{} was changed by someone else in the meantime. The board now shows the latest state.",
        reference_text.trim().to_uppercase()
    ))
}


/// How many recent assignees the picker suggests.
pub const RECENT_AGENTS: i64 = 5;

async fn remember_assignment(conn: &mut Conn, actor_id: i64, assignee_id: i64, at: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query("INSERT INTO assignment_history (actor_id, assignee_id, at) VALUES (?, ?, ?)")
        .bind(actor_id)
        .bind(assignee_id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

async fn replace_tags(conn: &mut Conn, ticket_id: i64, tags: &[String]) -> Result<(), AppError> {
    sqlx::query("DELETE FROM ticket_tags WHERE ticket_id = ?").bind(ticket_id).execute(&mut *conn).await?;
    for tag in tags {
        sqlx::query("INSERT INTO ticket_tags (ticket_id, tag) VALUES (?, ?)").bind(ticket_id).bind(tag).execute(&mut *conn).await?;
    }
    Ok(())
}

/// A ticket's references, checked inside the transaction (a new customer is created there too).
struct Resolved {
    assignee: Option<UserRef>,
    contact_id: Option<i64>,
    account_id: Option<i64>,
    entitlement_id: Option<i64>,
}

/// The ticket's customer and entitlement before an edit; `None` when creating.
type Before = Option<(Customer, Option<i64>)>;

/// `ticket_id` is the ticket being edited: a deactivated catalog value it carries may stay.
async fn resolve_references(conn: &mut Conn, input: &TicketInput, ticket_id: Option<i64>, before: Before, now: DateTime<Utc>) -> Result<Resolved, AppError> {
    let assignee = check_assignee(conn, input.assignee_id, input.team_id).await?;
    for (catalog, id) in [
        (Catalog::Subjects, input.subject_id),
        (Catalog::Products, input.product_id),
        (Catalog::ReasonCodes, input.reason_id),
        (Catalog::Regions, input.region_id),
        (Catalog::ServiceTypes, input.service_type_id),
        (Catalog::Units, input.unit_id),
    ] {
        catalogs::check_ticket_value(conn, catalog, id, ticket_id).await?;
    }
    let (contact_id, account_id) = customers::resolve(conn, input.contact_id, input.account_id, input.new_customer.as_ref()).await?;
    let (customer_changed, current) = match before {
        Some((customer, entitlement)) => ((customer.contact_id, customer.account_id) != (contact_id, account_id), entitlement),
        None => (false, None),
    };
    let entitlement_id = entitlements::resolve(conn, input.entitlement_id, current, customer_changed, account_id, contact_id, now).await?;
    Ok(Resolved { assignee, contact_id, account_id, entitlement_id })
}

/// The columns a ticket form edits, in the order `bind_editable` binds them (team and assignee
/// go through `ticket_writes`).
const EDITABLE_COLUMNS: &str = "title, description, priority, account_id, contact_id, origin, subject_id, product_id,
    reason_id, region_id, service_type_id, unit_id, entitlement_id, do_not_decrement, service_order";

type Statement<'q> = sqlx::query::Query<'q, Database, <Database as sqlx::Database>::Arguments<'q>>;

fn bind_editable<'q>(statement: Statement<'q>, input: &'q TicketInput, resolved: &Resolved) -> Statement<'q> {
    statement
        .bind(&input.title)
        .bind(&input.description)
        .bind(input.priority.as_str())
        .bind(resolved.account_id)
        .bind(resolved.contact_id)
        .bind(input.origin.as_str())
        .bind(input.subject_id)
        .bind(input.product_id)
        .bind(input.reason_id)
        .bind(input.region_id)
        .bind(input.service_type_id)
        .bind(input.unit_id)
        .bind(resolved.entitlement_id)
        .bind(input.do_not_decrement)
        .bind(&input.service_order)
}

/// Creates a ticket in the team's intake stage; returns its card (with the new reference).
pub async fn create(db: &Db, user: &CurrentUser, input: &TicketInput, now: DateTime<Utc>) -> Result<TicketCard, AppError> {
    access::require(user, Action::WorkTickets)?;
    let input = validate::ticket(input)?;
    let mut tx = db.begin_write().await?;
    let ticket_id = insert(&mut tx, user, &input, None, now).await?;
    let created = card(&mut tx, ticket_id, now).await?;
    tx.commit().await?;
    Ok(created)
}

/// "Create child ticket": a new ticket with `title` under the parent `parent_text`, in the
/// parent's team and for its customer; both timelines say so.
pub async fn create_child(db: &Db, user: &CurrentUser, parent_text: &str, title: &str, now: DateTime<Utc>) -> Result<TicketCard, AppError> {
    access::require(user, Action::WorkTickets)?;
    let title = validate::title(title)?;
    let mut tx = db.begin_write().await?;
    let parent = accessible(&mut tx, user, parent_text, true).await?;
    let (number, contact_id, account_id): (i64, Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT number, contact_id, account_id FROM tickets WHERE id = ?").bind(parent.id).fetch_one(&mut *tx).await?;
    let input = TicketInput { contact_id, account_id, ..TicketInput::quick(parent.team_id, title) };
    let child_id = insert(&mut tx, user, &input, Some(parent.id), now).await?;
    let created = card(&mut tx, child_id, now).await?;
    add_timeline(&mut tx, child_id, TimelineKind::Child, Some(user.id), now, &format!("Child ticket of {}", reference::format(number))).await?;
    let line = format!("Child ticket {} created: {}", created.reference, created.title);
    add_timeline(&mut tx, parent.id, TimelineKind::Child, Some(user.id), now, &line).await?;
    tx.commit().await?;
    Ok(created)
}

/// Writes a new ticket (under `parent_id`, for a child ticket) in its team's intake stage and runs
/// the ticket workflow; returns its id.
async fn insert(tx: &mut Conn, user: &CurrentUser, input: &TicketInput, parent_id: Option<i64>, now: DateTime<Utc>) -> Result<i64, AppError> {
    let team = visible_team(&mut *tx, user, input.team_id).await?;
    let stage = intake_stage(&mut *tx, team.id).await?;
    let resolved = resolve_references(&mut *tx, input, None, None, now).await?;
    let number: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(number) + 1, ?) FROM tickets")
        .bind(reference::FIRST_NUMBER)
        .fetch_one(&mut *tx)
        .await?;
    let position = end_of(&mut *tx, stage.id, 0).await?;
    let insert = format!(
        "INSERT INTO tickets ({EDITABLE_COLUMNS}, status, number, team_id, stage_id, position, created_by, created_at, updated_at, parent_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
    );
    let ticket_id: i64 = bind_editable(sqlx::query(&insert), input, &resolved)
        .bind(status::derive(stage.category, false).as_str())
        .bind(number)
        .bind(team.id)
        .bind(stage.id)
        .bind(position)
        .bind(user.id)
        .bind(now)
        .bind(now)
        .bind(parent_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    replace_tags(&mut *tx, ticket_id, &input.tags).await?;
    qualifications::replace_requirements(&mut *tx, ticket_id, &input.requirements).await?;
    super::ticket_writes::follow(&mut *tx, ticket_id, user.id).await?;
    add_timeline(&mut *tx, ticket_id, TimelineKind::Created, Some(user.id), now, &format!("Created in {} › {}", team.name, stage.name)).await?;
    if let Some(assignee) = &resolved.assignee {
        set_assignee(&mut *tx, ticket_id, Some(assignee.id), Claim::Any, now).await?;
        remember_assignment(&mut *tx, user.id, assignee.id, now).await?;
        add_timeline(&mut *tx, ticket_id, TimelineKind::Assigned, Some(user.id), now, &format!("Assigned to {}", assignee.name)).await?;
    }
    after_change(&mut *tx, Change { actor_id: Some(user.id), ticket_id, events: vec![Event::Created], route: true }, now).await?;
    Ok(ticket_id)
}

/// A card moved on the board, and the team whose boards must refresh.
pub struct Moved {
    pub card: TicketCard,
    pub team_id: i64,
}

/// Moves a ticket to `to_stage_id`, placed just before `before` (a card of that stage) or last.
/// Refuses a stale `version`: someone else moved or edited the ticket first. Moving into a solved
/// stage needs a `resolution` (`domain::resolution`); a refused move changes nothing.
#[allow(clippy::too_many_arguments)]
pub async fn move_to_stage(
    db: &Db,
    user: &CurrentUser,
    reference_text: &str,
    version: i64,
    to_stage_id: i64,
    before: Option<&str>,
    resolution: Option<&ResolutionInput>,
    now: DateTime<Utc>,
) -> Result<Moved, AppError> {
    let mut tx = db.begin_write().await?;
    let ticket = accessible(&mut tx, user, reference_text, true).await?;
    if ticket.version != version {
        return Err(stale(reference_text));
    }
    let target = stage(&mut tx, to_stage_id).await?;
    if target.team_id != ticket.team_id {
        return Err(AppError::Invalid(format!("The stage \"{}\" belongs to another team.", target.name)));
    }
    let from = stage(&mut tx, ticket.stage_id).await?;
    let resolution = resolutions::check_move(&mut tx, reference_text, ticket.id, from.category, target.category, resolution).await?;
    let position = drop_position(&mut tx, &ticket, &target, before).await?;
    if !set_stage(&mut tx, ticket.id, &target, position, Some(version), now).await? {
        return Err(stale(reference_text));
    }
    if target.id != ticket.stage_id {
        add_timeline(&mut tx, ticket.id, TimelineKind::Moved, Some(user.id), now, &format!("Stage: {} → {}", from.name, target.name)).await?;
        if let Some(resolution) = &resolution {
            resolutions::record(&mut tx, ticket.id, user.id, resolution, now).await?;
        }
        after_change(&mut tx, Change { actor_id: Some(user.id), ticket_id: ticket.id, events: vec![Event::StageChanged], route: false }, now).await?;
    }
    let moved = card(&mut tx, ticket.id, now).await?;
    tx.commit().await?;
    Ok(Moved { card: moved, team_id: ticket.team_id })
}

/// The position between the card the ticket is dropped before and that card's predecessor;
/// renumbers the column in the rare case that the gap is used up.
async fn drop_position(conn: &mut Conn, ticket: &TicketCore, target: &Stage, before: Option<&str>) -> Result<f64, AppError> {
    let Some(before_text) = before else {
        return end_of(conn, target.id, ticket.id).await;
    };
    let number = parse_reference(before_text)?;
    let next: f64 = sqlx::query_scalar("SELECT position FROM tickets WHERE number = ? AND stage_id = ? AND id <> ?")
        .bind(number)
        .bind(target.id)
        .bind(ticket.id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| AppError::Invalid(format!("{} is not in the stage \"{}\".", reference::format(number), target.name)))?;
    let prev = previous_position(conn, target.id, ticket.id, next).await?;
    if prev.is_some_and(|p| ordering::exhausted(p, next)) {
        renumber(conn, target.id).await?;
        let next: f64 = sqlx::query_scalar("SELECT position FROM tickets WHERE number = ?").bind(number).fetch_one(&mut *conn).await?;
        let prev = previous_position(conn, target.id, ticket.id, next).await?;
        return Ok(ordering::between(prev, Some(next)));
    }
    Ok(ordering::between(prev, Some(next)))
}

async fn previous_position(conn: &mut Conn, stage_id: i64, except_ticket: i64, next: f64) -> Result<Option<f64>, AppError> {
    Ok(sqlx::query_scalar("SELECT MAX(position) FROM tickets WHERE stage_id = ? AND position < ? AND id <> ?")
        .bind(stage_id)
        .bind(next)
        .bind(except_ticket)
        .fetch_one(conn)
        .await?)
}

async fn renumber(conn: &mut Conn, stage_id: i64) -> Result<(), AppError> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM tickets WHERE stage_id = ? ORDER BY position, id")
        .bind(stage_id)
        .fetch_all(&mut *conn)
        .await?;
    for (index, id) in ids.iter().enumerate() {
        sqlx::query("UPDATE tickets SET position = ? WHERE id = ?")
            .bind((index as f64 + 1.0) * ordering::STEP)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    id: i64,
    number: i64,
    title: String,
    description: String,
    team_id: i64,
    team_name: String,
    stage_id: i64,
    status: String,
    priority: String,
    origin: String,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    contact_id: Option<i64>,
    contact_name: Option<String>,
    account_id: Option<i64>,
    account_name: Option<String>,
    subject_id: Option<i64>,
    product_id: Option<i64>,
    reason_id: Option<i64>,
    region_id: Option<i64>,
    service_type_id: Option<i64>,
    unit_id: Option<i64>,
    created_by: Option<i64>,
    creator_name: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    version: i64,
    entitlement_id: Option<i64>,
    do_not_decrement: bool,
    service_order: String,
    resolution_code_id: Option<i64>,
    resolution_note: String,
    merged_into_number: Option<i64>,
}

/// A ticket's fields and timeline; `with_sla` adds its clocks for showing it.
async fn detail(conn: &mut Conn, ticket_id: i64) -> Result<TicketDetail, AppError> {
    let row: DetailRow = sqlx::query_as(
        "SELECT k.id, k.number, k.title, k.description, k.team_id, t.name AS team_name, k.stage_id, k.status, k.priority,
                k.origin, k.assignee_id, u.name AS assignee_name, k.contact_id, c.name AS contact_name, k.account_id,
                a.name AS account_name, k.subject_id, k.product_id, k.reason_id, k.region_id, k.service_type_id, k.unit_id, k.created_by, cb.name AS creator_name,
                k.created_at, k.updated_at, k.closed_at, k.version, k.entitlement_id, k.do_not_decrement,
                k.service_order, k.resolution_code_id, k.resolution_note, m.number AS merged_into_number
           FROM tickets k
           JOIN teams t ON t.id = k.team_id
           LEFT JOIN users u ON u.id = k.assignee_id
           LEFT JOIN users cb ON cb.id = k.created_by
           LEFT JOIN contacts c ON c.id = k.contact_id
           LEFT JOIN accounts a ON a.id = k.account_id
           LEFT JOIN tickets m ON m.id = k.merged_into_id
          WHERE k.id = ?",
    )
    .bind(ticket_id)
    .fetch_one(&mut *conn)
    .await?;
    let tags: Vec<String> =
        sqlx::query_scalar("SELECT tag FROM ticket_tags WHERE ticket_id = ? ORDER BY tag").bind(row.id).fetch_all(&mut *conn).await?;
    let timeline_rows: Vec<(i64, String, Option<String>, DateTime<Utc>, String)> = sqlx::query_as(
        "SELECT e.id, e.kind, u.name, e.at, e.summary FROM timeline_entries e LEFT JOIN users u ON u.id = e.actor_id
          WHERE e.ticket_id = ? ORDER BY e.at DESC, e.id DESC",
    )
    .bind(row.id)
    .fetch_all(&mut *conn)
    .await?;
    let timeline = timeline_rows
        .into_iter()
        .map(|(id, kind, actor, at, summary)| Ok(TimelineEntry { id, kind: decode(TimelineKind::parse, &kind)?, actor, at, summary, message: None }))
        .collect::<Result<Vec<_>, AppError>>()?;
    let requirements = qualifications::requirements_of(conn, row.id).await?;
    let queues = queues::queues_of(conn, row.id).await?;
    let unit = match row.unit_id {
        Some(unit_id) => {
            let (serial, item, unit_type, warranty_until, contract): (String, String, Option<String>, Option<chrono::NaiveDate>, String) = sqlx::query_as(
                "SELECT u.serial, u.item, t.name, u.warranty_until, u.contract FROM units u LEFT JOIN unit_types t ON t.id = u.unit_type_id WHERE u.id = ?",
            )
            .bind(unit_id)
            .fetch_one(&mut *conn)
            .await?;
            Some(UnitInfo { serial, item, unit_type, warranty_until, contract })
        }
        None => None,
    };
    let stages = stages_of(conn, row.team_id).await?;
    let current = stages
        .iter()
        .find(|s| s.id == row.stage_id)
        .cloned()
        .ok_or_else(|| AppError::Internal("The ticket's stage is missing.".into()))?;
    Ok(TicketDetail {
        sla: Vec::new(),
        sla_policy: None,
        escalation: None,
        entitlement: entitlements::of_ticket(conn, row.entitlement_id).await?,
        do_not_decrement: row.do_not_decrement,
        kept_choices: catalogs::kept_choices(conn, row.id).await?,
        resolution: resolutions::shown(conn, row.resolution_code_id, row.resolution_note, current.category).await?,
        service_order: row.service_order,
        // Named per caller: `with_relations`.
        relations: TicketRelations::default(),
        merged_into: row.merged_into_number.map(reference::format),
        reference: reference::format(row.number),
        status: decode(TicketStatus::parse, &row.status)?,
        priority: decode(Priority::parse, &row.priority)?,
        origin: decode(Origin::parse, &row.origin)?,
        assignee: row.assignee_id.zip(row.assignee_name).map(|(id, name)| UserRef { id, name }),
        customer: Customer {
            contact_id: row.contact_id,
            contact_name: row.contact_name,
            account_id: row.account_id,
            account_name: row.account_name,
        },
        created_by: row.created_by.zip(row.creator_name).map(|(id, name)| UserRef { id, name }),
        team: Named { id: row.team_id, name: row.team_name },
        stage: current,
        stages,
        title: row.title,
        description: row.description,
        subject_id: row.subject_id,
        product_id: row.product_id,
        reason_id: row.reason_id,
        region_id: row.region_id,
        service_type_id: row.service_type_id,
        unit_id: row.unit_id,
        unit,
        tags,
        requirements,
        queues,
        created_at: row.created_at,
        updated_at: row.updated_at,
        closed_at: row.closed_at,
        version: row.version,
        timeline,
    })
}

/// The ticket's SLA policy, escalation level and clocks as they stand at `now`.
async fn with_sla(conn: &mut Conn, ticket_id: i64, mut shown: TicketDetail, now: DateTime<Utc>) -> Result<TicketDetail, AppError> {
    (shown.sla_policy, shown.escalation) = sla::summary(conn, ticket_id).await?;
    shown.sla = sla::countdowns(conn, ticket_id, now).await?;
    Ok(shown)
}

/// The ticket's parent, children and lead, as `user` may see them.
async fn with_relations(conn: &mut Conn, user: &CurrentUser, ticket_id: i64, mut shown: TicketDetail) -> Result<TicketDetail, AppError> {
    shown.relations = relations::of_ticket(conn, user, ticket_id).await?;
    Ok(shown)
}

/// The staff view of a ticket; customers get their own projection (`store::portal`).
pub async fn get(db: &Db, user: &CurrentUser, reference_text: &str, now: DateTime<Utc>) -> Result<TicketDetail, AppError> {
    access::require(user, Action::WorkTickets)?;
    let mut conn = db.read.acquire().await?;
    let ticket = accessible(&mut conn, user, reference_text, false).await?;
    staff_view(&mut conn, user, ticket.id, now).await
}

/// The whole staff view: fields, timeline with the conversation, SLA.
async fn staff_view(conn: &mut Conn, user: &CurrentUser, ticket_id: i64, now: DateTime<Utc>) -> Result<TicketDetail, AppError> {
    let shown = detail(conn, ticket_id).await?;
    let mut shown = with_relations(conn, user, ticket_id, shown).await?;
    shown.timeline = conversation::interleave(std::mem::take(&mut shown.timeline), conversation::staff_messages(conn, user, ticket_id).await?);
    with_sla(conn, ticket_id, shown, now).await
}

/// An edited ticket and the teams whose boards must refresh (two when it changed team).
pub struct Updated {
    pub detail: TicketDetail,
    pub team_ids: Vec<i64>,
    /// The routing rule applied after saving ("Save & route"), if one matched.
    pub routed_by: Option<String>,
}

/// Saves all editable fields at once, refusing a stale `version`; writes one timeline entry
/// per kind of change (team/stage, assignment, other fields with old → new values).
/// With `route`, the routing rules are applied to the saved ticket in the same transaction.
pub async fn update(
    db: &Db,
    user: &CurrentUser,
    reference_text: &str,
    version: i64,
    input: &TicketInput,
    route: bool,
    now: DateTime<Utc>,
) -> Result<Updated, AppError> {
    let input = validate::ticket(input)?;
    let mut tx = db.begin_write().await?;
    let ticket = accessible(&mut tx, user, reference_text, true).await?;
    if ticket.version != version {
        return Err(stale(reference_text));
    }
    let before = detail(&mut tx, ticket.id).await?;
    let team_changed = input.team_id != ticket.team_id;
    let intake = if team_changed {
        let team = visible_team(&mut tx, user, input.team_id).await?;
        Some(intake_stage(&mut tx, team.id).await?)
    } else {
        None
    };
    let current_entitlement = before.entitlement.as_ref().map(|e| e.id);
    let resolved = resolve_references(&mut tx, &input, Some(ticket.id), Some((before.customer.clone(), current_entitlement)), now).await?;
    let update = format!(
        "UPDATE tickets SET ({EDITABLE_COLUMNS}) = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), updated_at = ?, version = version + 1
          WHERE id = ? AND version = ?"
    );
    let affected = bind_editable(sqlx::query(&update), &input, &resolved)
        .bind(now)
        .bind(ticket.id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    expect_one_row(affected, &before.reference)?;
    if let Some(stage) = &intake {
        move_to_end(&mut tx, ticket.id, stage, now).await?;
    }
    let assignee_id = resolved.assignee.as_ref().map(|a| a.id);
    if assignee_id != ticket.assignee_id {
        set_assignee(&mut tx, ticket.id, assignee_id, Claim::Any, now).await?;
    }
    replace_tags(&mut tx, ticket.id, &input.tags).await?;
    qualifications::replace_requirements(&mut tx, ticket.id, &input.requirements).await?;
    let after = detail(&mut tx, ticket.id).await?;

    if team_changed {
        let line = format!("Team: {} › {} → {} › {}", before.team.name, before.stage.name, after.team.name, after.stage.name);
        add_timeline(&mut tx, ticket.id, TimelineKind::Moved, Some(user.id), now, &line).await?;
    }
    if before.assignee != after.assignee {
        let line = match &after.assignee {
            Some(a) => format!("Assigned to {}", a.name),
            None => "Unassigned".to_string(),
        };
        if let Some(a) = &after.assignee {
            remember_assignment(&mut tx, user.id, a.id, now).await?;
        }
        add_timeline(&mut tx, ticket.id, TimelineKind::Assigned, Some(user.id), now, &line).await?;
    }
    let subjects = catalogs::labels(&mut tx, Catalog::Subjects).await?;
    let reasons = catalogs::labels(&mut tx, Catalog::ReasonCodes).await?;
    let path = |all: &[Named], id: Option<i64>| id.and_then(|id| all.iter().find(|s| s.id == id)).map(|s| s.name.clone()).unwrap_or_default();
    let (product_before, product_after) = name_pair(&mut tx, "products", "name", before.product_id, after.product_id).await?;
    let (region_before, region_after) = name_pair(&mut tx, "regions", "name", before.region_id, after.region_id).await?;
    let (service_before, service_after) = name_pair(&mut tx, "service_types", "name", before.service_type_id, after.service_type_id).await?;
    let (unit_before, unit_after) = name_pair(&mut tx, "units", "serial || ' · ' || item", before.unit_id, after.unit_id).await?;
    let qualifications = qualifications::all(&mut tx).await?;
    let edited = changes::describe(&[
        ("Title", before.title.clone(), after.title.clone()),
        ("Description", summary_of(&before.description), summary_of(&after.description)),
        ("Priority", before.priority.label().into(), after.priority.label().into()),
        ("Origin", before.origin.label().into(), after.origin.label().into()),
        ("Customer", before.customer.display().unwrap_or_default(), after.customer.display().unwrap_or_default()),
        ("Subject", path(&subjects, before.subject_id), path(&subjects, after.subject_id)),
        ("Product", product_before, product_after),
        ("Reason", path(&reasons, before.reason_id), path(&reasons, after.reason_id)),
        ("Region", region_before, region_after),
        ("Service type", service_before, service_after),
        ("Unit", unit_before, unit_after),
        ("Entitlement", entitlement_label(&before), entitlement_label(&after)),
        ("Do not decrement", yes_no(before.do_not_decrement), yes_no(after.do_not_decrement)),
        ("Service order", before.service_order.clone(), after.service_order.clone()),
        ("Tags", before.tags.join(", "), after.tags.join(", ")),
        (
            "Required qualifications",
            qualifications::describe(&qualifications, &before.requirements),
            qualifications::describe(&qualifications, &after.requirements),
        ),
    ]);
    if !edited.is_empty() {
        add_timeline(&mut tx, ticket.id, TimelineKind::Edited, Some(user.id), now, &edited.join("\n")).await?;
    }
    let mut team_ids = vec![ticket.team_id];
    if team_changed {
        team_ids.push(input.team_id);
    }
    let events = if team_changed { vec![Event::Updated, Event::StageChanged] } else { vec![Event::Updated] };
    let outcome = after_change(&mut tx, Change { actor_id: Some(user.id), ticket_id: ticket.id, events, route }, now).await?;
    let routed = outcome.routed;
    if let Some(routed) = &routed {
        team_ids.extend(&routed.team_ids);
        team_ids.sort_unstable();
        team_ids.dedup();
    }
    let detail = staff_view(&mut tx, user, ticket.id, now).await?;
    tx.commit().await?;
    Ok(Updated { detail, team_ids, routed_by: routed.map(|r| r.rule_name) })
}

/// "Apply routing rules" on a selection of tickets, in one transaction.
pub async fn apply_routing(db: &Db, user: &CurrentUser, references: &[String], now: DateTime<Utc>) -> Result<(RoutingOutcome, Vec<i64>), AppError> {
    if references.is_empty() {
        return Err(AppError::Invalid("Select at least one ticket.".into()));
    }
    if references.len() > MAX_ROUTING_SELECTION {
        return Err(AppError::Invalid(format!("Apply routing rules to at most {MAX_ROUTING_SELECTION} tickets at once.")));
    }
    let mut tx = db.begin_write().await?;
    let mut outcome = RoutingOutcome { routed: Vec::new(), unchanged: 0 };
    let mut team_ids = Vec::new();
    for text in references {
        let ticket = accessible(&mut tx, user, text, true).await?;
        let change = Change { actor_id: Some(user.id), ticket_id: ticket.id, events: Vec::new(), route: true };
        match after_change(&mut tx, change, now).await?.routed {
            Some(routed) => {
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
pub const MAX_ROUTING_SELECTION: usize = 500;

fn entitlement_label(ticket: &TicketDetail) -> String {
    ticket.entitlement.as_ref().map(|e| e.name.clone()).unwrap_or_default()
}

fn yes_no(flag: bool) -> String {
    if flag { "yes" } else { "no" }.into()
}

/// Long descriptions are shown on the timeline by their length, not in full.
fn summary_of(text: &str) -> String {
    match text.chars().count() {
        0 => String::new(),
        n if n <= 80 => text.to_string(),
        n => format!("{n} characters"),
    }
}

/// The display names of a field's record before and after an edit, for the timeline; `table`
/// and `column` are fixed by the caller.
async fn name_pair(conn: &mut Conn, table: &str, column: &str, before: Option<i64>, after: Option<i64>) -> Result<(String, String), AppError> {
    let mut names = [String::new(), String::new()];
    for (name, id) in names.iter_mut().zip([before, after]) {
        if let Some(id) = id {
            let found: Option<String> = sqlx::query_scalar(&format!("SELECT {column} FROM {table} WHERE id = ?")).bind(id).fetch_optional(&mut *conn).await?;
            *name = found.unwrap_or_default();
        }
    }
    let [before, after] = names;
    Ok((before, after))
}


pub async fn form_options(db: &Db, user: &CurrentUser, now: DateTime<Utc>) -> Result<TicketFormOptions, AppError> {
    access::require(user, Action::SeeSetup)?;
    let teams = super::lookup::visible_teams(db, user).await?.into_iter().map(|t| Named { id: t.id, name: t.name }).collect();
    let mut conn = db.read.acquire().await?;
    let agents = super::named_list(&mut conn, &super::staff_sql()).await?;
    // Deactivated values are not offered; a ticket that carries one brings it along (`kept_choices`).
    let products = catalogs::offered(&mut conn, Catalog::Products).await?;
    let subjects = catalogs::offered(&mut conn, Catalog::Subjects).await?;
    let reasons = catalogs::offered(&mut conn, Catalog::ReasonCodes).await?;
    let regions = catalogs::offered(&mut conn, Catalog::Regions).await?;
    let service_types = catalogs::offered(&mut conn, Catalog::ServiceTypes).await?;
    let units = catalogs::offered(&mut conn, Catalog::Units).await?;
    let recent_agents = sqlx::query_as::<_, (i64, String)>(
        "SELECT u.id, u.name FROM assignment_history h JOIN users u ON u.id = h.assignee_id
          WHERE h.actor_id = ? GROUP BY u.id ORDER BY MAX(h.at) DESC, MAX(h.id) DESC LIMIT ?",
    )
    .bind(user.id)
    .bind(RECENT_AGENTS)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(id, name)| Named { id, name })
    .collect();
    let qualifications = qualifications::all(&mut conn).await?;
    let entitlements = entitlements::choices(&mut conn, now).await?;
    Ok(TicketFormOptions { teams, agents, recent_agents, subjects, products, reasons, regions, service_types, units, qualifications, entitlements })
}

#[cfg(test)]
#[path = "tickets_tests.rs"]
mod tests;
