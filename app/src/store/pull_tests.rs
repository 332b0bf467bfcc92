use super::*;
use crate::model::TicketInput;
use crate::store::fixtures::temp_db;
use crate::store::tickets;
use chrono::Duration;
use std::collections::HashSet;

async fn team(db: &Db, agents: usize, waiting: usize, now: DateTime<Utc>) -> (i64, Vec<CurrentUser>) {
    crate::store::fixtures::waiting_team(db, agents, waiting, now).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pullers_never_share_a_ticket_and_lose_no_pull() {
    const PULLERS: usize = 50;
    const TICKETS: usize = 2_000;
    let (db, _dir) = temp_db().await;
    let now = Utc::now();
    let (_, agents) = team(&db, PULLERS, TICKETS, now).await;
    let mut pullers = Vec::new();
    for agent in agents {
        let db = db.clone();
        pullers.push(tokio::spawn(async move {
            let mut claimed = Vec::new();
            while let Some(pulled) = pull_next(&db, &agent, PullSource::MyTeams, now).await.unwrap() {
                claimed.push((pulled.card.reference, agent.id));
            }
            claimed
        }));
    }
    let mut claims = Vec::new();
    for puller in pullers {
        claims.extend(puller.await.unwrap());
    }
    assert_eq!(claims.len(), TICKETS, "every ticket pulled exactly once in all");
    let unique: HashSet<&String> = claims.iter().map(|(reference, _)| reference).collect();
    assert_eq!(unique.len(), TICKETS, "no ticket handed to two agents");
    for (reference, agent_id) in &claims {
        let owner: i64 = sqlx::query_scalar("SELECT assignee_id FROM tickets WHERE number = ?")
            .bind(crate::domain::reference::parse(reference))
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert_eq!(owner, *agent_id, "{reference}: the puller told is the assignee stored");
    }
    let pickups: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM timeline_entries WHERE kind = 'assigned'").fetch_one(&db.read).await.unwrap();
    assert_eq!(pickups, TICKETS as i64);
}

#[tokio::test]
async fn pull_gives_the_best_ticket_the_agent_qualifies_for() {
    let (db, _dir) = temp_db().await;
    let now = Utc::now();
    let (_, agents) = team(&db, 2, 8, now).await;
    let skill: i64 = sqlx::query_scalar("INSERT INTO qualifications (name, kind, scale_max) VALUES ('Networking', 'technical', 10) RETURNING id")
        .fetch_one(&db.write)
        .await
        .unwrap();
    // HD-1008 is the oldest urgent ticket, HD-1004 the other one; HD-1008 needs Networking 7.
    sqlx::query("INSERT INTO ticket_requirements (ticket_id, qualification_id, min_rating) SELECT id, ?, 7 FROM tickets WHERE number = 1008")
        .bind(skill)
        .execute(&db.write)
        .await
        .unwrap();
    sqlx::query("INSERT INTO user_qualifications (user_id, qualification_id, rating) VALUES (?, ?, 7), (?, ?, 6)")
        .bind(agents[0].id)
        .bind(skill)
        .bind(agents[1].id)
        .bind(skill)
        .execute(&db.write)
        .await
        .unwrap();

    let unqualified = pull_next(&db, &agents[1], PullSource::MyTeams, now).await.unwrap().unwrap();
    assert_eq!(unqualified.card.reference, "HD-1004", "rating 6 < 7: the next urgent ticket instead");
    let qualified = pull_next(&db, &agents[0], PullSource::MyTeams, now).await.unwrap().unwrap();
    assert_eq!(qualified.card.reference, "HD-1008", "oldest urgent, rating 7 meets the minimum");
    let next = pull_next(&db, &agents[0], PullSource::MyTeams, now).await.unwrap().unwrap();
    assert_eq!(next.card.priority, Priority::High, "then the next priority down");

    let detail = tickets::get(&db, &agents[0], "HD-1008", chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.status, TicketStatus::ActiveAssigned);
    assert!(detail.timeline[0].summary.starts_with("Picked up by Agent 0 (pull next: Urgent priority"));
}

#[tokio::test]
async fn new_tickets_spread_over_available_members_by_equal_open() {
    let (db, _dir) = temp_db().await;
    let now = Utc::now();
    let (team_id, agents) = team(&db, 3, 0, now).await;
    sqlx::query("UPDATE teams SET assignment_method = 'equal_open' WHERE id = ?").bind(team_id).execute(&db.write).await.unwrap();
    sqlx::query("INSERT INTO time_off (user_id, from_at, until_at) VALUES (?, ?, ?)")
        .bind(agents[2].id)
        .bind(now - Duration::hours(1))
        .bind(now + Duration::days(1))
        .execute(&db.write)
        .await
        .unwrap();
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for i in 0..6 {
        let card = tickets::create(&db, &agents[0], &TicketInput::quick(team_id, format!("Spread {i}")), now).await.unwrap();
        *counts.entry(card.assignee.expect("assigned automatically").id).or_default() += 1;
    }
    assert_eq!(counts.get(&agents[0].id), Some(&3));
    assert_eq!(counts.get(&agents[1].id), Some(&3));
    assert_eq!(counts.get(&agents[2].id), None, "on time off");
    let detail = tickets::get(&db, &agents[0], "HD-1001", chrono::Utc::now()).await.unwrap();
    assert!(detail.timeline.iter().any(|e| e.summary.contains("automatically (equal open: fewest open tickets)")));

    // With everyone away the ticket waits unassigned.
    sqlx::query("INSERT INTO time_off (user_id, from_at, until_at) SELECT id, ?, ? FROM users")
        .bind(now - Duration::hours(1))
        .bind(now + Duration::days(1))
        .execute(&db.write)
        .await
        .unwrap();
    let waiting = tickets::create(&db, &agents[0], &TicketInput::quick(team_id, "Nobody here"), now).await.unwrap();
    assert_eq!(waiting.assignee, None);
    assert!(assign_waiting(&db, now).await.unwrap().is_empty(), "still nobody available");

    // Once the time off is over, the waiting ticket is assigned by the background round.
    let later = now + Duration::days(2);
    let assigned = assign_waiting(&db, later).await.unwrap();
    assert_eq!(assigned.len(), 1);
    assert_eq!(assigned[0].card.reference, waiting.reference);
    let detail = tickets::get(&db, &agents[0], &waiting.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.status, TicketStatus::ActiveAssigned);
    assert_eq!(detail.timeline[0].actor, None, "done by the system");
}

#[tokio::test]
async fn the_default_queue_user_holds_new_tickets_until_someone_takes_them() {
    let (db, _dir) = temp_db().await;
    let now = Utc::now();
    let (team_id, agents) = team(&db, 3, 0, now).await;
    let holder = &agents[2];
    sqlx::query("UPDATE teams SET queue_user_id = ? WHERE id = ?").bind(holder.id).bind(team_id).execute(&db.write).await.unwrap();
    let card = tickets::create(&db, &agents[0], &TicketInput::quick(team_id, "Held"), now).await.unwrap();
    assert_eq!(card.assignee.as_ref().map(|a| a.id), Some(holder.id));
    let detail = tickets::get(&db, &agents[0], &card.reference, chrono::Utc::now()).await.unwrap();
    assert_eq!(detail.status, TicketStatus::ActiveNew, "held, not worked");
    assert!(detail.timeline.iter().any(|e| e.summary == "Held by the team's queue user Agent 2 until someone takes it"));

    // Editing other fields keeps it waiting; pull-next hands it to the agent who pulls.
    let edited = tickets::update(&db, &agents[0], &card.reference, detail.version, &TicketInput { assignee_id: Some(holder.id), ..TicketInput::quick(team_id, "Held, edited") }, false, now)
        .await
        .unwrap();
    assert_eq!(edited.detail.status, TicketStatus::ActiveNew);
    let pulled = pull_next(&db, &agents[1], PullSource::MyTeams, now).await.unwrap().unwrap();
    assert_eq!(pulled.card.reference, card.reference);
    assert_eq!(pulled.card.assignee.map(|a| a.id), Some(agents[1].id));
    assert_eq!(tickets::get(&db, &agents[1], &card.reference, chrono::Utc::now()).await.unwrap().status, TicketStatus::ActiveAssigned);
    assert!(pull_next(&db, &agents[0], PullSource::MyTeams, now).await.unwrap().is_none(), "taken once");
}
