//! The work log (SPEC S5): timers and hand-logged time on tickets, and timesheets over them.
//! A running timer is a `time_entries` row without `ended_at`, so it survives reloads and
//! restarts; a unique index keeps it to one per agent.

use chrono::{DateTime, Duration, NaiveTime, Utc};

use super::lookup::{self, TicketCore};
use super::{expect_one_row, id_list, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::reference;
use crate::domain::work_log::{self as rules, Running, StartPlan};
use crate::error::AppError;
use crate::model::*;

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    ticket_id: i64,
    user_id: i64,
    user_name: String,
    started_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
    minutes: i64,
    billable: bool,
    note: String,
    version: i64,
}

const ENTRY_SELECT: &str = "SELECT e.id, e.ticket_id, e.user_id, u.name AS user_name, e.started_at, e.ended_at, e.minutes, e.billable, e.note, e.version
    FROM time_entries e JOIN users u ON u.id = e.user_id";

impl EntryRow {
    fn into_entry(self, user: &CurrentUser) -> TimeEntry {
        TimeEntry {
            can_change: access::can_change_time_of(user, self.user_id),
            id: self.id,
            user: UserRef { id: self.user_id, name: self.user_name },
            started_at: self.started_at,
            ended_at: self.ended_at,
            minutes: self.minutes,
            billable: self.billable,
            note: self.note,
            version: self.version,
        }
    }
}

/// The caller's running timer, if any: (entry id, ticket id, started at).
async fn running_row(conn: &mut Conn, user_id: i64) -> Result<Option<(i64, i64, DateTime<Utc>)>, AppError> {
    Ok(sqlx::query_as("SELECT id, ticket_id, started_at FROM time_entries WHERE user_id = ? AND ended_at IS NULL")
        .bind(user_id)
        .fetch_optional(conn)
        .await?)
}

/// Stops the timer `entry_id` (started at `started_at`) at `now`; returns its ticket's
/// reference and the minutes it logged.
async fn stop(conn: &mut Conn, entry_id: i64, started_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(String, i64), AppError> {
    let minutes = rules::timer_minutes(started_at, now);
    let ticket_id: i64 =
        sqlx::query_scalar("UPDATE time_entries SET ended_at = ?, minutes = ?, version = version + 1 WHERE id = ? AND ended_at IS NULL RETURNING ticket_id")
            .bind(now)
            .bind(minutes)
            .bind(entry_id)
            .fetch_one(&mut *conn)
            .await?;
    let number: i64 = sqlx::query_scalar("SELECT number FROM tickets WHERE id = ?").bind(ticket_id).fetch_one(conn).await?;
    Ok((reference::format(number), minutes))
}

async fn running_timer_in(conn: &mut Conn, user: &CurrentUser) -> Result<Option<RunningTimer>, AppError> {
    let Some((entry_id, ticket_id, started_at)) = running_row(conn, user.id).await? else { return Ok(None) };
    let (number, title): (i64, String) = sqlx::query_as("SELECT number, title FROM tickets WHERE id = ?").bind(ticket_id).fetch_one(&mut *conn).await?;
    // A ticket moved out of the agent's sight since: the timer still shows (and stops), unnamed.
    let title = if lookup::may_see(conn, user.id, ticket_id).await? { title } else { "A ticket you no longer see".into() };
    Ok(Some(RunningTimer { entry_id, reference: reference::format(number), title, started_at }))
}

/// The caller's running timer, for the top bar of every page.
pub async fn running_timer(db: &Db, user: &CurrentUser) -> Result<Option<RunningTimer>, AppError> {
    access::require(user, Action::WorkTickets)?;
    let mut conn = db.read.acquire().await?;
    running_timer_in(&mut conn, user).await
}

/// Starts the caller's timer on the ticket; a timer running on another ticket is stopped first
/// (its time logged) and named in the answer. Starting it where it already runs changes nothing.
pub async fn start_timer(db: &Db, user: &CurrentUser, reference: &str, now: DateTime<Utc>) -> Result<TimerStarted, AppError> {
    let mut tx = db.begin_write().await?;
    let ticket = lookup::accessible(&mut tx, user, reference, true).await?;
    let running = running_row(&mut tx, user.id).await?;
    let plan = rules::plan_start(running.map(|(entry_id, ticket_id, _)| Running { entry_id, ticket_id }), ticket.id);
    let stopped = match (plan, running) {
        (StartPlan::SwitchFrom(_), Some((entry_id, _, started_at))) => Some(stop(&mut tx, entry_id, started_at, now).await?),
        _ => None,
    };
    if !matches!(plan, StartPlan::AlreadyRunning(_)) {
        sqlx::query("INSERT INTO time_entries (ticket_id, user_id, started_at, created_at) VALUES (?, ?, ?, ?)")
            .bind(ticket.id)
            .bind(user.id)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    let running = running_timer_in(&mut tx, user).await?.ok_or_else(|| AppError::Internal("The timer did not start.".into()))?;
    tx.commit().await?;
    Ok(TimerStarted { running, stopped })
}

/// Stops the caller's running timer, wherever it runs; `None` when none runs.
pub async fn stop_timer(db: &Db, user: &CurrentUser, now: DateTime<Utc>) -> Result<Option<(String, i64)>, AppError> {
    access::require(user, Action::WorkTickets)?;
    let mut tx = db.begin_write().await?;
    let stopped = match running_row(&mut tx, user.id).await? {
        Some((entry_id, _, started_at)) => Some(stop(&mut tx, entry_id, started_at, now).await?),
        None => None,
    };
    tx.commit().await?;
    Ok(stopped)
}

/// The ticket's time entries (newest first), its totals and the caller's timer on it.
pub async fn ticket_log(db: &Db, user: &CurrentUser, reference: &str) -> Result<TicketWorkLog, AppError> {
    let mut conn = db.read.acquire().await?;
    let ticket = lookup::accessible(&mut conn, user, reference, true).await?;
    let rows: Vec<EntryRow> = sqlx::query_as(&format!("{ENTRY_SELECT} WHERE e.ticket_id = ? ORDER BY e.started_at DESC, e.id DESC"))
        .bind(ticket.id)
        .fetch_all(&mut *conn)
        .await?;
    let entries: Vec<TimeEntry> = rows.into_iter().map(|r| r.into_entry(user)).collect();
    let totals = rules::totals(entries.iter().filter(|e| e.ended_at.is_some()).map(|e| (e.minutes, e.billable)));
    let running = entries.iter().find(|e| e.ended_at.is_none() && e.user.id == user.id).cloned();
    Ok(TicketWorkLog { entries, totals, running })
}

struct ValidEntry {
    minutes: i64,
    note: String,
}

fn valid_entry(input: &TimeEntryInput, now: DateTime<Utc>) -> Result<ValidEntry, AppError> {
    let note = rules::note(&input.note)?;
    let minutes = rules::entry_minutes(&input.duration)?;
    rules::check_day(input.date, now.date_naive())?;
    Ok(ValidEntry { minutes, note })
}

async fn entry(conn: &mut Conn, user: &CurrentUser, id: i64) -> Result<TimeEntry, AppError> {
    let row: EntryRow = sqlx::query_as(&format!("{ENTRY_SELECT} WHERE e.id = ?")).bind(id).fetch_one(&mut *conn).await?;
    Ok(row.into_entry(user))
}

/// Logs time worked on the ticket by hand, on `date`.
pub async fn log_time(db: &Db, user: &CurrentUser, reference: &str, input: &TimeEntryInput, now: DateTime<Utc>) -> Result<TimeEntry, AppError> {
    let valid = valid_entry(input, now)?;
    let mut tx = db.begin_write().await?;
    let ticket = lookup::accessible(&mut tx, user, reference, true).await?;
    let started_at = input.date.and_time(NaiveTime::MIN).and_utc();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO time_entries (ticket_id, user_id, started_at, ended_at, minutes, billable, note, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(ticket.id)
    .bind(user.id)
    .bind(started_at)
    .bind(started_at + Duration::minutes(valid.minutes))
    .bind(valid.minutes)
    .bind(input.billable)
    .bind(&valid.note)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let saved = entry(&mut tx, user, id).await?;
    tx.commit().await?;
    Ok(saved)
}

/// A time entry the caller may change: its ticket visible to them (else it does not exist for
/// them) and theirs, unless they are an admin or lead.
async fn changeable(conn: &mut Conn, user: &CurrentUser, id: i64) -> Result<(EntryRow, TicketCore), AppError> {
    access::require(user, Action::WorkTickets)?;
    let missing = || access::missing("Time entry", id);
    let row: EntryRow = sqlx::query_as(&format!("{ENTRY_SELECT} WHERE e.id = ?")).bind(id).fetch_optional(&mut *conn).await?.ok_or_else(missing)?;
    let number: i64 = sqlx::query_scalar("SELECT number FROM tickets WHERE id = ?").bind(row.ticket_id).fetch_one(&mut *conn).await?;
    let ticket = match lookup::accessible(conn, user, &reference::format(number), true).await {
        Ok(ticket) => ticket,
        Err(AppError::NotFound(_)) => return Err(missing()),
        Err(other) => return Err(other),
    };
    if !access::can_change_time_of(user, row.user_id) {
        return Err(AppError::Forbidden("Only the agent who logged this time, team leads and admins change it.".into()));
    }
    Ok((row, ticket))
}

/// Changes a finished entry's day, duration, billability and note, if `version` is current.
pub async fn update_entry(db: &Db, user: &CurrentUser, id: i64, version: i64, input: &TimeEntryInput, now: DateTime<Utc>) -> Result<TimeEntry, AppError> {
    let valid = valid_entry(input, now)?;
    let mut tx = db.begin_write().await?;
    let (row, _) = changeable(&mut tx, user, id).await?;
    if row.ended_at.is_none() {
        return Err(AppError::Invalid("This timer is still running; stop it before changing the entry.".into()));
    }
    // The entry keeps its time of day; only the day moves.
    let started_at = input.date.and_time(row.started_at.time()).and_utc();
    let done = sqlx::query(
        "UPDATE time_entries SET started_at = ?, ended_at = ?, minutes = ?, billable = ?, note = ?, version = version + 1 WHERE id = ? AND version = ?",
    )
    .bind(started_at)
    .bind(started_at + Duration::minutes(valid.minutes))
    .bind(valid.minutes)
    .bind(input.billable)
    .bind(&valid.note)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?;
    expect_one_row(done.rows_affected(), "The time entry")?;
    let saved = entry(&mut tx, user, id).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Deletes an entry (a running timer is discarded), if `version` is current.
pub async fn delete_entry(db: &Db, user: &CurrentUser, id: i64, version: i64) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    changeable(&mut tx, user, id).await?;
    let done = sqlx::query("DELETE FROM time_entries WHERE id = ? AND version = ?").bind(id).bind(version).execute(&mut *tx).await?;
    expect_one_row(done.rows_affected(), "The time entry")?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SheetRow {
    number: i64,
    title: String,
    user_id: i64,
    user_name: String,
    account_id: Option<i64>,
    account_name: Option<String>,
    started_at: DateTime<Utc>,
    minutes: i64,
    billable: bool,
    note: String,
}

/// Finished time in the range (days in UTC), grouped by agent or by customer account. Agents see
/// their own time; admins and leads everyone's; both only on tickets of teams they see.
pub async fn timesheet(db: &Db, user: &CurrentUser, query: &TimesheetQuery) -> Result<Timesheet, AppError> {
    access::require(user, Action::WorkTickets)?;
    let (start, end) = rules::range_bounds(query.from, query.to)?;
    let mut conn = db.read.acquire().await?;
    let visible = id_list(&lookup::visible_team_ids(&mut conn, user).await?);
    let everyone = access::sees_everyones_time(user);
    let only_own = if everyone { "" } else { "AND e.user_id = ?3" };
    let rows: Vec<SheetRow> = sqlx::query_as(&format!(
        "SELECT k.number, k.title, u.id AS user_id, u.name AS user_name, a.id AS account_id, a.name AS account_name,
                e.started_at, e.minutes, e.billable, e.note
           FROM time_entries e JOIN tickets k ON k.id = e.ticket_id JOIN users u ON u.id = e.user_id
           LEFT JOIN contacts c ON c.id = k.contact_id
           LEFT JOIN accounts a ON a.id = COALESCE(k.account_id, c.account_id)
          WHERE e.ended_at IS NOT NULL AND e.started_at >= ?1 AND e.started_at < ?2 AND k.team_id IN ({visible}) {only_own}
          ORDER BY e.started_at, e.id"
    ))
    .bind(start)
    .bind(end)
    .bind(user.id)
    .fetch_all(&mut *conn)
    .await?;

    // Rows in order of first appearance, each with the (minutes, billable) of its entries.
    let mut groups: Vec<(Option<i64>, String, Vec<(i64, bool)>)> = Vec::new();
    for row in &rows {
        let (id, name) = match query.by {
            TimesheetBy::Agent => (Some(row.user_id), row.user_name.clone()),
            TimesheetBy::Customer => (row.account_id, row.account_name.clone().unwrap_or_else(|| "No customer account".into())),
        };
        match groups.iter_mut().find(|(group, _, _)| *group == id) {
            Some((_, _, times)) => times.push((row.minutes, row.billable)),
            None => groups.push((id, name, vec![(row.minutes, row.billable)])),
        }
    }
    let mut groups: Vec<TimesheetRow> = groups
        .into_iter()
        .map(|(id, name, times)| TimesheetRow { id, name, entries: times.len() as i64, totals: rules::totals(times) })
        .collect();
    groups.sort_by_key(|g| (g.id.is_none(), g.name.to_lowercase()));
    let totals = rules::totals(rows.iter().map(|r| (r.minutes, r.billable)));
    let entries = rows
        .into_iter()
        .map(|r| TimesheetEntry {
            reference: reference::format(r.number),
            title: r.title,
            agent: r.user_name,
            customer: r.account_name,
            day: r.started_at.date_naive(),
            minutes: r.minutes,
            billable: r.billable,
            note: r.note,
        })
        .collect();
    Ok(Timesheet { query: query.clone(), rows: groups, entries, totals, everyone })
}

#[cfg(test)]
#[path = "work_log_tests.rs"]
mod tests;
