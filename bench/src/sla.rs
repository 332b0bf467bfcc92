//! SLA benchmark: recalculating 100,000 open KPI clocks after a policy edit (and how long other
//! writes wait meanwhile), and how soon after its moment the running job raises a breach.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bench::summary;

use app::model::{BoardChange, BoardEvent, Priority, TicketInput};
use app::store::sla::{self, Recalculation};
use app::store::{fixtures, tickets, users};
use server::config::Config;

const EXTRA_TICKETS: usize = 50_000;
const BREACH_SAMPLES: usize = 10;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config { database_url: format!("sqlite://{}", dir.path().join("bench.db").display()), addr: "127.0.0.1:0".parse().unwrap(), demo: true };
    let state = server::start(&config).await.expect("start");
    let db = state.db.clone();
    let now = chrono::Utc::now();

    // 50,000 more open Support tickets, each with a first-response and a resolution clock of
    // the "Standard" policy: with the demo's own, over 100,000 open clocks.
    let (team_id, stage_id): (i64, i64) =
        sqlx::query_as("SELECT t.id, s.id FROM teams t JOIN stages s ON s.team_id = t.id WHERE t.name = 'Support' AND s.category = 'new'").fetch_one(&db.read).await.unwrap();
    let policy_id: i64 = sqlx::query_scalar("SELECT id FROM sla_policies WHERE name = 'Standard'").fetch_one(&db.read).await.unwrap();
    let calendar_id: i64 = sqlx::query_scalar("SELECT calendar_id FROM sla_policies WHERE id = ?").bind(policy_id).fetch_one(&db.read).await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    fixtures::bulk_tickets(&mut tx, team_id, &[stage_id], EXTRA_TICKETS, now).await;
    for (kind, secs) in [("first_response", 8 * 3600), ("resolution", 40 * 3600)] {
        sqlx::query(
            "INSERT INTO sla_clocks (ticket_id, kind, policy_id, calendar_id, started_at, target_secs, warn_after_secs)
             SELECT id, ?, ?, ?, created_at, ?, ? FROM tickets WHERE team_id = ? AND title LIKE 'Waiting ticket %'",
        )
        .bind(kind)
        .bind(policy_id)
        .bind(calendar_id)
        .bind(secs)
        .bind(secs * 8 / 10)
        .bind(team_id)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sla_clocks WHERE policy_id = ? AND met_at IS NULL AND cancelled_at IS NULL")
        .bind(policy_id)
        .fetch_one(&db.read)
        .await
        .unwrap();

    // Another writer keeps writing every 10 ms while the policy's clocks are recalculated.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (db, stop) = (db.clone(), stop.clone());
        tokio::spawn(async move {
            let mut waits = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let mut tx = db.begin_write().await.unwrap();
                sqlx::query("UPDATE teams SET version = version WHERE id = ?").bind(team_id).execute(&mut *tx).await.unwrap();
                tx.commit().await.unwrap();
                waits.push(started.elapsed());
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            waits
        })
    };
    sqlx::query("UPDATE sla_policies SET first_response_minutes = 360, version = version + 1 WHERE id = ?").bind(policy_id).execute(&db.write).await.unwrap();
    let started = Instant::now();
    let rewritten = sla::recalculate(&db, Recalculation::Policy(policy_id)).await.unwrap();
    let took = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut waits = writer.await.unwrap();
    println!("policy edit: {rewritten} of {open} open KPI clocks recalculated in {:.2} s", took.as_secs_f64());
    println!("other writes during the recalculation ({} writes): {}", waits.len(), summary(&mut waits));

    // The synthetic tickets are weeks old: their overdue alerts would keep the job busy for
    // minutes. Count them as raised, so that the probe measures the job, not that backlog.
    sqlx::query("UPDATE sla_clocks SET alerts_raised = 2, next_alert_at = NULL WHERE ticket_id IN (SELECT id FROM tickets WHERE title LIKE 'Waiting ticket %')")
        .execute(&db.write)
        .await
        .unwrap();

    // Breach detection: the real job, tickets whose first response is due one minute after creation.
    sqlx::query("UPDATE sla_policies SET first_response_minutes = 1 WHERE name = 'Urgent and high'").execute(&db.write).await.unwrap();
    let mut events = state.events.subscribe();
    tokio::spawn(server::jobs::raise_sla_alerts(state.clone()));
    let admin = users::authenticate(&db, "admin@demo.test", app::store::seed::DEMO_PASSWORD).await.unwrap();
    let mut due = HashMap::new();
    for i in 0..BREACH_SAMPLES {
        let input = TicketInput { priority: Priority::Urgent, ..TicketInput::quick(team_id, format!("Breach probe {i}")) };
        let created_at = chrono::Utc::now();
        let card = tickets::create(&db, &admin, &input, created_at).await.unwrap();
        // As the create server function does: tell the boards, which also wakes the SLA job.
        state.publish(BoardEvent { team_id, reference: Some(card.reference.clone()), change: BoardChange::TicketCreated, actor_id: Some(admin.id) });
        due.insert(card.reference, created_at + chrono::Duration::minutes(1));
        tokio::time::sleep(Duration::from_millis(1_700)).await;
    }
    let mut delays = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    while delays.len() < BREACH_SAMPLES && Instant::now() < deadline {
        let Ok(Ok(event)) = tokio::time::timeout(Duration::from_secs(5), events.recv()).await else { continue };
        let seen = chrono::Utc::now();
        let Some(at) = event.reference.as_ref().and_then(|r| due.get(r)).copied() else { continue };
        if event.actor_id.is_none() && seen >= at {
            delays.push((seen - at).to_std().unwrap_or_default());
            due.remove(event.reference.as_ref().unwrap());
        }
    }
    match delays.len() {
        0 => println!("breach detection delay: no breach was seen within 90 s"),
        seen => println!("breach detection delay ({seen} of {BREACH_SAMPLES} breaches, job sleeping until the next moment): {}", summary(&mut delays)),
    }
}
