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

/// Gives the user a real password (the fixture's people have none).
async fn with_password(db: &Db, user: &CurrentUser, password: &str) {
    let hash = hash_password_off_runtime(password).await.unwrap();
    sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?").bind(hash).bind(user.id).execute(&db.write).await.unwrap();
}

#[tokio::test]
async fn a_deactivated_user_loses_every_session_and_cannot_sign_in() {
    let org = crate::store::fixtures::Org::new().await;
    let bo = &org.other_agent;
    with_password(&org.db, bo, "correct horse").await;
    let token = create_session(&org.db, bo.id, org.now).await.unwrap();
    assert!(user_for_session(&org.db, &token, org.now).await.unwrap().is_some());

    deactivate(&org.db, &org.admin, bo.id, 1, org.now).await.unwrap();
    assert_eq!(user_for_session(&org.db, &token, org.now).await.unwrap(), None, "the open session ended");
    let refused = authenticate(&org.db, &bo.email, "correct horse").await;
    assert!(matches!(refused, Err(AppError::Invalid(m)) if m == "Email or password is wrong."), "answered like an unknown email");
    let name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = ?").bind(bo.id).fetch_one(&org.db.read).await.unwrap();
    assert_eq!(name, bo.name, "history keeps the name");
}

#[tokio::test]
async fn deactivated_users_are_never_chosen_by_any_assignment_strategy() {
    use crate::model::TicketInput;
    use crate::store::tickets;
    let org = crate::store::fixtures::Org::new().await;
    let bo = &org.other_agent;
    deactivate(&org.db, &org.admin, bo.id, 1, org.now).await.unwrap();
    for method in ["equal_total", "equal_open", "round_robin"] {
        sqlx::query("UPDATE teams SET assignment_method = ? WHERE id = ?").bind(method).bind(org.team_id).execute(&org.db.write).await.unwrap();
        for i in 0..6 {
            let card = org.ticket(&format!("{method} {i}")).await;
            let assignee = card.assignee.expect("somebody active is assigned");
            assert_ne!(assignee.id, bo.id, "{method} chose a deactivated user");
        }
    }
    let picked = TicketInput { assignee_id: Some(bo.id), ..TicketInput::quick(org.team_id, "For Bo") };
    assert!(matches!(tickets::create(&org.db, &org.agent, &picked, org.now).await, Err(AppError::Invalid(_))), "nor picked by hand");

    // Deactivated as a team's queue user: new tickets are no longer held by them.
    sqlx::query("UPDATE teams SET assignment_method = NULL, queue_user_id = ? WHERE id = ?").bind(bo.id).bind(org.team_id).execute(&org.db.write).await.unwrap();
    assert_eq!(org.ticket("Nobody holds this").await.assignee, None);
    let staff = crate::store::named_list(&mut org.db.read.acquire().await.unwrap(), &crate::store::staff_sql()).await.unwrap();
    assert!(staff.iter().all(|p| p.id != bo.id), "pickers leave deactivated users out");
}

#[tokio::test]
async fn deactivation_lists_open_tickets_and_refuses_what_it_must() {
    use crate::model::TicketInput;
    use crate::store::tickets;
    let org = crate::store::fixtures::Org::new().await;
    let bo = &org.other_agent;
    let theirs = tickets::create(&org.db, &org.agent, &TicketInput { assignee_id: Some(bo.id), ..TicketInput::quick(org.team_id, "Bo's") }, org.now).await.unwrap();

    assert!(matches!(deactivate(&org.db, &org.lead, bo.id, 1, org.now).await, Err(AppError::Forbidden(_))), "admins only");
    assert!(matches!(deactivate(&org.db, &org.admin, org.admin.id, 1, org.now).await, Err(AppError::Invalid(_))), "not oneself");
    assert!(matches!(deactivate(&org.db, &org.admin, 999_999, 1, org.now).await, Err(AppError::NotFound(_))));
    assert!(matches!(deactivate(&org.db, &org.admin, bo.id, 7, org.now).await, Err(AppError::Conflict(_))), "stale version");

    let done = deactivate(&org.db, &org.admin, bo.id, 1, org.now).await.unwrap();
    assert_eq!(done.open_tickets, vec![theirs.reference], "their open tickets, for reassignment");
    assert!(matches!(deactivate(&org.db, &org.admin, bo.id, 2, org.now).await, Err(AppError::Invalid(_))), "once is enough");

    // A second admin may be deactivated; the last one may not (by anyone who is left).
    let mut conn = org.db.write.acquire().await.unwrap();
    let second = insert_user(&mut conn, "Second Admin", "second@org.test", Role::Admin, "unused", org.now).await.unwrap();
    drop(conn);
    let second_admin = CurrentUser { id: second, name: "Second Admin".into(), email: "second@org.test".into(), role: Role::Admin };
    deactivate(&org.db, &second_admin, org.admin.id, 1, org.now).await.unwrap();
    let refused = deactivate(&org.db, &org.admin, second, 1, org.now).await;
    assert!(matches!(refused, Err(AppError::Invalid(m)) if m.contains("last active admin")), "the remaining admin stays");
}
