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
    let away = add(&db, &agents[0], agents[0].id, day("2026-11-23"), day("2026-11-24"), now).await.unwrap();
    assert_eq!(away.from.to_rfc3339(), "2026-11-23T00:00:00+00:00");
    assert_eq!(away.until.to_rfc3339(), "2026-11-25T00:00:00+00:00", "the last day is included");
    let absence = [assign::Absence { from: away.from, until: away.until }];
    assert!(!assign::is_available(&absence, "2026-11-24T23:59:59Z".parse().unwrap()));
    assert_eq!(list(&db, &agents[0], agents[0].id, now).await.unwrap(), vec![away.clone()]);
    assert!(list(&db, &agents[1], agents[1].id, now).await.unwrap().is_empty());

    assert!(matches!(remove(&db, &agents[1], away.id, now).await, Err(AppError::NotFound(_))), "not theirs");
    remove(&db, &agents[0], away.id, now).await.unwrap();
    assert!(list(&db, &agents[0], agents[0].id, now).await.unwrap().is_empty());
}

#[tokio::test]
async fn impossible_absences_are_refused() {
    let (db, _dir) = temp_db().await;
    let now = "2026-11-20T12:00:00Z".parse::<DateTime<Utc>>().unwrap();
    let (_, agents) = waiting_team(&db, 1, 0, now).await;
    for (first, last) in [("2026-11-24", "2026-11-23"), ("2026-11-18", "2026-11-19"), ("2028-01-01", "2028-01-02")] {
        assert!(matches!(add(&db, &agents[0], agents[0].id, day(first), day(last), now).await, Err(AppError::Invalid(_))), "{first}..{last}");
    }
    assert!(list(&db, &agents[0], agents[0].id, now).await.unwrap().is_empty());
}

#[tokio::test]
async fn admins_record_and_remove_time_off_for_others_and_nobody_else_does() {
    let org = crate::store::fixtures::Org::new().await;
    let now = org.now;
    let (first, last) = ((now + Duration::days(3)).date_naive(), (now + Duration::days(4)).date_naive());
    let alex = org.agent.id;
    for outsider in [&org.other_agent, &org.lead] {
        assert!(matches!(add(&org.db, outsider, alex, first, last, now).await, Err(AppError::Forbidden(_))), "{} records for someone else", outsider.name);
        assert!(matches!(list(&org.db, outsider, alex, now).await, Err(AppError::Forbidden(_))));
    }
    let away = add(&org.db, &org.admin, alex, first, last, now).await.unwrap();
    assert_eq!(list(&org.db, &org.agent, alex, now).await.unwrap(), vec![away.clone()], "the agent sees what the admin recorded");
    assert!(matches!(remove(&org.db, &org.other_agent, away.id, now).await, Err(AppError::NotFound(_))));
    let customer = org.customer().await;
    assert!(matches!(add(&org.db, &org.admin, customer.id, first, last, now).await, Err(AppError::NotFound(_))), "customers have no time off");
    remove(&org.db, &org.admin, away.id, now).await.unwrap();
    assert!(list(&org.db, &org.admin, alex, now).await.unwrap().is_empty());
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_entries WHERE area = 'user' AND object_id = ?").bind(alex).fetch_one(&org.db.read).await.unwrap();
    assert_eq!(audited, 2, "recording and removing someone else's time off are audited");
}
