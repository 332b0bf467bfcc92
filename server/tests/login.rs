//! Sign-in defences over HTTP, through the real router without a socket: failed-login throttling
//! per account and per client address (429 with `Retry-After`), the same password work for
//! unknown emails, and "sign out everywhere".

mod common;

use app::store::users::password_runs;
use axum::http::StatusCode;
use common::{Api, Reply};
use serde_json::{json, Value};
use tokio::sync::Mutex;

/// The password-work counter is shared by the whole test process: these tests take turns.
static SERIAL: Mutex<()> = Mutex::const_new(());

const RIGHT: &str = common::PASSWORD;
const WRONG: &str = "not the password";

fn assert_throttled(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", reply.body);
    let seconds: u64 = reply.retry_after.as_deref().expect("a Retry-After header").parse().expect("Retry-After in seconds");
    assert!((1..=15 * 60).contains(&seconds), "{seconds}");
    assert!(reply.body.to_string().contains("retry_after_secs"), "{:?}", reply.body);
    assert!(reply.cookie.is_none());
}

#[tokio::test]
async fn after_five_wrong_passwords_even_the_right_one_waits_without_hashing() {
    let _serial = SERIAL.lock().await;
    let api = Api::demo().await;
    let office = Some("198.51.100.7:50000");
    for attempt in 1..=5 {
        let reply = api.login_from(office, "agent1@demo.test", WRONG).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "attempt {attempt} is free");
        assert!(reply.retry_after.is_none());
    }
    let hashed_before = password_runs();
    assert_throttled(&api.login_from(office, "agent1@demo.test", RIGHT).await);
    assert_throttled(&api.login_from(Some("203.0.113.9:40000"), "AGENT1@demo.test", RIGHT).await);
    assert_eq!(password_runs(), hashed_before, "a throttled attempt hashes nothing");

    let other_account = api.login_from(office, "agent2@demo.test", RIGHT).await;
    assert_eq!(other_account.status, StatusCode::OK, "the lock is per account: {:?}", other_account.body);
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_throttled() {
    let _serial = SERIAL.lock().await;
    let api = Api::demo().await;
    let attacker = Some("198.51.100.66:1234");
    // Four failures on each of five accounts: no account reaches its own limit.
    for email in ["admin@demo.test", "lead@demo.test", "agent1@demo.test", "agent2@demo.test", "agent3@demo.test"] {
        for _ in 0..4 {
            assert_eq!(api.login_from(attacker, email, WRONG).await.status, StatusCode::BAD_REQUEST, "{email}");
        }
    }
    assert_throttled(&api.login_from(attacker, "agent4@demo.test", RIGHT).await);
    let elsewhere = api.login_from(Some("203.0.113.10:5555"), "agent4@demo.test", RIGHT).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "other addresses are not affected: {:?}", elsewhere.body);
}

#[tokio::test]
async fn a_successful_login_resets_the_account() {
    let _serial = SERIAL.lock().await;
    let api = Api::demo().await;
    for _ in 0..4 {
        assert_eq!(api.login_from(None, "lead@demo.test", WRONG).await.status, StatusCode::BAD_REQUEST);
    }
    assert_eq!(api.login_from(None, "lead@demo.test", RIGHT).await.status, StatusCode::OK);
    for attempt in 1..=5 {
        assert_eq!(api.login_from(None, "lead@demo.test", WRONG).await.status, StatusCode::BAD_REQUEST, "attempt {attempt} after the reset");
    }
    assert_throttled(&api.login_from(None, "lead@demo.test", RIGHT).await);
}

#[tokio::test]
async fn unknown_emails_get_the_same_answer_and_the_same_password_work() {
    let _serial = SERIAL.lock().await;
    let api = Api::demo().await;
    let mut answers = Vec::new();
    for email in ["agent1@demo.test", "nobody@demo.test"] {
        let before = password_runs();
        let reply = api.login_from(None, email, WRONG).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{email}");
        assert_eq!(password_runs(), before + 1, "{email}: one argon2 verification");
        answers.push(reply.body);
    }
    assert_eq!(answers[0], answers[1], "the answer does not tell which emails exist");
}

#[tokio::test]
async fn logout_everywhere_ends_the_callers_other_sessions_only() {
    let _serial = SERIAL.lock().await;
    let api = Api::demo().await;
    let laptop = api.login("agent1@demo.test").await;
    let phone = api.login("agent1@demo.test").await;
    let colleague = api.login("agent2@demo.test").await;
    assert_eq!(api.call(Some(&phone), "me", json!({})).await.body["email"], "agent1@demo.test");

    let reply = api.call(Some(&laptop), "logout_everywhere", json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert!(reply.cookie.expect("the cookie is cleared").contains("Max-Age=0"));

    for session in [&laptop, &phone] {
        assert_eq!(api.call(Some(session), "me", json!({})).await.body, Value::Null);
        assert_eq!(api.call(Some(session), "teams", json!({})).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(api.call(Some(&colleague), "me", json!({})).await.body["email"], "agent2@demo.test");
    assert_eq!(api.call(None, "logout_everywhere", json!({})).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_plain_session_cookie_is_set_over_http_and_both_names_are_read() {
    let _serial = SERIAL.lock().await;
    let api = Api::demo().await;
    let reply = api.login_from(None, "agent1@demo.test", RIGHT).await;
    let cookie = reply.cookie.unwrap();
    assert!(cookie.starts_with("hd_session=") && !cookie.contains("Secure"), "{cookie}");
    let token = cookie.split(';').next().unwrap().trim_start_matches("hd_session=").to_string();
    let secure_name = format!("__Host-hd_session={token}");
    assert_eq!(api.call(Some(&secure_name), "me", json!({})).await.body["email"], "agent1@demo.test");
}
