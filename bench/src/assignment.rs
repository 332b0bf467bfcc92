//! Assignment benchmark: pull-next with 100,000 waiting tickets and 50 agents, and the
//! automatic-assignment decision made when a ticket is created.

use std::time::Instant;

use bench::summary;

use app::model::PullSource;
use app::store::{assignment, fixtures, pull};

const AGENTS: usize = 50;
const WAITING: usize = 100_000;
const PULLS: usize = 1_000;
const DECISIONS: usize = 1_000;

#[tokio::main]
async fn main() {
    let (db, _dir) = fixtures::temp_db().await;
    let now = chrono::Utc::now();
    let started = Instant::now();
    let (team_id, agents) = fixtures::waiting_team(&db, AGENTS, WAITING, now).await;
    println!("setup: {WAITING} waiting tickets, {AGENTS} agents in {:.1} s", started.elapsed().as_secs_f64());

    let mut pulls = Vec::with_capacity(PULLS);
    for i in 0..PULLS {
        let started = Instant::now();
        let pulled = pull::pull_next(&db, &agents[i % AGENTS], PullSource::MyTeams, now).await.unwrap();
        pulls.push(started.elapsed());
        assert!(pulled.is_some(), "tickets are waiting");
    }
    println!("pull_next ({PULLS} pulls): {}", summary(&mut pulls));

    sqlx::query("UPDATE teams SET assignment_method = 'equal_open' WHERE id = ?").bind(team_id).execute(&db.write).await.unwrap();
    let mut decisions = Vec::with_capacity(DECISIONS);
    for _ in 0..DECISIONS {
        let mut tx = db.begin_write().await.unwrap();
        let started = Instant::now();
        let chosen = assignment::auto_assignee(&mut tx, team_id, now).await.unwrap();
        decisions.push(started.elapsed());
        assert!(chosen.is_some());
        tx.rollback().await.unwrap();
    }
    println!("auto-assignment decision, equal open ({DECISIONS} decisions): {}", summary(&mut decisions));
}
