//! Bulk data for tests and benchmarks (feature `fixtures`): realistic volumes, fast to create.

use chrono::{DateTime, Duration, Utc};

use super::{teams, tickets, users, Conn, Db};
use crate::model::{CurrentUser, Origin, Priority, ResolutionInput, Role, Stage, StageCategory, TicketCard, TicketInput, TicketStatus, Visibility};

/// A migrated database in a fresh temporary file; keep the guard alive while using it.
pub async fn temp_db() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    (Db::connect(&url).await.expect("connect"), dir)
}

/// Inserts `count` open, unassigned tickets spread over `stage_ids` and the four priorities,
/// one minute apart in age, numbered after the highest existing number.
pub async fn bulk_tickets(conn: &mut Conn, team_id: i64, stage_ids: &[i64], count: usize, now: DateTime<Utc>) {
    let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(number), 1000) + 1 FROM tickets").fetch_one(&mut *conn).await.unwrap();
    for i in 0..count {
        sqlx::query(
            "INSERT INTO tickets (number, team_id, stage_id, position, title, priority, status, origin, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(first + i as i64)
        .bind(team_id)
        .bind(stage_ids[i % stage_ids.len()])
        .bind((i + 1) as f64 * crate::domain::ordering::STEP)
        .bind(format!("Waiting ticket {i}"))
        .bind(Priority::ALL[i % Priority::ALL.len()].as_str())
        .bind(TicketStatus::ActiveNew.as_str())
        .bind(Origin::Email.as_str())
        .bind(now - Duration::minutes(i as i64))
        .bind(now)
        .execute(&mut *conn)
        .await
        .unwrap();
    }
}

/// A company-visible team "Desk" with `agents` member agents and `waiting` unassigned tickets.
pub async fn waiting_team(db: &Db, agents: usize, waiting: usize, now: DateTime<Utc>) -> (i64, Vec<CurrentUser>) {
    let mut tx = db.begin_write().await.unwrap();
    let team_id = sqlx::query_scalar::<_, i64>("INSERT INTO teams (name, visibility) VALUES ('Desk', ?) RETURNING id")
        .bind(Visibility::Company.as_str())
        .fetch_one(&mut *tx).await.unwrap();
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

/// A small organisation of its own, independent of the demo data: store tests build on this.
/// One company team *Support* with the five usual stages, an admin, a lead and two agents who
/// are members, and nothing else (no rules, no policies) unless a test adds them.
pub struct Org {
    pub db: Db,
    _dir: tempfile::TempDir,
    pub now: DateTime<Utc>,
    pub admin: CurrentUser,
    pub lead: CurrentUser,
    pub agent: CurrentUser,
    pub other_agent: CurrentUser,
    pub team_id: i64,
    pub stages: Stages,
}

/// A team's stages by category.
pub struct Stages {
    pub new: Stage,
    pub in_progress: Stage,
    pub waiting: Stage,
    pub solved: Stage,
    pub cancelled: Stage,
}

impl Org {
    pub async fn new() -> Org {
        let (db, dir) = temp_db().await;
        let now = Utc::now();
        let mut tx = db.begin_write().await.unwrap();
        let admin = person(&mut tx, "Ada Admin", Role::Admin, now).await;
        let lead = person(&mut tx, "Lee Lead", Role::Lead, now).await;
        let agent = person(&mut tx, "Alex Agent", Role::Agent, now).await;
        let other_agent = person(&mut tx, "Bo Agent", Role::Agent, now).await;
        let (team_id, stages) = team(&mut tx, "Support", "company", &[lead.id, agent.id, other_agent.id]).await;
        tx.commit().await.unwrap();
        Org { db, _dir: dir, now, admin, lead, agent, other_agent, team_id, stages }
    }

    /// Another team with the usual stages and these members.
    pub async fn team(&self, name: &str, visibility: &str, members: &[i64]) -> (i64, Stages) {
        let mut tx = self.db.begin_write().await.unwrap();
        let made = team(&mut tx, name, visibility, members).await;
        tx.commit().await.unwrap();
        made
    }

    /// A ticket created by the agent in Support through the ticket workflow.
    pub async fn ticket(&self, title: &str) -> TicketCard {
        tickets::create(&self.db, &self.agent, &TicketInput::quick(self.team_id, title), self.now).await.unwrap()
    }

    pub async fn ticket_id(&self, reference: &str) -> i64 {
        let number = crate::domain::reference::parse(reference).unwrap();
        sqlx::query_scalar("SELECT id FROM tickets WHERE number = ?").bind(number).fetch_one(&self.db.read).await.unwrap()
    }

    /// A private team with the usual stages: its one member is a new agent, the insider, and the
    /// lead follows it; `agent` and `other_agent` do not see it.
    pub async fn private_team(&self, name: &str) -> PrivateTeam {
        let mut tx = self.db.begin_write().await.unwrap();
        let insider = person(&mut tx, &format!("{name} Insider"), Role::Agent, self.now).await;
        let (id, stages) = team(&mut tx, name, "private", &[insider.id]).await;
        sqlx::query("INSERT INTO team_followers (team_id, user_id) VALUES (?, ?)").bind(id).bind(self.lead.id).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        PrivateTeam { id, stages, insider }
    }

    /// A portal user (role customer), following no ticket yet.
    pub async fn customer(&self) -> CurrentUser {
        let mut conn = self.db.write.acquire().await.unwrap();
        person(&mut conn, "Cleo Customer", Role::Customer, self.now).await
    }

    /// Makes the user a follower of the ticket (for a customer: one they see in the portal).
    pub async fn follow(&self, reference: &str, user_id: i64) {
        let ticket_id = self.ticket_id(reference).await;
        sqlx::query("INSERT INTO ticket_followers (ticket_id, user_id) VALUES (?, ?)").bind(ticket_id).bind(user_id).execute(&self.db.write).await.unwrap();
    }

    /// A customer account (company) without contacts.
    pub async fn account(&self, name: &str) -> i64 {
        sqlx::query_scalar("INSERT INTO accounts (name) VALUES (?) RETURNING id").bind(name).fetch_one(&self.db.write).await.unwrap()
    }

    /// Support's SLA policies, both round the clock and tried in this order: "Urgent and high"
    /// for urgent and high tickets (first response 2 h, resolution 24 h, next response 4 h,
    /// warning at 75 %), then "Standard" for all others (8 h, 40 h, warning at 80 %).
    pub async fn support_sla(&self) -> SupportSla {
        let policies = [("Urgent and high", r#"["urgent","high"]"#, 2 * 60, 24 * 60, Some(4 * 60), 75), ("Standard", "[]", 8 * 60, 40 * 60, None, 80)];
        let mut ids = Vec::new();
        for (position, (name, priorities, first_response, resolution, next_response, warning_percent)) in policies.into_iter().enumerate() {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO sla_policies (team_id, name, position, calendar_id, priorities, first_response_minutes, resolution_minutes, next_response_minutes, warning_percent)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(self.team_id)
            .bind(name)
            .bind(position as i64)
            .bind(super::sla::ALWAYS_OPEN_CALENDAR)
            .bind(priorities)
            .bind(first_response)
            .bind(resolution)
            .bind(next_response)
            .bind(warning_percent)
            .fetch_one(&self.db.write)
            .await
            .unwrap();
            ids.push(id);
        }
        SupportSla { urgent_and_high: ids[0], standard: ids[1] }
    }

    /// A resolution with the shipped code "Solved › Fixed", for moves into a solved stage.
    pub async fn fixed(&self, note: &str) -> ResolutionInput {
        let code_id = sqlx::query_scalar("SELECT c.id FROM resolution_codes c JOIN resolution_codes g ON g.id = c.parent_id WHERE g.name = 'Solved' AND c.name = 'Fixed'")
            .fetch_one(&self.db.read)
            .await
            .unwrap();
        ResolutionInput { code_id, note: note.into(), close_with_open_children: false }
    }

    /// The temporary folder holding the database (and whatever a test stores beside it).
    pub fn db_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// Closes the database and opens it again, as a server restart does.
    pub async fn restart(&mut self) {
        self.db.write.close().await;
        self.db.read.close().await;
        let url = format!("sqlite://{}", self._dir.path().join("test.db").display());
        self.db = Db::connect(&url).await.expect("reconnect");
    }
}

/// A team only its insider and the lead see.
pub struct PrivateTeam {
    pub id: i64,
    pub stages: Stages,
    pub insider: CurrentUser,
}

/// The ids of Support's SLA policies (see [`Org::support_sla`]).
pub struct SupportSla {
    pub urgent_and_high: i64,
    pub standard: i64,
}

async fn person(conn: &mut Conn, name: &str, role: Role, now: DateTime<Utc>) -> CurrentUser {
    let email = format!("{}@org.test", name.to_lowercase().replace(' ', "."));
    let id = users::insert_user(conn, name, &email, role, "unused", now).await.unwrap();
    CurrentUser { id, name: name.into(), email, role }
}

async fn team(conn: &mut Conn, name: &str, visibility: &str, members: &[i64]) -> (i64, Stages) {
    let team_id: i64 = sqlx::query_scalar("INSERT INTO teams (name, visibility) VALUES (?, ?) RETURNING id").bind(name).bind(visibility).fetch_one(&mut *conn).await.unwrap();
    for member in members {
        sqlx::query("INSERT INTO team_members (team_id, user_id) VALUES (?, ?)").bind(team_id).bind(member).execute(&mut *conn).await.unwrap();
    }
    let stages = Stages {
        new: teams::insert_stage(&mut *conn, team_id, "New", StageCategory::New).await.unwrap(),
        in_progress: teams::insert_stage(&mut *conn, team_id, "In progress", StageCategory::InProgress).await.unwrap(),
        waiting: teams::insert_stage(&mut *conn, team_id, "Waiting on customer", StageCategory::Waiting).await.unwrap(),
        solved: teams::insert_stage(&mut *conn, team_id, "Solved", StageCategory::Solved).await.unwrap(),
        cancelled: teams::insert_stage(&mut *conn, team_id, "Cancelled", StageCategory::Cancelled).await.unwrap(),
    };
    (team_id, stages)
}

