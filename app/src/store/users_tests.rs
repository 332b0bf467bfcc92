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

/// Invites someone as an agent and returns the invitation.
async fn invited(org: &crate::store::fixtures::Org, name: &str, email: &str) -> Invitation {
    invite(&org.db, &org.admin, name, email, Role::Agent, org.now).await.unwrap()
}

async fn audit_lines(db: &Db, user_id: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT summary FROM audit_entries WHERE area = 'user' AND object_id = ? ORDER BY id").bind(user_id).fetch_all(&db.read).await.unwrap()
}

#[tokio::test]
async fn an_invited_user_signs_in_only_after_choosing_a_password_through_the_one_time_link() {
    let org = crate::store::fixtures::Org::new().await;
    let invitation = invited(&org, "Ada Agent", "ada@example.test").await;
    assert!(matches!(authenticate(&org.db, "ada@example.test", "").await, Err(AppError::Invalid(_))), "no password works before accepting");
    let listed = list(&org.db, &org.admin, "example.test", None).await.unwrap();
    assert_eq!(listed.iter().map(|u| (u.email.as_str(), u.state)).collect::<Vec<_>>(), [("ada@example.test", UserState::Invited)]);

    assert!(matches!(accept_invitation(&org.db, &invitation.token, "short", org.now).await, Err(AppError::Invalid(_))), "password rules apply");
    assert!(matches!(accept_invitation(&org.db, "not-a-token", "long enough", org.now).await, Err(AppError::Invalid(_))));
    assert!(matches!(accept_invitation(&org.db, &"f".repeat(TOKEN_MAX + 1), "long enough", org.now).await, Err(AppError::Invalid(_))));
    let ada = accept_invitation(&org.db, &invitation.token, "correct horse", org.now).await.unwrap();
    assert_eq!((ada.id, ada.role, ada.name.as_str()), (invitation.user_id, Role::Agent, "Ada Agent"));
    assert_eq!(authenticate(&org.db, "ada@example.test", "correct horse").await.unwrap().id, ada.id);
    let again = accept_invitation(&org.db, &invitation.token, "another password", org.now).await;
    assert!(matches!(again, Err(AppError::Invalid(m)) if m.contains("used already")), "the link works once");
    assert_eq!(authenticate(&org.db, "ada@example.test", "correct horse").await.unwrap().id, ada.id, "and changed nothing");
    assert_eq!(audit_lines(&org.db, ada.id).await, ["Invited Ada Agent <ada@example.test> as Agent", "Accepted the invitation"]);
}

#[tokio::test]
async fn invitations_expire_are_for_admins_and_emails_stay_unique() {
    let org = crate::store::fixtures::Org::new().await;
    let late = invited(&org, "Late Larry", "larry@example.test").await;
    let expired = accept_invitation(&org.db, &late.token, "correct horse", org.now + Duration::days(INVITATION_DAYS) + Duration::seconds(1)).await;
    assert!(matches!(expired, Err(AppError::Invalid(_))), "expired after {INVITATION_DAYS} days");
    let renewed = renew_invitation(&org.db, &org.admin, late.user_id, org.now).await.unwrap();
    assert!(matches!(accept_invitation(&org.db, &late.token, "correct horse", org.now).await, Err(AppError::Invalid(_))), "the old link stops working");
    accept_invitation(&org.db, &renewed.token, "correct horse", org.now).await.unwrap();
    assert!(matches!(renew_invitation(&org.db, &org.admin, late.user_id, org.now).await, Err(AppError::Invalid(_))), "accepted already");

    let taken = invite(&org.db, &org.admin, "Ada Again", "ADA.ADMIN@org.test", Role::Agent, org.now).await;
    assert!(matches!(taken, Err(AppError::Invalid(m)) if m.contains("already exists")), "emails compare without case");
    assert!(matches!(invite(&org.db, &org.lead, "Eve", "eve@example.test", Role::Agent, org.now).await, Err(AppError::Forbidden(_))));
    assert!(matches!(invite(&org.db, &org.admin, "Eve", "eve@example.test", Role::Customer, org.now).await, Err(AppError::Invalid(_))));
    assert!(matches!(invite(&org.db, &org.admin, " ", "eve@example.test", Role::Agent, org.now).await, Err(AppError::Invalid(_))));
    assert!(matches!(invite(&org.db, &org.admin, "Eve", "eve", Role::Agent, org.now).await, Err(AppError::Invalid(_))));

    // Deactivated before accepting: the link no longer works.
    let gone = invited(&org, "Gone Gina", "gina@example.test").await;
    deactivate(&org.db, &org.admin, gone.user_id, 1, org.now).await.unwrap();
    assert!(matches!(accept_invitation(&org.db, &gone.token, "correct horse", org.now).await, Err(AppError::Invalid(_))));
}

#[tokio::test]
async fn the_list_searches_names_and_emails_and_filters_by_role() {
    let org = crate::store::fixtures::Org::new().await;
    let names = |users: Vec<UserSummary>| users.into_iter().map(|u| u.name).collect::<Vec<_>>();
    assert_eq!(names(list(&org.db, &org.admin, "", None).await.unwrap()), ["Ada Admin", "Alex Agent", "Bo Agent", "Lee Lead"]);
    assert_eq!(names(list(&org.db, &org.admin, "", Some(Role::Agent)).await.unwrap()), ["Alex Agent", "Bo Agent"]);
    assert_eq!(names(list(&org.db, &org.admin, "LEE.lead@", None).await.unwrap()), ["Lee Lead"], "by email, any case");
    assert!(list(&org.db, &org.admin, "%", None).await.unwrap().is_empty(), "wildcards are plain text");
    deactivate(&org.db, &org.admin, org.agent.id, 1, org.now).await.unwrap();
    let all = list(&org.db, &org.admin, "agent", None).await.unwrap();
    assert_eq!(all.iter().map(|u| (u.name.as_str(), u.state)).collect::<Vec<_>>(), [("Bo Agent", UserState::Active), ("Alex Agent", UserState::Deactivated)]);
    assert_eq!(all[0].teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Support"]);
    assert!(matches!(list(&org.db, &org.lead, "", None).await, Err(AppError::Forbidden(_))));
    assert!(matches!(list(&org.db, &org.admin, &"x".repeat(validate::SEARCH_MAX + 1), None).await, Err(AppError::Invalid(_))));
}

async fn team_version(db: &Db, team_id: i64) -> i64 {
    sqlx::query_scalar("SELECT version FROM teams WHERE id = ?").bind(team_id).fetch_one(&db.read).await.unwrap()
}

#[tokio::test]
async fn the_user_form_saves_name_role_and_teams_and_guards_the_admins() {
    let org = crate::store::fixtures::Org::new().await;
    let (billing, _) = org.team("Billing", "company", &[]).await;
    let bo = &org.other_agent;
    let billing_before = team_version(&org.db, billing).await;
    let input = UserInput { name: "Bo Builder".into(), role: Role::Lead, team_ids: vec![billing, billing] };
    let saved = save_user(&org.db, &org.admin, bo.id, 1, &input, org.now).await.unwrap();
    assert_eq!((saved.user.name.as_str(), saved.user.role, saved.version), ("Bo Builder", Role::Lead, 2));
    assert_eq!(saved.user.teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Billing"], "joined Billing, left Support");
    assert_eq!(team_version(&org.db, billing).await, billing_before + 1, "an open settings form of the team is now stale");
    assert_eq!(audit_lines(&org.db, bo.id).await, ["Bo Agent: name Bo Agent → Bo Builder; role Agent → Team lead; joined Billing; left Support"]);
    assert!(matches!(save_user(&org.db, &org.admin, bo.id, 1, &input, org.now).await, Err(AppError::Conflict(_))), "stale version");
    assert!(matches!(save_user(&org.db, &org.lead, bo.id, 2, &input, org.now).await, Err(AppError::Forbidden(_))));
    assert!(matches!(save_user(&org.db, &org.admin, 999_999, 1, &input, org.now).await, Err(AppError::NotFound(_))));
    let unknown_team = UserInput { team_ids: vec![999_999], ..input.clone() };
    assert!(matches!(save_user(&org.db, &org.admin, bo.id, 2, &unknown_team, org.now).await, Err(AppError::Invalid(_))));

    let as_agent = |user: &CurrentUser| UserInput { name: user.name.clone(), role: Role::Agent, team_ids: vec![] };
    let own = save_user(&org.db, &org.admin, org.admin.id, 1, &as_agent(&org.admin), org.now).await;
    assert!(matches!(own, Err(AppError::Invalid(m)) if m.contains("your own role")));
    let second = invited(&org, "Second Admin", "second@example.test").await;
    save_user(&org.db, &org.admin, second.user_id, 1, &UserInput { name: "Second Admin".into(), role: Role::Admin, team_ids: vec![] }, org.now).await.unwrap();
    let second_admin = user_by_id(&org.db, second.user_id).await.unwrap();
    let pending = save_user(&org.db, &second_admin, org.admin.id, 1, &as_agent(&org.admin), org.now).await;
    assert!(matches!(pending, Err(AppError::Invalid(m)) if m.contains("last active admin")), "an admin who has not accepted the invitation cannot sign in");
    accept_invitation(&org.db, &second.token, "the second admin's password", org.now).await.unwrap();
    save_user(&org.db, &second_admin, org.admin.id, 1, &as_agent(&org.admin), org.now).await.unwrap();
    let last = save_user(&org.db, &org.lead, second.user_id, 2, &as_agent(&second_admin), org.now).await;
    assert!(matches!(last, Err(AppError::Forbidden(_))), "the demoted admin is no admin any more");
    let customer = org.customer().await;
    let to_staff = save_user(&org.db, &second_admin, customer.id, 1, &as_agent(&customer), org.now).await;
    assert!(matches!(to_staff, Err(AppError::Invalid(_))), "portal users keep their role");
}

#[tokio::test]
async fn the_last_active_admin_keeps_the_role_and_reactivation_brings_a_user_back() {
    let org = crate::store::fixtures::Org::new().await;
    let second = invited(&org, "Second Admin", "second@example.test").await;
    let as_role = |role| UserInput { name: "Second Admin".into(), role, team_ids: vec![] };
    save_user(&org.db, &org.admin, second.user_id, 1, &as_role(Role::Admin), org.now).await.unwrap();
    let second_admin = user_by_id(&org.db, second.user_id).await.unwrap();
    deactivate(&org.db, &org.admin, second.user_id, 2, org.now).await.unwrap();
    // A deactivated admin does not count: the remaining one cannot be demoted.
    let demote = UserInput { name: org.admin.name.clone(), role: Role::Agent, team_ids: vec![] };
    let refused = save_user(&org.db, &second_admin, org.admin.id, 1, &demote, org.now).await;
    assert!(matches!(refused, Err(AppError::Invalid(m)) if m.contains("last active admin")));

    let bo = &org.other_agent;
    deactivate(&org.db, &org.admin, bo.id, 1, org.now).await.unwrap();
    assert!(matches!(reactivate(&org.db, &org.admin, bo.id, 1, org.now).await, Err(AppError::Conflict(_))));
    assert!(matches!(reactivate(&org.db, &org.lead, bo.id, 2, org.now).await, Err(AppError::Forbidden(_))));
    let back = reactivate(&org.db, &org.admin, bo.id, 2, org.now).await.unwrap();
    assert_eq!(back.user.state, UserState::Active);
    assert!(matches!(reactivate(&org.db, &org.admin, bo.id, 3, org.now).await, Err(AppError::Invalid(_))), "active already");
    assert_eq!(org.ticket("Bo is back").await.assignee.is_some(), false, "Support assigns manually");
    assert_eq!(audit_lines(&org.db, bo.id).await, ["Deactivated Bo Agent", "Reactivated Bo Agent"]);
}

#[tokio::test]
async fn notification_settings_decide_which_notifications_arrive() {
    use crate::store::notifications::{self, NotificationKind};
    let org = crate::store::fixtures::Org::new().await;
    let alex = &org.agent;
    let before = profile(&org.db, alex).await.unwrap();
    assert_eq!((before.notifications.rules, before.notifications.sla), (true, true), "both on by default");
    let input = ProfileInput { name: "Alex Q. Agent".into(), notifications: crate::model::NotificationSettings { rules: false, sla: true, messages: false } };
    let saved = update_profile(&org.db, alex, before.version, &input, org.now).await.unwrap();
    assert_eq!((saved.name.as_str(), saved.notifications), ("Alex Q. Agent", input.notifications));
    assert!(matches!(update_profile(&org.db, alex, before.version, &input, org.now).await, Err(AppError::Conflict(_))), "stale version");
    assert!(matches!(update_profile(&org.db, alex, saved.version, &ProfileInput { name: " ".into(), ..input.clone() }, org.now).await, Err(AppError::Invalid(_))));

    let mut conn = org.db.write.acquire().await.unwrap();
    assert!(!notifications::notify(&mut conn, alex.id, NotificationKind::Rule, None, "From a rule", org.now).await.unwrap());
    assert!(notifications::notify(&mut conn, alex.id, NotificationKind::Sla, None, "SLA breached", org.now).await.unwrap());
    drop(conn);
    let (received, unread) = notifications::list(&org.db, alex).await.unwrap();
    assert_eq!(received.iter().map(|n| n.message.as_str()).collect::<Vec<_>>(), ["SLA breached"]);
    assert_eq!(unread, 1);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let org = crate::store::fixtures::Org::new().await;
    let alex = &org.agent;
    with_password(&org.db, alex, "correct horse").await;
    let here = create_session(&org.db, alex.id, org.now).await.unwrap();
    let elsewhere = create_session(&org.db, alex.id, org.now).await.unwrap();
    let wrong = change_password(&org.db, alex, "wrong horse", "battery staple", Some(&here), org.now).await;
    assert_eq!(wrong, Err(AppError::Invalid(WRONG_CURRENT_PASSWORD.into())));
    assert!(matches!(change_password(&org.db, alex, "correct horse", "short", Some(&here), org.now).await, Err(AppError::Invalid(_))));
    assert!(user_for_session(&org.db, &elsewhere, org.now).await.unwrap().is_some(), "refusals end nothing");

    change_password(&org.db, alex, "correct horse", "battery staple", Some(&here), org.now).await.unwrap();
    assert!(user_for_session(&org.db, &here, org.now).await.unwrap().is_some(), "this session stays");
    assert_eq!(user_for_session(&org.db, &elsewhere, org.now).await.unwrap(), None, "the others end");
    assert!(authenticate(&org.db, &alex.email, "correct horse").await.is_err());
    assert_eq!(authenticate(&org.db, &alex.email, "battery staple").await.unwrap().id, alex.id);
}

#[tokio::test]
async fn deactivated_users_never_pull_nor_get_waiting_tickets() {
    use crate::model::PullSource;
    use crate::store::pull;
    let org = crate::store::fixtures::Org::new().await;
    let bo = &org.other_agent;
    org.ticket("Waiting for someone").await;
    deactivate(&org.db, &org.admin, bo.id, 1, org.now).await.unwrap();
    assert!(matches!(pull::pull_next(&org.db, bo, PullSource::MyTeams, org.now).await, Err(AppError::Forbidden(_))), "pull-next refuses them");
    assert_eq!(pull::pull_next(&org.db, &org.agent, PullSource::MyTeams, org.now).await.unwrap().map(|p| p.card.assignee.map(|a| a.id)), Some(Some(org.agent.id)));

    // The periodic round hands out waiting tickets by every strategy, never to them: Support's
    // members are now Bo (deactivated) and Alex.
    sqlx::query("DELETE FROM team_members WHERE team_id = ? AND user_id NOT IN (?, ?)").bind(org.team_id).bind(bo.id).bind(org.agent.id).execute(&org.db.write).await.unwrap();
    for method in ["equal_total", "equal_open", "round_robin"] {
        sqlx::query("UPDATE teams SET assignment_method = NULL WHERE id = ?").bind(org.team_id).execute(&org.db.write).await.unwrap();
        let waiting = org.ticket(&format!("Waiting, then {method}")).await;
        assert_eq!(waiting.assignee, None);
        sqlx::query("UPDATE teams SET assignment_method = ? WHERE id = ?").bind(method).bind(org.team_id).execute(&org.db.write).await.unwrap();
        let assigned = pull::assign_waiting(&org.db, org.now).await.unwrap();
        assert_eq!(assigned.len(), 1, "{method}");
        assert_eq!(assigned[0].card.assignee.as_ref().map(|a| a.id), Some(org.agent.id), "{method}: only the active member");
    }
}
