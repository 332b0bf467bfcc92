//! SLA settings (SPEC S4): calendars, priority codes and SLA policies as admins and leads edit
//! them. Saving queues the recalculations it makes necessary (`store::sla_work`).

use chrono::{DateTime, Utc};

use super::lookup::{managed_team, visible_team_ids};
use super::sla::{parse_zone, Recalculation, ALWAYS_OPEN_CALENDAR};
use super::sla_work::{queue_work, SlaWork};
use super::{decode, expect_one_row, from_json, id_list, name_taken, named_list, to_json, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::calendar::{parse_holidays, parse_week};
use crate::domain::sla::parse_minutes;
use crate::error::AppError;
use crate::model::*;

fn valid_name(name: &str, what: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::Invalid(format!("Give the {what} a name of at most 80 characters.")));
    }
    Ok(name.to_string())
}

async fn calendars(conn: &mut Conn) -> Result<Vec<Calendar>, AppError> {
    let rows: Vec<(i64, String, String, bool, String, String, i64)> =
        sqlx::query_as("SELECT id, name, time_zone, always_open, periods, holidays, version FROM calendars ORDER BY always_open DESC, name").fetch_all(conn).await?;
    rows.into_iter()
        .map(|(id, name, time_zone, always_open, periods, holidays, version)| {
            Ok(Calendar { id, name, time_zone, always_open, periods: from_json(&periods)?, holidays: from_json(&holidays)?, version })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct PolicyRow {
    id: i64,
    team_id: i64,
    team_name: String,
    name: String,
    enabled: bool,
    calendar_id: i64,
    calendar_name: String,
    priorities: String,
    account_ids: String,
    requires_entitlement: bool,
    first_response_minutes: i64,
    resolution_minutes: i64,
    next_response_minutes: Option<i64>,
    warning_percent: i64,
    version: i64,
}

/// The policies of the teams `team_ids`.
async fn policies(conn: &mut Conn, accounts: &[Named], team_ids: &[i64]) -> Result<Vec<SlaPolicy>, AppError> {
    let rows: Vec<PolicyRow> = sqlx::query_as(&format!(
        "SELECT p.id, p.team_id, t.name AS team_name, p.name, p.enabled, p.calendar_id, c.name AS calendar_name, p.priorities, p.account_ids,
                p.requires_entitlement, p.first_response_minutes, p.resolution_minutes, p.next_response_minutes, p.warning_percent, p.version
           FROM sla_policies p JOIN teams t ON t.id = p.team_id JOIN calendars c ON c.id = p.calendar_id
          WHERE p.team_id IN ({})
          ORDER BY t.name, p.position, p.id",
        id_list(team_ids)
    ))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let account_ids: Vec<i64> = from_json(&r.account_ids)?;
            Ok(SlaPolicy {
                id: r.id,
                team: Named { id: r.team_id, name: r.team_name },
                name: r.name,
                enabled: r.enabled,
                calendar: Named { id: r.calendar_id, name: r.calendar_name },
                priorities: from_json(&r.priorities)?,
                accounts: accounts.iter().filter(|a| account_ids.contains(&a.id)).cloned().collect(),
                requires_entitlement: r.requires_entitlement,
                first_response_minutes: r.first_response_minutes,
                resolution_minutes: r.resolution_minutes,
                next_response_minutes: r.next_response_minutes,
                warning_percent: r.warning_percent,
                version: r.version,
            })
        })
        .collect()
}

pub async fn setup(db: &Db, user: &CurrentUser) -> Result<SlaSetup, AppError> {
    access::require(user, Action::SeeSetup)?;
    let mut conn = db.read.acquire().await?;
    let visible = visible_team_ids(&mut conn, user).await?;
    let accounts = named_list(&mut conn, "SELECT id, name FROM accounts ORDER BY name").await?;
    let codes: Vec<(String, String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT priority, code, follow_up_minutes, warning_minutes, late_minutes, version FROM priority_codes ORDER BY code",
    )
    .fetch_all(&mut *conn)
    .await?;
    let priority_codes = codes
        .into_iter()
        .map(|(priority, code, follow_up_minutes, warning_minutes, late_minutes, version)| {
            Ok(PriorityCode { priority: decode(Priority::parse, &priority)?, code, follow_up_minutes, warning_minutes, late_minutes, version })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(SlaSetup {
        calendars: calendars(&mut conn).await?,
        priority_codes,
        policies: policies(&mut conn, &accounts, &visible).await?,
        teams: named_list(&mut conn, &format!("SELECT id, name FROM teams WHERE id IN ({}) ORDER BY name", id_list(&visible))).await?,
        accounts,
        can_edit: access::may(user.role, Action::ShapeWork),
        can_edit_shared: access::may(user.role, Action::ConfigureInstallation),
    })
}

/// Bounds that keep every business-time computation small whatever a request sends.
const MAX_PERIODS: usize = 7 * 12;
const MAX_HOLIDAYS: usize = 1_000;

/// Creates a calendar or, with `id` and `version`, changes it; the built-in 24×7 is fixed.
pub async fn save_calendar(db: &Db, user: &CurrentUser, id: Option<i64>, version: Option<i64>, input: &CalendarInput, now: DateTime<Utc>) -> Result<Calendar, AppError> {
    access::require(user, Action::ConfigureInstallation)?;
    let name = valid_name(&input.name, "calendar")?;
    let zone = parse_zone(&input.time_zone)?;
    let periods = parse_week(&input.hours)?;
    if periods.is_empty() {
        return Err(AppError::Invalid("A calendar needs working hours on at least one day.".into()));
    }
    if periods.len() > MAX_PERIODS {
        return Err(AppError::Invalid(format!("A calendar has at most {MAX_PERIODS} working periods a week.")));
    }
    let holidays = parse_holidays(&input.holidays)?;
    if holidays.len() > MAX_HOLIDAYS {
        return Err(AppError::Invalid(format!("A calendar lists at most {MAX_HOLIDAYS} holidays; remove past years.")));
    }
    if id == Some(ALWAYS_OPEN_CALENDAR) {
        return Err(AppError::Invalid("The built-in 24×7 calendar cannot be changed.".into()));
    }
    let mut tx = db.begin_write().await?;
    let (periods, holidays) = (to_json(&periods)?, to_json(&holidays)?);
    let saved_id = match (id, version) {
        (Some(id), Some(version)) => {
            let done = sqlx::query("UPDATE calendars SET name = ?, time_zone = ?, periods = ?, holidays = ?, version = version + 1 WHERE id = ? AND version = ?")
                .bind(&name)
                .bind(zone.name())
                .bind(&periods)
                .bind(&holidays)
                .bind(id)
                .bind(version)
                .execute(&mut *tx)
                .await
                .map_err(name_taken("A calendar", &name))?;
            expect_one_row(done.rows_affected(), &format!("The calendar \"{name}\""))?;
            id
        }
        (None, None) => sqlx::query_scalar::<_, i64>("INSERT INTO calendars (name, time_zone, periods, holidays) VALUES (?, ?, ?, ?) RETURNING id")
            .bind(&name)
            .bind(zone.name())
            .bind(&periods)
            .bind(&holidays)
            .fetch_one(&mut *tx).await
            .map_err(name_taken("A calendar", &name))?,
        _ => return Err(AppError::Invalid("Give both the id and the version of the calendar to change it.".into())),
    };
    let saved = calendars(&mut tx).await?.into_iter().find(|c| c.id == saved_id).ok_or_else(|| AppError::Internal("The saved calendar is missing.".into()))?;
    if let Some(id) = id {
        queue_work(&mut tx, &[SlaWork::Recalculate(Recalculation::Calendar(id))], now).await?;
    }
    tx.commit().await?;
    Ok(saved)
}

/// Changes a priority code and its escalation ladder.
pub async fn save_priority_code(db: &Db, user: &CurrentUser, priority: Priority, version: i64, input: &PriorityCodeInput, now: DateTime<Utc>) -> Result<(), AppError> {
    access::require(user, Action::ConfigureInstallation)?;
    let code = input.code.trim();
    if code.is_empty() || code.chars().count() > 12 {
        return Err(AppError::Invalid("A priority code is 1 to 12 characters, e.g. P1.".into()));
    }
    let (follow_up, warning, late) = (parse_minutes(&input.follow_up)?, parse_minutes(&input.warning)?, parse_minutes(&input.late)?);
    if !(follow_up < warning && warning < late) {
        return Err(AppError::Invalid("The ladder must climb: Follow-up before Warning before Late.".into()));
    }
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE priority_codes SET code = ?, follow_up_minutes = ?, warning_minutes = ?, late_minutes = ?, version = version + 1 WHERE priority = ? AND version = ?",
    )
    .bind(code)
    .bind(follow_up)
    .bind(warning)
    .bind(late)
    .bind(priority.as_str())
    .bind(version)
    .execute(&mut *tx)
    .await
    .map_err(name_taken("A priority code", code))?;
    expect_one_row(done.rows_affected(), &format!("The priority code of {}", priority.label()))?;
    let summary = format!("{} priority: code {code}, follow-up {follow_up} min, warning {warning} min, late {late} min", priority.label());
    super::audit::record(&mut tx, user.id, "catalog:priority_codes", None, now, &summary).await?;
    queue_work(&mut tx, &[SlaWork::Recalculate(Recalculation::PriorityCode(priority))], now).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates an SLA policy (last in its team's order) or, with `id` and `version`, changes it.
pub async fn save_policy(db: &Db, user: &CurrentUser, id: Option<i64>, version: Option<i64>, input: &SlaPolicyInput, now: DateTime<Utc>) -> Result<(), AppError> {
    access::require(user, Action::ShapeWork)?;
    let name = valid_name(&input.name, "policy")?;
    let first_response = parse_minutes(&input.first_response)?;
    let resolution = parse_minutes(&input.resolution)?;
    let next_response = match input.next_response.trim() {
        "" => None,
        text => Some(parse_minutes(text)?),
    };
    if !(1..=99).contains(&input.warning_percent) {
        return Err(AppError::Invalid("The warning threshold is a share of the time between 1 and 99 %.".into()));
    }
    if input.account_ids.len() > 100 {
        return Err(AppError::Invalid("A policy can name at most 100 accounts.".into()));
    }
    if input.priorities.len() > Priority::ALL.len() {
        return Err(AppError::Invalid("Name each priority at most once.".into()));
    }
    let mut tx = db.begin_write().await?;
    if let Some(id) = id {
        policy_team(&mut tx, user, id).await?;
    }
    managed_team(&mut tx, user, input.team_id).await?;
    super::lookup::check_exists(&mut tx, "calendars", "Calendar", Some(input.calendar_id)).await?;
    for account_id in &input.account_ids {
        super::lookup::check_exists(&mut tx, "accounts", "Account", Some(*account_id)).await?;
    }
    let mut priorities = input.priorities.clone();
    priorities.sort_by_key(|p| p.as_str());
    priorities.dedup();
    let mut accounts = input.account_ids.clone();
    accounts.sort_unstable();
    accounts.dedup();
    let (priorities, accounts) = (to_json(&priorities)?, to_json(&accounts)?);
    let before: Option<(i64, bool, String, String, bool)> = match id {
        Some(id) => sqlx::query_as("SELECT team_id, enabled, priorities, account_ids, requires_entitlement FROM sla_policies WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?,
        None => None,
    };
    let statement = match (id, version) {
        (Some(_), Some(_)) if before.is_none() => return Err(AppError::NotFound(format!("SLA policy {} does not exist.", id.unwrap_or_default()))),
        (Some(_), Some(_)) => {
            "UPDATE sla_policies SET team_id = ?1, name = ?2, enabled = ?3, calendar_id = ?4, priorities = ?5, account_ids = ?6, requires_entitlement = ?7,
                    first_response_minutes = ?8, resolution_minutes = ?9, next_response_minutes = ?10, warning_percent = ?11, version = version + 1
              WHERE id = ?12 AND version = ?13 RETURNING id"
        }
        (None, None) => {
            "INSERT INTO sla_policies (team_id, name, position, enabled, calendar_id, priorities, account_ids, requires_entitlement,
                    first_response_minutes, resolution_minutes, next_response_minutes, warning_percent)
             VALUES (?1, ?2, (SELECT COALESCE(MAX(position), 0) + 1 FROM sla_policies WHERE team_id = ?1), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id"
        }
        _ => return Err(AppError::Invalid("Give both the id and the version of the policy to change it.".into())),
    };
    let query = sqlx::query_scalar::<_, i64>(statement)
        .bind(input.team_id)
        .bind(&name)
        .bind(input.enabled)
        .bind(input.calendar_id)
        .bind(&priorities)
        .bind(&accounts)
        .bind(input.requires_entitlement)
        .bind(first_response)
        .bind(resolution)
        .bind(next_response)
        .bind(input.warning_percent);
    let query = if id.is_some() { query.bind(id).bind(version) } else { query };
    let saved = query.fetch_optional(&mut *tx).await.map_err(name_taken("A policy of this team", &name))?;
    expect_one_row(saved.iter().count() as u64, &format!("The policy \"{name}\""))?;
    let policy_id = saved.unwrap_or_default();
    // Conditions, enabled flag or team changed: which tickets the policy applies to may differ.
    let matching_changed = before.as_ref().is_none_or(|b| *b != (input.team_id, input.enabled, priorities, accounts, input.requires_entitlement));
    let mut work = vec![SlaWork::Recalculate(Recalculation::Policy(policy_id))];
    if matching_changed {
        work.push(SlaWork::ResyncTeam(input.team_id));
        work.extend(before.map(|b| b.0).filter(|team| *team != input.team_id).map(SlaWork::ResyncTeam));
    }
    queue_work(&mut tx, &work, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The team of policy `id`, if the caller may shape it; a policy of a hidden team is missing.
async fn policy_team(conn: &mut Conn, user: &CurrentUser, id: i64) -> Result<i64, AppError> {
    let team_id: i64 = sqlx::query_scalar("SELECT team_id FROM sla_policies WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| access::missing("SLA policy", id))?;
    managed_team(conn, user, team_id).await.map_err(|refused| match refused {
        AppError::NotFound(_) => access::missing("SLA policy", id),
        other => other,
    })?;
    Ok(team_id)
}

/// Deletes a policy; the tickets it governed fall to the team's next matching policy.
pub async fn delete_policy(db: &Db, user: &CurrentUser, id: i64, version: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    access::require(user, Action::ShapeWork)?;
    let mut tx = db.begin_write().await?;
    let team_id = policy_team(&mut tx, user, id).await?;
    let done = sqlx::query("DELETE FROM sla_policies WHERE id = ? AND version = ?").bind(id).bind(version).execute(&mut *tx).await?;
    expect_one_row(done.rows_affected(), "The policy")?;
    queue_work(&mut tx, &[SlaWork::ResyncTeam(team_id)], now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
#[path = "sla_setup_tests.rs"]
mod tests;
