//! The HTTP surface, through the real router without a socket: every server function is a public
//! endpoint, so authorization and error statuses are checked here as an outsider would meet them.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::Api;
use serde_json::{json, Value};

impl Api {
    async fn board(&self, session: &str, team_id: i64) -> Value {
        let reply = self.call(Some(session), "board", json!({ "team_id": team_id, "limits": [] })).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        reply.body
    }
}

/// A board without what its SLA countdowns read off the clock at request time (the moment, the
/// time left then, the working hours from then on); deadlines and states stay in.
fn without_clock_readings(mut board: Value) -> Value {
    for column in board["columns"].as_array_mut().into_iter().flatten() {
        for card in column["cards"].as_array_mut().into_iter().flatten() {
            if let Some(countdown) = card["sla"].as_object_mut() {
                for reading in ["at", "left_secs", "working"] {
                    countdown.remove(reading);
                }
            }
        }
    }
    board
}

#[tokio::test]
async fn calls_without_a_session_are_unauthorized() {
    let api = Api::demo().await;
    for (endpoint, args) in [
        ("teams", json!({})),
        ("board", json!({ "team_id": 1, "limits": [] })),
        ("ticket", json!({ "reference": "HD-1001" })),
        ("move_ticket", json!({ "reference": "HD-1001", "version": 1, "stage_id": 2, "before": null })),
    ] {
        let reply = api.call(Some("hd_session=forged"), endpoint, args).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{endpoint}");
        assert_eq!(reply.body, json!("Unauthorized"));
    }
    let wrong = api.call(None, "login", json!({ "email": "agent1@demo.test", "password": "nope" })).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.cookie.is_none());
}

#[tokio::test]
async fn pages_redirect_to_login_until_signed_in() {
    let api = Api::demo().await;
    let page = |cookie: Option<&str>| {
        let mut request = Request::get("/");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.body(Body::empty()).unwrap()
    };
    let anonymous = api.send(page(None)).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.location.as_deref(), Some("/login"));
    let session = api.login("agent1@demo.test").await;
    assert_eq!(api.send(page(Some(&session))).await.status, StatusCode::OK);

    let logout = api.call(Some(&session), "logout", json!({})).await;
    assert!(logout.cookie.unwrap().contains("Max-Age=0"));
    assert_eq!(api.send(page(Some(&session))).await.status, StatusCode::SEE_OTHER, "the session ended");
}

#[tokio::test]
async fn private_team_is_closed_to_outsiders_on_every_endpoint() {
    let api = Api::demo().await;
    let insider = api.login("agent4@demo.test").await;
    let outsider = api.login("agent1@demo.test").await;
    let finance = api.team_id(&insider, "Finance").await;
    let board = api.board(&insider, finance).await;
    let card = &board["columns"][0]["cards"][0];
    let reference = card["reference"].as_str().unwrap();
    let target_stage = board["columns"][1]["stage"]["id"].as_i64().unwrap();

    let teams = api.call(Some(&outsider), "teams", json!({})).await.body;
    assert!(teams.as_array().unwrap().iter().all(|t| t["name"] != "Finance"));
    let denied = [
        api.call(Some(&outsider), "board", json!({ "team_id": finance, "limits": [] })).await,
        api.call(Some(&outsider), "ticket", json!({ "reference": reference })).await,
        api.call(Some(&outsider), "move_ticket", json!({ "reference": reference, "version": card["version"], "stage_id": target_stage, "before": null })).await,
    ];
    // Hidden answers exactly like missing, so that ids cannot be probed.
    let not_found = |what: &str, id: &str| json!({ "NotFound": format!("{what} {id} does not exist.") });
    for reply in &denied {
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{:?}", reply.body);
    }
    assert_eq!(denied[0].body, not_found("Team", &finance.to_string()));
    assert_eq!(denied[1].body, not_found("Ticket", reference));
    assert_eq!(denied[2].body, not_found("Ticket", reference));
    // An agent shapes no team at all: refused before the stage is even looked up.
    let renamed = api.call(Some(&outsider), "rename_stage", json!({ "stage_id": target_stage, "version": 1, "name": "Hijacked" })).await;
    let missing_stage = api.call(Some(&outsider), "rename_stage", json!({ "stage_id": 999_999, "version": 1, "name": "Hijacked" })).await;
    assert_eq!((renamed.status, &renamed.body), (StatusCode::FORBIDDEN, &missing_stage.body));
    let missing_team = api.call(Some(&outsider), "board", json!({ "team_id": 999_999, "limits": [] })).await;
    assert_eq!((missing_team.status, missing_team.body), (StatusCode::NOT_FOUND, not_found("Team", "999999")));
    let missing_ticket = api.call(Some(&outsider), "ticket", json!({ "reference": "HD-999999" })).await;
    assert_eq!((missing_ticket.status, missing_ticket.body), (StatusCode::NOT_FOUND, not_found("Ticket", "HD-999999")));
    let events = Request::get(format!("/api/events?team={finance}")).header(header::COOKIE, &outsider).body(Body::empty()).unwrap();
    assert_eq!(api.send(events).await.status, StatusCode::NOT_FOUND);

    let after = api.call(Some(&insider), "ticket", json!({ "reference": reference })).await.body;
    assert_eq!(after["version"], card["version"], "nothing changed");
}

#[tokio::test]
async fn bad_input_gets_a_clear_client_error_and_changes_nothing() {
    let api = Api::demo().await;
    let session = api.login("agent1@demo.test").await;
    let support = api.team_id(&session, "Support").await;
    let field_service = api.team_id(&session, "Field Service").await;
    let board = api.board(&session, support).await;
    let card = board["columns"][0]["cards"][0].clone();
    let foreign_stage = api.board(&session, field_service).await["columns"][1]["stage"]["id"].clone();

    let malformed = api.call(Some(&session), "move_ticket", json!({ "reference": 5 })).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST, "{:?}", malformed.body);
    let not_a_reference = api.call(Some(&session), "ticket", json!({ "reference": "'; DROP TABLE tickets" })).await;
    assert_eq!(not_a_reference.status, StatusCode::BAD_REQUEST);
    let unknown = api.call(Some(&session), "ticket", json!({ "reference": "HD-999999" })).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let other_team = api
        .call(Some(&session), "move_ticket", json!({ "reference": card["reference"], "version": card["version"], "stage_id": foreign_stage, "before": null }))
        .await;
    assert_eq!(other_team.status, StatusCode::BAD_REQUEST);
    assert!(other_team.body["Invalid"].as_str().unwrap().contains("another team"));
    let empty_title = api
        .call(Some(&session), "create_ticket", json!({ "input": {
            "title": " ", "description": "", "team_id": support, "priority": "normal", "origin": "phone",
            "contact_id": null, "account_id": null, "new_customer": null, "subject_id": null,
            "product_id": null, "assignee_id": null, "tags": [] } }))
        .await;
    assert_eq!(empty_title.status, StatusCode::BAD_REQUEST);
    assert_eq!(empty_title.body, json!({ "Invalid": "Title is required." }));
    let agent_renames = api.call(Some(&session), "rename_stage", json!({ "stage_id": board["columns"][0]["stage"]["id"], "version": 1, "name": "Mine" })).await;
    assert_eq!(agent_renames.status, StatusCode::FORBIDDEN);

    assert_eq!(without_clock_readings(api.board(&session, support).await), without_clock_readings(board), "the board is unchanged");
}

#[tokio::test]
async fn a_stale_move_is_a_conflict() {
    let api = Api::demo().await;
    let session = api.login("agent2@demo.test").await;
    let support = api.team_id(&session, "Support").await;
    let board = api.board(&session, support).await;
    let card = &board["columns"][0]["cards"][0];
    let to = board["columns"][1]["stage"]["id"].clone();
    let args = json!({ "reference": card["reference"], "version": card["version"], "stage_id": to, "before": null });
    let first = api.call(Some(&session), "move_ticket", args.clone()).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body["version"], card["version"].as_i64().unwrap() + 1);
    let second = api.call(Some(&session), "move_ticket", args).await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert!(second.body["Conflict"].as_str().unwrap().contains("changed by someone else"));
}

#[tokio::test]
async fn an_invitation_link_opens_without_a_session_and_signs_the_new_user_in() {
    let api = Api::demo().await;
    let admin = api.login("admin@demo.test").await;
    let invited = api.call(Some(&admin), "invite_user", json!({ "name": "Ada Agent", "email": "ada@example.test", "role": "agent" })).await;
    assert_eq!(invited.status, StatusCode::OK, "{:?}", invited.body);
    let token = invited.body["token"].as_str().unwrap().to_string();

    let page = |path: String| Request::get(path).body(Body::empty()).unwrap();
    let link = api.send(page(format!("/invite/{token}"))).await;
    assert_eq!(link.status, StatusCode::OK, "anonymous visitors open the link");
    assert!(link.text.contains("name=\"password\""), "it asks for a password");
    assert_eq!(api.send(page("/admin/users".into())).await.status, StatusCode::SEE_OTHER, "other pages still need a session");

    let accepted = api.call(None, "accept_invitation", json!({ "token": token, "password": "correct horse" })).await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
    let session = accepted.cookie.expect("signed in").split(';').next().unwrap().to_string();
    assert_eq!(api.call(Some(&session), "me", json!({})).await.body["email"], json!("ada@example.test"));
    let again = api.call(None, "accept_invitation", json!({ "token": token, "password": "another password" })).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "the link works once");
}
