use super::*;
use crate::store::fixtures::temp_db;

#[tokio::test]
async fn first_admin_then_login_and_session_round_trip() {
    let (db, _dir) = temp_db().await;
    let now = Utc::now();
    let admin = create_first_admin(&db, "Ada Admin", "ada@example.com", "correct horse", now).await.unwrap();
    assert_eq!(admin.role, Role::Admin);
    assert!(matches!(
        create_first_admin(&db, "Eve", "eve@example.com", "another pass", now).await,
        Err(AppError::Forbidden(_))
    ));

    assert!(matches!(authenticate(&db, "ada@example.com", "wrong pass").await, Err(AppError::Invalid(_))));
    assert!(matches!(authenticate(&db, "nobody@example.com", "correct horse").await, Err(AppError::Invalid(_))));
    let user = authenticate(&db, "ADA@example.com", "correct horse").await.unwrap();
    assert_eq!(user.id, admin.id);

    let token = create_session(&db, user.id, now).await.unwrap();
    assert_eq!(user_for_session(&db, &token, now).await.unwrap().map(|u| u.id), Some(admin.id));
    let later = now + Duration::days(SESSION_DAYS + 1);
    assert_eq!(user_for_session(&db, &token, later).await.unwrap(), None, "sessions expire");
    end_session(&db, &token).await.unwrap();
    assert_eq!(user_for_session(&db, &token, now).await.unwrap(), None, "logout ends the session");
}

#[tokio::test]
async fn first_admin_input_is_validated() {
    let (db, _dir) = temp_db().await;
    let now = Utc::now();
    assert!(create_first_admin(&db, "", "a@b.de", "longenough", now).await.is_err());
    assert!(create_first_admin(&db, "A", "not-an-email", "longenough", now).await.is_err());
    assert!(create_first_admin(&db, "A", "a@b.de", "short", now).await.is_err());
    assert_eq!(user_count(&db).await.unwrap(), 0);
}

async fn user(db: &Db, email: &str, now: DateTime<Utc>) -> i64 {
    let mut conn = db.write.acquire().await.unwrap();
    insert_user(&mut conn, "Someone", email, Role::Agent, "unused", now).await.unwrap()
}

async fn last_seen(db: &Db, token: &str) -> String {
    sqlx::query_scalar("SELECT last_seen_at FROM sessions WHERE token_hash = ?").bind(token_digest(token)).fetch_one(&db.read).await.unwrap()
}

/// Holds every password worker: any path that hashes now waits instead of finishing.
async fn all_password_workers() -> tokio::sync::SemaphorePermit<'static> {
    PASSWORD_WORK.acquire_many(PASSWORD_WORKERS as u32).await.unwrap()
}

const PATIENCE: std::time::Duration = std::time::Duration::from_millis(300);

#[tokio::test]
async fn an_unused_session_ends_after_the_idle_timeout_and_use_keeps_it_alive() {
    let (db, _dir) = temp_db().await;
    let t0 = Utc::now();
    let id = user(&db, "idle@example.com", t0).await;
    let idle = Duration::hours(SESSION_IDLE_HOURS);

    let used = create_session(&db, id, t0).await.unwrap();
    let unused = create_session(&db, id, t0).await.unwrap();
    assert_eq!(user_for_session(&db, &unused, t0 + idle + Duration::seconds(1)).await.unwrap(), None, "idle too long");

    let expiry = t0 + Duration::days(SESSION_DAYS);
    let mut at = t0;
    while at + idle < expiry {
        at += idle - Duration::minutes(5);
        assert!(user_for_session(&db, &used, at).await.unwrap().is_some(), "used within the idle timeout at {at}");
    }
    assert_eq!(user_for_session(&db, &used, expiry + Duration::seconds(1)).await.unwrap(), None, "the absolute expiry still holds");
    let other = create_session(&db, id, t0).await.unwrap();
    user_for_session(&db, &other, t0 + Duration::hours(1)).await.unwrap().unwrap();
    assert_eq!(user_for_session(&db, &other, t0 + Duration::hours(1) + idle + Duration::seconds(1)).await.unwrap(), None, "idle since its last use");
}

#[tokio::test]
async fn last_use_is_written_at_most_once_a_minute() {
    let (db, _dir) = temp_db().await;
    let t0 = Utc::now();
    let id = user(&db, "touch@example.com", t0).await;
    let token = create_session(&db, id, t0).await.unwrap();
    let created = last_seen(&db, &token).await;
    user_for_session(&db, &token, t0 + Duration::seconds(30)).await.unwrap().unwrap();
    assert_eq!(last_seen(&db, &token).await, created, "no write within the minute");
    user_for_session(&db, &token, t0 + Duration::seconds(61)).await.unwrap().unwrap();
    assert_ne!(last_seen(&db, &token).await, created, "recorded after a minute");
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_that_user_only() {
    let (db, _dir) = temp_db().await;
    let now = Utc::now();
    let (ada, bob) = (user(&db, "ada@example.com", now).await, user(&db, "bob@example.com", now).await);
    let laptop = create_session(&db, ada, now).await.unwrap();
    let phone = create_session(&db, ada, now).await.unwrap();
    let bobs = create_session(&db, bob, now).await.unwrap();
    assert_eq!(end_all_sessions(&db, ada).await.unwrap(), 2);
    assert_eq!(user_for_session(&db, &laptop, now).await.unwrap(), None);
    assert_eq!(user_for_session(&db, &phone, now).await.unwrap(), None);
    assert_eq!(user_for_session(&db, &bobs, now).await.unwrap().map(|u| u.id), Some(bob));
}

#[tokio::test]
async fn first_admin_is_refused_before_any_password_hashing() {
    let (db, _dir) = temp_db().await;
    let now = Utc::now();
    user(&db, "someone@example.com", now).await;
    let busy = all_password_workers().await;
    let refused = tokio::time::timeout(PATIENCE, create_first_admin(&db, "Eve", "eve@example.com", "long enough", now)).await;
    drop(busy);
    assert!(matches!(refused, Ok(Err(AppError::Forbidden(_)))), "answered without waiting for a hash: {refused:?}");
}

#[tokio::test]
async fn unknown_emails_do_the_same_password_work_as_wrong_passwords() {
    let (db, _dir) = temp_db().await;
    let now = Utc::now();
    let mut conn = db.write.acquire().await.unwrap();
    insert_user(&mut conn, "Ada", "ada@example.com", Role::Agent, &hash_password("correct horse").unwrap(), now).await.unwrap();
    drop(conn);
    let busy = all_password_workers().await;
    for email in ["ada@example.com", "nobody@example.com"] {
        let waited = tokio::time::timeout(PATIENCE, authenticate(&db, email, "wrong pass")).await;
        assert!(waited.is_err(), "{email}: the answer waits for a password worker");
    }
    drop(busy);
    for email in ["ada@example.com", "nobody@example.com"] {
        let before = password_runs();
        let answer = authenticate(&db, email, "wrong pass").await;
        assert_eq!(answer, Err(AppError::Invalid("Email or password is wrong.".into())), "{email}: the same answer");
        assert!(password_runs() > before, "{email}: argon2 ran");
    }
}
