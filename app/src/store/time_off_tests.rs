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
