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
    let id = sqlx::query("INSERT INTO time_off (user_id, from_at, until_at) VALUES (?, ?, ?)")
        .bind(user.id)
        .bind(from)
        .bind(until)
        .execute(&db.write)
        .await?
        .last_insert_rowid();
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
mod tests {
    use super::*;
    use crate::domain::assign;
    use crate::store::fixtures::{temp_db, waiting_team};

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[tokio::test]
    async fn whole_days_are_recorded_listed_and_removed_by_their_owner_only() {
        let (db, _dir) = temp_db().await;
        let now = "2026-11-20T12:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let (_, agents) = waiting_team(&db, 2, 0, now).await;
        let away = add(&db, &agents[0], day("2026-11-23"), day("2026-11-24"), now).await.unwrap();
        assert_eq!(away.from.to_rfc3339(), "2026-11-23T00:00:00+00:00");
        assert_eq!(away.until.to_rfc3339(), "2026-11-25T00:00:00+00:00", "the last day is included");
        let absence = [assign::Absence { from: away.from, until: away.until }];
        assert!(!assign::is_available(&absence, "2026-11-24T23:59:59Z".parse().unwrap()));
        assert_eq!(list(&db, &agents[0], now).await.unwrap(), vec![away.clone()]);
        assert!(list(&db, &agents[1], now).await.unwrap().is_empty());

        assert!(matches!(remove(&db, &agents[1], away.id).await, Err(AppError::NotFound(_))), "not theirs");
        remove(&db, &agents[0], away.id).await.unwrap();
        assert!(list(&db, &agents[0], now).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn impossible_absences_are_refused() {
        let (db, _dir) = temp_db().await;
        let now = "2026-11-20T12:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let (_, agents) = waiting_team(&db, 1, 0, now).await;
        for (first, last) in [("2026-11-24", "2026-11-23"), ("2026-11-18", "2026-11-19"), ("2028-01-01", "2028-01-02")] {
            assert!(matches!(add(&db, &agents[0], day(first), day(last), now).await, Err(AppError::Invalid(_))), "{first}..{last}");
        }
        assert!(list(&db, &agents[0], now).await.unwrap().is_empty());
    }
}
