//! Board benchmark: 10,000 open tickets in one team; page render time, move latency, WASM size.

use std::io::Write;
use std::time::Instant;

use bench::{call, login, send, summary};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;
use server::config::Config;

const EXTRA_TICKETS: usize = 10_000;
const PAGE_RUNS: usize = 30;
const MOVES: usize = 1_000;
const WASM: &str = "target/site/pkg/helpdesk.wasm";

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        database_url: format!("sqlite://{}", dir.path().join("bench.db").display()),
        addr: "127.0.0.1:0".parse().unwrap(),
        demo: true,
    };
    let state = server::start(&config).await.expect("start");
    let team_id: i64 = sqlx::query_scalar("SELECT id FROM teams WHERE name = 'Support'").fetch_one(&state.db.read).await.unwrap();
    seed_open_tickets(&state.db, team_id).await;
    let router = server::router(state.clone());
    let session = login(&router, "agent1@demo.test").await;

    let page = format!("/teams/{team_id}/board");
    let mut page_times = Vec::new();
    for _ in 0..PAGE_RUNS {
        let request = Request::get(&page).header(header::COOKIE, &session).body(Body::empty()).unwrap();
        let started = Instant::now();
        let (status, body) = send(&router, request).await;
        page_times.push(started.elapsed());
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("data-testid=\"ticket-card\""), "the page shows cards");
    }

    let board = call(&router, &session, "board", json!({ "team_id": team_id, "limits": [] })).await;
    let stages: Vec<i64> = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["stage"]["category"] != "solved" && c["stage"]["category"] != "cancelled")
        .map(|c| c["stage"]["id"].as_i64().unwrap())
        .collect();
    let mut cards: Vec<(String, i64)> = board["columns"][0]["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["reference"].as_str().unwrap().to_string(), c["version"].as_i64().unwrap()))
        .collect();
    let mut move_times = Vec::new();
    for i in 0..MOVES {
        let slot = i % cards.len();
        let (reference, version) = cards[slot].clone();
        let args = json!({ "reference": reference, "version": version, "stage_id": stages[(i / cards.len() + 1) % stages.len()], "before": null });
        let started = Instant::now();
        let moved = call(&router, &session, "move_ticket", args).await;
        move_times.push(started.elapsed());
        cards[slot].1 = moved["version"].as_i64().expect("moved");
    }

    let mut out = std::io::stdout().lock();
    let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE team_id = ? AND status LIKE 'active%'")
        .bind(team_id)
        .fetch_one(&state.db.read)
        .await
        .unwrap();
    writeln!(out, "board: {open} open tickets in one team").unwrap();
    writeln!(out, "board page render ({PAGE_RUNS} runs): {}", summary(&mut page_times)).unwrap();
    writeln!(out, "move_ticket ({MOVES} moves): {}", summary(&mut move_times)).unwrap();
    match std::fs::read(WASM) {
        Ok(wasm) => {
            let mut compressed = Vec::new();
            let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
            brotli::BrotliCompress(&mut wasm.as_slice(), &mut compressed, &params).unwrap();
            writeln!(out, "wasm: {} KB raw, {} KB brotli", wasm.len() / 1024, compressed.len() / 1024).unwrap();
        }
        Err(_) => writeln!(out, "wasm: {WASM} not found; run `cargo leptos build --release` first").unwrap(),
    }
}

/// Bulk rows straight into the database: the benchmark measures reading and moving, not creating.
async fn seed_open_tickets(db: &app::store::Db, team_id: i64) {
    let mut tx = db.begin_write().await.unwrap();
    let stages: Vec<i64> = sqlx::query_scalar("SELECT id FROM stages WHERE team_id = ? AND category IN ('new', 'in_progress', 'waiting') ORDER BY position")
        .bind(team_id)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    app::store::fixtures::bulk_tickets(&mut tx, team_id, &stages, EXTRA_TICKETS, chrono::Utc::now()).await;
    tx.commit().await.unwrap();
}
