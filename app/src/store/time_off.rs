//! Agents' absences: nobody is assigned tickets automatically while away. Everyone records
//! their own; admins also record and remove them for others (on the user form).

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use super::{audit, Conn, Db};
use crate::domain::access::{self, Action};
use crate::error::AppError;
use crate::model::{CurrentUser, TimeOff};

/// Whose absences the caller may see and change: their own, and as an admin everyone's on staff.
async fn check_owner(conn: &mut Conn, caller: &CurrentUser, user_id: i64) -> Result<(), AppError> {
    access::require(caller, Action::WorkTickets)?;
    if user_id == caller.id {
        return Ok(());
    }
    access::require(caller, Action::ConfigureInstallation)?;
    let staff: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = ? AND role <> ?)")
        .bind(user_id)
        .bind(crate::model::Role::Customer.as_str())
        .fetch_one(conn)
        .await?;
    if staff {
        Ok(())
    } else {
        Err(access::missing("User", user_id))
    }
}

/// Absences are recorded at most this far ahead.
pub const MAX_DAYS_AHEAD: i64 = 366;

/// The current and future absences of `user_id`, soonest first.
pub async fn list(db: &Db, caller: &CurrentUser, user_id: i64, now: DateTime<Utc>) -> Result<Vec<TimeOff>, AppError> {
    let mut conn = db.read.acquire().await?;
    check_owner(&mut conn, caller, user_id).await?;
    let rows: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> =
        sqlx::query_as("SELECT id, from_at, until_at FROM time_off WHERE user_id = ? AND until_at > ? ORDER BY from_at")
            .bind(user_id)
            .bind(now)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().map(|(id, from, until)| TimeOff { id, from, until }).collect())
}

/// Records whole days away for `user_id`, `first_day` to `last_day` inclusive (UTC days).
pub async fn add(db: &Db, caller: &CurrentUser, user_id: i64, first_day: NaiveDate, last_day: NaiveDate, now: DateTime<Utc>) -> Result<TimeOff, AppError> {
    access::require(caller, Action::WorkTickets)?;
    if last_day < first_day {
        return Err(AppError::Invalid("The last day cannot be before the first day.".into()));
    }
    let from = first_day.and_time(NaiveTime::MIN).and_utc();
    let until = last_day.succ_opt().ok_or_else(|| AppError::Invalid("Invalid last day.".into()))?.and_time(NaiveTime::MIN).and_utc();
    if until <= now {
        return Err(AppError::Invalid("That time off is already over.".into()));
    }
    if from > now + Duration::days(MAX_DAYS_AHEAD) || until - from > Duration::days(MAX_DAYS_AHEAD) {
        return Err(AppError::Invalid(format!("Time off can be recorded at most {MAX_DAYS_AHEAD} days ahead.")));
    }
    let mut tx = db.begin_write().await?;
    check_owner(&mut tx, caller, user_id).await?;
    let id = sqlx::query_scalar::<_, i64>("INSERT INTO time_off (user_id, from_at, until_at) VALUES (?, ?, ?) RETURNING id")
        .bind(user_id)
        .bind(from)
        .bind(until)
        .fetch_one(&mut *tx)
        .await?;
    if user_id != caller.id {
        let summary = format!("Time off recorded: {first_day} to {last_day}");
        audit::record(&mut tx, caller.id, "user", Some(user_id), now, &summary).await?;
    }
    tx.commit().await?;
    Ok(TimeOff { id, from, until })
}

/// Removes one of the caller's own absences, or as an admin anyone's.
pub async fn remove(db: &Db, caller: &CurrentUser, id: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    access::require(caller, Action::WorkTickets)?;
    let mut tx = db.begin_write().await?;
    let owner: Option<i64> = sqlx::query_scalar("SELECT user_id FROM time_off WHERE id = ?").bind(id).fetch_optional(&mut *tx).await?;
    let owner = match owner {
        Some(owner) if owner == caller.id || access::may(caller.role, Action::ConfigureInstallation) => owner,
        _ => return Err(AppError::NotFound("No such time off of yours.".into())),
    };
    sqlx::query("DELETE FROM time_off WHERE id = ?").bind(id).execute(&mut *tx).await?;
    if owner != caller.id {
        audit::record(&mut tx, caller.id, "user", Some(owner), now, "Time off removed").await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
#[path = "time_off_tests.rs"]
mod tests;
