//! Conversation benchmark, through the real router on the demo installation: posting replies and
//! notes (each reply runs the ticket workflow: automation and SLA), then the server-side render
//! of a ticket page holding 500 messages.

use std::time::Instant;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use bench::{call, login, send, summary};
use serde_json::json;
use server::config::Config;

const MESSAGES: usize = 500;
const PAGE_RUNS: usize = 30;
const TICKET: &str = "HD-1001";

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config { database_url: format!("sqlite://{}", dir.path().join("bench.db").display()), addr: "127.0.0.1:0".parse().unwrap(), demo: true };
    let state = server::start(&config).await.expect("start");
    let router = server::router(state.clone());
    let session = login(&router, "agent1@demo.test").await;

    let (mut replies, mut notes) = (Vec::new(), Vec::new());
    for i in 0..MESSAGES {
        let kind = if i % 2 == 0 { "reply" } else { "note" };
        let body = format!("Message {i}: **checked** the logs again.\nNothing new since yesterday; see [the article](https://example.com/kb/{i}).");
        let started = Instant::now();
        call(&router, &session, "post_message", json!({ "reference": TICKET, "message": { "kind": kind, "body": body } })).await;
        if kind == "reply" { replies.push(started.elapsed()) } else { notes.push(started.elapsed()) }
    }

    let mut pages = Vec::new();
    for _ in 0..PAGE_RUNS {
        let request = Request::get(format!("/tickets/{TICKET}")).header(header::COOKIE, &session).body(Body::empty()).unwrap();
        let started = Instant::now();
        let (status, body) = send(&router, request).await;
        pages.push(started.elapsed());
        assert_eq!(status, StatusCode::OK);
        assert!(body.matches("data-kind=\"reply\"").count() >= MESSAGES / 2, "the page shows the conversation");
    }
    println!("post_message, reply with automation and SLA ({} posts): {}", replies.len(), summary(&mut replies));
    println!("post_message, internal note ({} posts): {}", notes.len(), summary(&mut notes));
    println!("ticket page with {MESSAGES}+ messages, server render ({PAGE_RUNS} runs): {}", summary(&mut pages));
}
