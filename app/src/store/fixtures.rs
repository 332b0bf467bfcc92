//! Bulk data for tests and benchmarks (feature `fixtures`): realistic volumes, fast to create.

use chrono::{DateTime, Duration, Utc};
use sqlx::SqliteConnection;

use super::{seed, teams, tickets, users, Db};
use crate::model::{Board, BoardView, CurrentUser, Role, StageCategory};

/// A migrated database in a fresh temporary file; keep the guard alive while using it.
pub async fn temp_db() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    (Db::connect(&url).await.expect("connect"), dir)
}

/// Inserts `count` open, unassigned tickets spread over `stage_ids` and the four priorities,
/// one minute apart in age, numbered after the highest existing number.
pub async fn bulk_tickets(conn: &mut SqliteConnection, team_id: i64, stage_ids: &[i64], count: usize, now: DateTime<Utc>) {
    let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(number), 1000) + 1 FROM tickets").fetch_one(&mut *conn).await.unwrap();
    for i in 0..count {
        sqlx::query(
            "INSERT INTO tickets (number, team_id, stage_id, position, title, priority, status, origin, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, 'active_new', 'email', ?, ?)",
        )
        .bind(first + i as i64)
        .bind(team_id)
        .bind(stage_ids[i % stage_ids.len()])
        .bind((i + 1) as f64 * crate::domain::ordering::STEP)
        .bind(format!("Waiting ticket {i}"))
        .bind(["low", "normal", "high", "urgent"][i % 4])
        .bind(now - Duration::minutes(i as i64))
        .bind(now)
        .execute(&mut *conn)
        .await
        .unwrap();
    }
}

/// A company-visible team "Desk" with `agents` member agents and `waiting` unassigned tickets.
pub async fn waiting_team(db: &Db, agents: usize, waiting: usize, now: DateTime<Utc>) -> (i64, Vec<CurrentUser>) {
    let mut tx = db.write.begin().await.unwrap();
    let team_id = sqlx::query("INSERT INTO teams (name, visibility) VALUES ('Desk', 'company')").execute(&mut *tx).await.unwrap().last_insert_rowid();
    let stage = teams::insert_stage(&mut tx, team_id, "New", StageCategory::New).await.unwrap();
    let mut people = Vec::new();
    for i in 0..agents {
        let (name, email) = (format!("Agent {i}"), format!("agent{i}@example.com"));
        let id = users::insert_user(&mut tx, &name, &email, Role::Agent, "unused", now).await.unwrap();
        sqlx::query("INSERT INTO team_members (team_id, user_id) VALUES (?, ?)").bind(team_id).bind(id).execute(&mut *tx).await.unwrap();
        people.push(CurrentUser { id, name, email, role: Role::Agent });
    }
    bulk_tickets(&mut tx, team_id, &[stage.id], waiting, now).await;
    tx.commit().await.unwrap();
    (team_id, people)
}

/// The demo data in a fresh temporary database, with lookups by the demo's names.
pub struct Demo {
    pub db: Db,
    _dir: tempfile::TempDir,
    pub now: DateTime<Utc>,
}

impl Demo {
    pub async fn new() -> Demo {
        let (db, dir) = temp_db().await;
        let now = Utc::now();
        seed::demo(&db, now).await.unwrap();
        Demo { db, _dir: dir, now }
    }

    pub async fn user(&self, email: &str) -> CurrentUser {
        users::authenticate(&self.db, email, seed::DEMO_PASSWORD).await.unwrap()
    }

    pub async fn team(&self, name: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM teams WHERE name = ?").bind(name).fetch_one(&self.db.read).await.unwrap()
    }

    pub async fn board(&self, email: &str, team: &str) -> Board {
        tickets::board(&self.db, &self.user(email).await, self.team(team).await, &[], BoardView::default(), self.now).await.unwrap()
    }

    /// Closes the database and opens it again, as a server restart does.
    pub async fn restart(&mut self) {
        self.db.write.close().await;
        self.db.read.close().await;
        let url = format!("sqlite://{}", self._dir.path().join("test.db").display());
        self.db = Db::connect(&url).await.expect("reconnect");
    }

    pub async fn ticket_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM tickets").fetch_one(&self.db.read).await.unwrap()
    }
}
