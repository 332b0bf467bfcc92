//! Agents' absences: nobody is assigned tickets automatically while away.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use super::Db;
use crate::domain::access::{self, Action};
use crate::error::AppError;
use crate::model::{CurrentUser, TimeOff};

/// Absences are recorded at most this far ahead.
pub const MAX_DAYS_AHEAD: i64 = 366;

/// The user's current and future absences, soonest first.
pub async fn list(db: &Db, user: &CurrentUser, now: DateTime<Utc>) -> Result<Vec<TimeOff>, AppError> {
    access::require(user, Action::WorkTickets)?;
    let rows: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> =
        sqlx::query_as("SELECT id, from_at, until_at FROM time_off WHERE user_id = ? AND until_at > ? ORDER BY from_at")
            .bind(user.id)
            .bind(now)
            .fetch_all(&db.read)
            .await?;
    Ok(rows.into_iter().map(|(id, from, until)| TimeOff { id, from, until }).collect())
}

/// Records whole days away, `first_day` to `last_day` inclusive (UTC days).
pub async fn add(db: &Db, user: &CurrentUser, first_day: NaiveDate, last_day: NaiveDate, now: DateTime<Utc>) -> Result<TimeOff, AppError> {
    access::require(user, Action::WorkTickets)?;
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
    let id = sqlx::query_scalar::<_, i64>("INSERT INTO time_off (user_id, from_at, until_at) VALUES (?, ?, ?) RETURNING id")
        .bind(user.id)
        .bind(from)
        .bind(until)
        .fetch_one(&db.write).await?;
    Ok(TimeOff { id, from, until })
}

/// Removes one of the user's own absences.
pub async fn remove(db: &Db, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    access::require(user, Action::WorkTickets)?;
    let removed = sqlx::query("DELETE FROM time_off WHERE id = ? AND user_id = ?").bind(id).bind(user.id).execute(&db.write).await?.rows_affected();
    if removed == 0 {
        return Err(AppError::NotFound("No such time off of yours.".into()));
    }
    Ok(())
}

#[cfg(test)]
#[path = "time_off_tests.rs"]
mod tests;
