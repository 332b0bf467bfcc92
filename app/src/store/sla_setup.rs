//! SLA settings (SPEC S4): calendars, priority codes and SLA policies as admins and leads edit
//! them. Saving returns what must be recalculated; the caller runs that in the background.

use sqlx::SqliteConnection;

use super::sla::{parse_zone, Recalculation, ALWAYS_OPEN_CALENDAR};
use super::{decode, expect_one_row, from_json, name_taken, named_list, to_json, Db};
use crate::domain::calendar::{parse_holidays, parse_week};
use crate::domain::sla::parse_minutes;
use crate::error::AppError;
use crate::model::*;

fn admins_only(user: &CurrentUser) -> Result<(), AppError> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden("Only admins change calendars and priority codes.".into()))
    }
}

fn leads_and_admins(user: &CurrentUser) -> Result<(), AppError> {
    if user.role.manages_stages() {
        Ok(())
    } else {
        Err(AppError::Forbidden("Only admins and team leads change SLA policies.".into()))
    }
}

fn valid_name(name: &str, what: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::Invalid(format!("Give the {what} a name of at most 80 characters.")));
    }
    Ok(name.to_string())
}

async fn calendars(conn: &mut SqliteConnection) -> Result<Vec<Calendar>, AppError> {
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

async fn policies(conn: &mut SqliteConnection, accounts: &[Named]) -> Result<Vec<SlaPolicy>, AppError> {
    let rows: Vec<PolicyRow> = sqlx::query_as(
        "SELECT p.id, p.team_id, t.name AS team_name, p.name, p.enabled, p.calendar_id, c.name AS calendar_name, p.priorities, p.account_ids,
                p.requires_entitlement, p.first_response_minutes, p.resolution_minutes, p.next_response_minutes, p.warning_percent, p.version
           FROM sla_policies p JOIN teams t ON t.id = p.team_id JOIN calendars c ON c.id = p.calendar_id
          ORDER BY t.name, p.position, p.id",
    )
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
    if !user.role.is_internal() {
        return Err(AppError::Forbidden("SLA settings are for staff.".into()));
    }
    let mut conn = db.read.acquire().await?;
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
        policies: policies(&mut conn, &accounts).await?,
        teams: named_list(&mut conn, "SELECT id, name FROM teams ORDER BY name").await?,
        accounts,
        can_edit: user.role.manages_stages(),
        can_edit_shared: user.role == Role::Admin,
    })
}

/// Bounds that keep every business-time computation small whatever a request sends.
const MAX_PERIODS: usize = 7 * 12;
const MAX_HOLIDAYS: usize = 1_000;

/// Creates a calendar or, with `id` and `version`, changes it; the built-in 24×7 is fixed.
pub async fn save_calendar(db: &Db, user: &CurrentUser, id: Option<i64>, version: Option<i64>, input: &CalendarInput) -> Result<(Calendar, Option<Recalculation>), AppError> {
    admins_only(user)?;
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
    let mut tx = db.write.begin().await?;
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
        (None, None) => sqlx::query("INSERT INTO calendars (name, time_zone, periods, holidays) VALUES (?, ?, ?, ?)")
            .bind(&name)
            .bind(zone.name())
            .bind(&periods)
            .bind(&holidays)
            .execute(&mut *tx)
            .await
            .map_err(name_taken("A calendar", &name))?
            .last_insert_rowid(),
        _ => return Err(AppError::Invalid("Give both the id and the version of the calendar to change it.".into())),
    };
    let saved = calendars(&mut tx).await?.into_iter().find(|c| c.id == saved_id).ok_or_else(|| AppError::Internal("The saved calendar is missing.".into()))?;
    tx.commit().await?;
    Ok((saved, id.map(Recalculation::Calendar)))
}

/// Changes a priority code and its escalation ladder.
pub async fn save_priority_code(db: &Db, user: &CurrentUser, priority: Priority, version: i64, input: &PriorityCodeInput) -> Result<Recalculation, AppError> {
    admins_only(user)?;
    let code = input.code.trim();
    if code.is_empty() || code.chars().count() > 12 {
        return Err(AppError::Invalid("A priority code is 1 to 12 characters, e.g. P1.".into()));
    }
    let (follow_up, warning, late) = (parse_minutes(&input.follow_up)?, parse_minutes(&input.warning)?, parse_minutes(&input.late)?);
    if !(follow_up < warning && warning < late) {
        return Err(AppError::Invalid("The ladder must climb: Follow-up before Warning before Late.".into()));
    }
    let done = sqlx::query(
        "UPDATE priority_codes SET code = ?, follow_up_minutes = ?, warning_minutes = ?, late_minutes = ?, version = version + 1 WHERE priority = ? AND version = ?",
    )
    .bind(code)
    .bind(follow_up)
    .bind(warning)
    .bind(late)
    .bind(priority.as_str())
    .bind(version)
    .execute(&db.write)
    .await
    .map_err(name_taken("A priority code", code))?;
    expect_one_row(done.rows_affected(), &format!("The priority code of {}", priority.label()))?;
    Ok(Recalculation::PriorityCode(priority))
}

/// What saving a policy changed, so that the right clocks are recalculated.
pub struct SavedPolicy {
    /// The policy's team, and its former team when it moved.
    pub team_ids: Vec<i64>,
    pub policy_id: i64,
    /// Conditions, enabled flag or team changed: which tickets it applies to may differ.
    pub matching_changed: bool,
}

/// Creates an SLA policy (last in its team's order) or, with `id` and `version`, changes it.
pub async fn save_policy(db: &Db, user: &CurrentUser, id: Option<i64>, version: Option<i64>, input: &SlaPolicyInput) -> Result<SavedPolicy, AppError> {
    leads_and_admins(user)?;
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
    let mut tx = db.write.begin().await?;
    super::teams::visible_team(&mut tx, user, input.team_id).await?;
    super::tickets::check_exists(&mut tx, "calendars", "Calendar", Some(input.calendar_id)).await?;
    for account_id in &input.account_ids {
        super::tickets::check_exists(&mut tx, "accounts", "Account", Some(*account_id)).await?;
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
              WHERE id = ?12 AND version = ?13"
        }
        (None, None) => {
            "INSERT INTO sla_policies (team_id, name, position, enabled, calendar_id, priorities, account_ids, requires_entitlement,
                    first_response_minutes, resolution_minutes, next_response_minutes, warning_percent)
             VALUES (?1, ?2, (SELECT COALESCE(MAX(position), 0) + 1 FROM sla_policies WHERE team_id = ?1), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        }
        _ => return Err(AppError::Invalid("Give both the id and the version of the policy to change it.".into())),
    };
    let query = sqlx::query(statement)
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
    let done = query.execute(&mut *tx).await.map_err(name_taken("A policy of this team", &name))?;
    let policy_id = match id {
        Some(id) => {
            expect_one_row(done.rows_affected(), &format!("The policy \"{name}\""))?;
            id
        }
        None => done.last_insert_rowid(),
    };
    tx.commit().await?;
    let mut team_ids = vec![input.team_id];
    team_ids.extend(before.as_ref().map(|b| b.0).filter(|team| *team != input.team_id));
    let matching_changed = before.is_none_or(|b| b != (input.team_id, input.enabled, priorities, accounts, input.requires_entitlement));
    Ok(SavedPolicy { team_ids, policy_id, matching_changed })
}

/// Deletes a policy; the tickets it governed fall to the team's next matching policy.
pub async fn delete_policy(db: &Db, user: &CurrentUser, id: i64, version: i64) -> Result<i64, AppError> {
    leads_and_admins(user)?;
    let mut tx = db.write.begin().await?;
    let team_id: i64 = sqlx::query_scalar("SELECT team_id FROM sla_policies WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("SLA policy {id} does not exist.")))?;
    super::teams::visible_team(&mut tx, user, team_id).await?;
    let done = sqlx::query("DELETE FROM sla_policies WHERE id = ? AND version = ?").bind(id).bind(version).execute(&mut *tx).await?;
    expect_one_row(done.rows_affected(), "The policy")?;
    tx.commit().await?;
    Ok(team_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::Demo;

    fn express(team_id: i64) -> SlaPolicyInput {
        SlaPolicyInput {
            team_id,
            name: "Express".into(),
            enabled: true,
            calendar_id: ALWAYS_OPEN_CALENDAR,
            priorities: vec![Priority::Urgent],
            account_ids: vec![],
            requires_entitlement: false,
            first_response: "15m".into(),
            resolution: "4h".into(),
            next_response: String::new(),
            warning_percent: 50,
        }
    }

    #[tokio::test]
    async fn policies_are_saved_versioned_and_bad_input_changes_nothing() {
        let d = Demo::new().await;
        let (lead, agent) = (d.user("lead@demo.test").await, d.user("agent1@demo.test").await);
        let finance = d.team("Finance").await;
        assert!(matches!(save_policy(&d.db, &agent, None, None, &express(finance)).await, Err(AppError::Forbidden(_))));
        let created = save_policy(&d.db, &lead, None, None, &express(finance)).await.unwrap();
        assert!(created.matching_changed);
        let stored = setup(&d.db, &lead).await.unwrap().policies.into_iter().find(|p| p.id == created.policy_id).unwrap();
        assert_eq!((stored.first_response_minutes, stored.resolution_minutes, stored.next_response_minutes), (15, 240, None));

        let faster = SlaPolicyInput { first_response: "10m".into(), ..express(finance) };
        let edited = save_policy(&d.db, &lead, Some(stored.id), Some(stored.version), &faster).await.unwrap();
        assert!(!edited.matching_changed, "only a target changed");
        let stale = save_policy(&d.db, &lead, Some(stored.id), Some(stored.version), &faster).await;
        assert!(matches!(stale, Err(AppError::Conflict(_))));
        for bad in [
            SlaPolicyInput { first_response: "soon".into(), ..express(finance) },
            SlaPolicyInput { warning_percent: 100, ..express(finance) },
            SlaPolicyInput { calendar_id: 999, ..express(finance) },
            SlaPolicyInput { name: " ".into(), ..express(finance) },
        ] {
            assert!(matches!(save_policy(&d.db, &lead, None, None, &bad).await, Err(AppError::Invalid(_) | AppError::NotFound(_))), "{bad:?}");
        }
        let duplicate = save_policy(&d.db, &lead, None, None, &express(finance)).await;
        assert!(matches!(duplicate, Err(AppError::Invalid(m)) if m.contains("already exists")));
        let policies = setup(&d.db, &lead).await.unwrap().policies;
        assert_eq!(policies.iter().filter(|p| p.team.id == finance).count(), 1);
        assert_eq!(policies.iter().find(|p| p.id == stored.id).unwrap().first_response_minutes, 10);
    }

    #[tokio::test]
    async fn calendars_refuse_unknown_zones_and_impossible_hours() {
        let d = Demo::new().await;
        let admin = d.user("admin@demo.test").await;
        let mut hours = vec![String::new(); 7];
        hours[0] = "08:00-12:00, 13:00-17:00".into();
        let input = CalendarInput { name: "Vienna".into(), time_zone: "Europe/Vienna".into(), hours: hours.clone(), holidays: "2026-12-25".into() };
        let (saved, recalculation) = save_calendar(&d.db, &admin, None, None, &input).await.unwrap();
        assert_eq!((saved.periods.len(), saved.holidays.len(), recalculation), (2, 1, None));
        let zone = save_calendar(&d.db, &admin, None, None, &CalendarInput { name: "Mars".into(), time_zone: "Mars/Olympus".into(), ..input.clone() }).await;
        assert!(matches!(zone, Err(AppError::Invalid(m)) if m.contains("not a known time zone")));
        let closed = save_calendar(&d.db, &admin, None, None, &CalendarInput { name: "Never".into(), hours: vec![String::new(); 7], ..input.clone() }).await;
        assert!(matches!(closed, Err(AppError::Invalid(_))));
        let fixed = save_calendar(&d.db, &admin, Some(ALWAYS_OPEN_CALENDAR), Some(1), &input).await;
        assert!(matches!(fixed, Err(AppError::Invalid(m)) if m.contains("24×7")));
        let lead = d.user("lead@demo.test").await;
        assert!(matches!(save_calendar(&d.db, &lead, None, None, &input).await, Err(AppError::Forbidden(_))));
        let edited = save_calendar(&d.db, &admin, Some(saved.id), Some(saved.version), &CalendarInput { holidays: String::new(), ..input }).await.unwrap();
        assert_eq!(edited.1, Some(Recalculation::Calendar(saved.id)));
    }
}
