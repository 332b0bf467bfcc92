//! Users, password hashes (argon2id) and login sessions; invitations, the admins' user list and
//! form, and everyone's own profile.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::dialect::{contains_pattern, LIKE};
use super::{audit, decode, expect_one_row, id_list, notifications, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::{reference, validate};
use crate::error::AppError;
use crate::model::{CurrentUser, Invitation, Named, Profile, ProfileInput, Role, UserDetail, UserInput, UserState, UserSummary};

/// Absolute lifetime of a session.
pub const SESSION_DAYS: i64 = 14;
/// A session unused this long ends, whatever its absolute expiry.
pub const SESSION_IDLE_HOURS: i64 = 8;
/// `last_seen_at` is written at most this often per session (not on every request).
pub const SESSION_TOUCH_SECS: i64 = 60;

/// An invitation link works this long, and once.
pub const INVITATION_DAYS: i64 = 7;
/// The password hash of an invited user who has not chosen a password yet: no hash at all, so
/// no password matches it and sign-in treats the email as unknown.
const NOT_YET_CHOSEN: &str = "!invited";
/// Invitation tokens are 64 hex digits; a longer one is refused before any work.
pub const TOKEN_MAX: usize = 128;
/// The most users the admins' list shows at once (search narrows it).
pub const LIST_MAX: i64 = 200;
/// A bound on the teams one request may name for a user.
pub const TEAMS_MAX: usize = 200;

/// Argon2 is deliberately slow (tens of milliseconds, ~19 MiB each): at most this many run at
/// once, on blocking threads, so a login flood queues here instead of starving the runtime.
const PASSWORD_WORKERS: usize = 2;
static PASSWORD_WORK: Semaphore = Semaphore::const_new(PASSWORD_WORKERS);
/// How long a sign-in waits for a free worker before it is told to come back later.
const PASSWORD_QUEUE_SECS: u64 = 10;
static PASSWORD_RUNS: AtomicU64 = AtomicU64::new(0);

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    name: String,
    email: String,
    role: String,
}

impl UserRow {
    fn into_user(self) -> Result<CurrentUser, AppError> {
        Ok(CurrentUser { id: self.id, name: self.name, email: self.email, role: decode(Role::parse, &self.role)? })
    }
}

/// Hashes on the calling thread; for seeding and tests. Requests use [`hash_password_off_runtime`].
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(format!("Password hashing failed: {e}")))
}

fn password_matches(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A hash of nothing anyone knows, with the same parameters as real ones: unknown emails are
/// checked against it so that they cost the same time as known ones.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&hex::encode(rand::thread_rng().gen::<[u8; 16]>())).unwrap_or_default())
}

/// How many argon2 hash or verify runs this process has done (tests observe that a path hashed).
pub fn password_runs() -> u64 {
    PASSWORD_RUNS.load(Ordering::Relaxed)
}

/// Runs argon2 work on a blocking thread once one of the few password workers is free.
async fn password_work<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let queue = std::time::Duration::from_secs(PASSWORD_QUEUE_SECS);
    let permit = match tokio::time::timeout(queue, PASSWORD_WORK.acquire()).await {
        Ok(Ok(permit)) => permit,
        Ok(Err(_closed)) => return Err(AppError::Internal("Password checking is shut down.".into())),
        Err(_elapsed) => return Err(AppError::TooManyRequests { retry_after_secs: PASSWORD_QUEUE_SECS }),
    };
    // The permit moves into the blocking task: a caller that gives up does not free the worker early.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        PASSWORD_RUNS.fetch_add(1, Ordering::Relaxed);
        work()
    })
    .await
    .map_err(|e| AppError::Internal(format!("Password worker failed: {e}")))
}

/// [`hash_password`] for request handlers: off the async runtime, a few at a time.
pub async fn hash_password_off_runtime(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    password_work(move || hash_password(&password)).await?
}

fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub async fn insert_user(
    conn: &mut Conn,
    name: &str,
    email: &str,
    role: Role,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let id = sqlx::query_scalar("INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id")
        .bind(email)
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now)
        .fetch_one(conn)
        .await?;
    Ok(id)
}

pub async fn user_count(db: &Db) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&db.read).await?)
}

/// The first account of a fresh install (no demo data): only allowed while there is no user.
/// Checked before the (expensive) hashing, so that the endpoint costs nothing once set up,
/// and again inside the write transaction against a concurrent second call.
pub async fn create_first_admin(db: &Db, name: &str, email: &str, password: &str, now: DateTime<Utc>) -> Result<CurrentUser, AppError> {
    let already = || AppError::Forbidden("This installation already has an administrator.".into());
    if user_count(db).await? > 0 {
        return Err(already());
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid("Name is required.".into()));
    }
    let email = validate::email(email)?;
    validate::password(password)?;
    let hash = hash_password_off_runtime(password).await?;
    let mut tx = db.begin_write().await?;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut *tx).await?;
    if existing > 0 {
        return Err(already());
    }
    let id = insert_user(&mut tx, name, &email, Role::Admin, &hash, now).await?;
    tx.commit().await?;
    Ok(CurrentUser { id, name: name.to_string(), email, role: Role::Admin })
}

/// Checks the password; the same message, and the same argon2 work, for an unknown email as
/// for a wrong password, so neither the answer nor its timing tells which emails exist.
pub async fn authenticate(db: &Db, email: &str, password: &str) -> Result<CurrentUser, AppError> {
    // A deactivated user is answered exactly like an unknown email.
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE email = ? AND deactivated_at IS NULL AND password_hash <> ?")
        .bind(email.trim())
        .bind(NOT_YET_CHOSEN)
        .fetch_optional(&db.read)
        .await?;
    let (id, stored_hash) = row.unzip();
    let password = password.to_string();
    let matches = password_work(move || password_matches(&password, stored_hash.as_deref().unwrap_or_else(|| dummy_hash()))).await?;
    match id {
        Some(id) if matches => user_by_id(db, id).await,
        _ => Err(AppError::Invalid("Email or password is wrong.".into())),
    }
}

pub async fn user_by_id(db: &Db, id: i64) -> Result<CurrentUser, AppError> {
    sqlx::query_as::<_, UserRow>("SELECT id, name, email, role FROM users WHERE id = ?")
        .bind(id)
        .fetch_optional(&db.read)
        .await?
        .ok_or_else(|| AppError::NotFound("No such user.".into()))?
        .into_user()
}

/// Starts a session and returns its secret token; only the token's digest is stored.
pub async fn create_session(db: &Db, user_id: i64, now: DateTime<Utc>) -> Result<String, AppError> {
    let token = hex::encode(rand::thread_rng().gen::<[u8; 32]>());
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?")
        .bind(now)
        .bind(now - Duration::hours(SESSION_IDLE_HOURS))
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO sessions (token_hash, user_id, expires_at, last_seen_at) VALUES (?, ?, ?, ?)")
        .bind(token_digest(&token))
        .bind(user_id)
        .bind(now + Duration::days(SESSION_DAYS))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(token)
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    /// Last use is more than a touch interval ago: record this use.
    stale: bool,
}

/// The user of a live session: not past its absolute expiry, used within the idle timeout.
/// Marks the session as used (at most once per [`SESSION_TOUCH_SECS`]).
pub async fn user_for_session(db: &Db, token: &str, now: DateTime<Utc>) -> Result<Option<CurrentUser>, AppError> {
    let digest = token_digest(token);
    let touch_before = now - Duration::seconds(SESSION_TOUCH_SECS);
    let Some(row) = sqlx::query_as::<_, SessionRow>(
        "SELECT u.id, u.name, u.email, u.role, s.last_seen_at < ? AS stale
         FROM sessions s JOIN users u ON u.id = s.user_id AND u.deactivated_at IS NULL
         WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen_at > ?",
    )
    .bind(touch_before)
    .bind(&digest)
    .bind(now)
    .bind(now - Duration::hours(SESSION_IDLE_HOURS))
    .fetch_optional(&db.read)
    .await?
    else {
        return Ok(None);
    };
    if row.stale {
        // Bookkeeping only: a busy writer must not fail a request whose session is valid.
        let touched = sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?")
            .bind(now)
            .bind(&digest)
            .bind(touch_before)
            .execute(&db.write)
            .await;
        if let Err(error) = touched {
            tracing::warn!(%error, "could not record a session's last use");
        }
    }
    row.user.into_user().map(Some)
}

/// What deactivating a user leaves to do: their open tickets, to be given to someone else.
#[derive(Debug)]
pub struct Deactivated {
    pub open_tickets: Vec<String>,
}

/// Deactivates a user (admins only): every session of theirs ends, they cannot sign in again
/// (nor accept an open invitation), are never assigned (nor hold a team's tickets as its queue
/// user), and history keeps their name. Refuses one's own account and the last active admin; a
/// stale `version` is a conflict.
pub async fn deactivate(db: &Db, admin: &CurrentUser, user_id: i64, version: i64, now: DateTime<Utc>) -> Result<Deactivated, AppError> {
    access::require(admin, Action::ConfigureInstallation)?;
    if user_id == admin.id {
        return Err(AppError::Invalid("You cannot deactivate your own account.".into()));
    }
    let mut tx = db.begin_write().await?;
    let user = summary_of(&mut tx, user_id).await?;
    if user.state == UserState::Deactivated {
        return Err(AppError::Invalid("This user is deactivated already.".into()));
    }
    if user.role == Role::Admin && other_active_admins(&mut tx, user_id).await? == 0 {
        return Err(AppError::Invalid("The last active admin cannot be deactivated.".into()));
    }
    set_deactivated_at(&mut tx, user_id, version, Some(now)).await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = ?").bind(user_id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM invitations WHERE user_id = ?").bind(user_id).execute(&mut *tx).await?;
    let open_tickets = open_tickets_of(&mut tx, user_id).await?;
    audit::record(&mut tx, admin.id, "user", Some(user_id), now, &format!("Deactivated {}", user.name)).await?;
    tx.commit().await?;
    Ok(Deactivated { open_tickets })
}

/// Lets a deactivated user sign in and be assigned again (admins only).
pub async fn reactivate(db: &Db, admin: &CurrentUser, user_id: i64, version: i64, now: DateTime<Utc>) -> Result<UserDetail, AppError> {
    access::require(admin, Action::ConfigureInstallation)?;
    let mut tx = db.begin_write().await?;
    let user = summary_of(&mut tx, user_id).await?;
    if user.state != UserState::Deactivated {
        return Err(AppError::Invalid(format!("{} is not deactivated.", user.name)));
    }
    set_deactivated_at(&mut tx, user_id, version, None).await?;
    audit::record(&mut tx, admin.id, "user", Some(user_id), now, &format!("Reactivated {}", user.name)).await?;
    let detail = detail_of(&mut tx, user_id).await?;
    tx.commit().await?;
    Ok(detail)
}

/// Deactivates (`Some(when)`) or reactivates (`None`) the user, if `version` is still current.
async fn set_deactivated_at(conn: &mut Conn, user_id: i64, version: i64, when: Option<DateTime<Utc>>) -> Result<(), AppError> {
    let affected = sqlx::query("UPDATE users SET deactivated_at = ?, version = version + 1 WHERE id = ? AND version = ?")
        .bind(when)
        .bind(user_id)
        .bind(version)
        .execute(conn)
        .await?
        .rows_affected();
    expect_one_row(affected, "The user")
}

/// Admins other than `user_id` who can sign in: neither deactivated nor still invited.
async fn other_active_admins(conn: &mut Conn, user_id: i64) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = ? AND deactivated_at IS NULL AND password_hash <> ? AND id <> ?")
        .bind(Role::Admin.as_str())
        .bind(NOT_YET_CHOSEN)
        .bind(user_id)
        .fetch_one(conn)
        .await?)
}

/// References of the open tickets assigned to the user.
async fn open_tickets_of(conn: &mut Conn, user_id: i64) -> Result<Vec<String>, AppError> {
    let numbers: Vec<i64> = sqlx::query_scalar(&format!("SELECT number FROM tickets WHERE assignee_id = ? AND status IN ({}) ORDER BY number", super::open_statuses()))
        .bind(user_id)
        .fetch_all(conn)
        .await?;
    Ok(numbers.into_iter().map(reference::format).collect())
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    name: String,
    email: String,
    role: String,
    deactivated: bool,
    invited: bool,
}

fn summary_columns() -> String {
    format!("id, name, email, role, deactivated_at IS NOT NULL AS deactivated, password_hash = '{NOT_YET_CHOSEN}' AS invited")
}

/// The rows with the teams each user is a member of.
async fn with_teams(conn: &mut Conn, rows: Vec<SummaryRow>) -> Result<Vec<UserSummary>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let memberships: Vec<(i64, i64, String)> = sqlx::query_as(&format!(
        "SELECT m.user_id, t.id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id IN ({}) ORDER BY t.name",
        id_list(&ids)
    ))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            let state = match (row.deactivated, row.invited) {
                (true, _) => UserState::Deactivated,
                (false, true) => UserState::Invited,
                (false, false) => UserState::Active,
            };
            let teams = memberships.iter().filter(|(user_id, ..)| *user_id == row.id).map(|(_, id, name)| Named { id: *id, name: name.clone() }).collect();
            Ok(UserSummary { id: row.id, name: row.name, email: row.email, role: decode(Role::parse, &row.role)?, state, teams })
        })
        .collect()
}

async fn summary_of(conn: &mut Conn, user_id: i64) -> Result<UserSummary, AppError> {
    let row: Option<SummaryRow> =
        sqlx::query_as(&format!("SELECT {} FROM users WHERE id = ?", summary_columns())).bind(user_id).fetch_optional(&mut *conn).await?;
    let row = row.ok_or_else(|| access::missing("User", user_id))?;
    with_teams(conn, vec![row]).await?.pop().ok_or_else(|| access::missing("User", user_id))
}

async fn detail_of(conn: &mut Conn, user_id: i64) -> Result<UserDetail, AppError> {
    let user = summary_of(conn, user_id).await?;
    let version: i64 = sqlx::query_scalar("SELECT version FROM users WHERE id = ?").bind(user_id).fetch_one(&mut *conn).await?;
    // Archived teams take no new members, but stay listed for those who still are members.
    let all_teams = sqlx::query_as::<_, (i64, String)>(
        "SELECT id, name FROM teams WHERE archived_at IS NULL OR id IN (SELECT team_id FROM team_members WHERE user_id = ?) ORDER BY name",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(id, name)| Named { id, name })
    .collect();
    let open_tickets = open_tickets_of(conn, user_id).await?;
    Ok(UserDetail { user, version, all_teams, open_tickets })
}

/// Users whose name or email contains `search`, of one role or all, active first (admins).
pub async fn list(db: &Db, admin: &CurrentUser, search: &str, role: Option<Role>) -> Result<Vec<UserSummary>, AppError> {
    access::require(admin, Action::ConfigureInstallation)?;
    if search.chars().count() > validate::SEARCH_MAX {
        return Err(AppError::Invalid(format!("Search for at most {} characters.", validate::SEARCH_MAX)));
    }
    let mut conn = db.read.acquire().await?;
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "SELECT {} FROM users
          WHERE (name {LIKE} ?1 ESCAPE '\\' OR email {LIKE} ?1 ESCAPE '\\') AND (?2 IS NULL OR role = ?2)
          ORDER BY deactivated_at IS NOT NULL, name, id LIMIT ?3",
        summary_columns()
    ))
    .bind(contains_pattern(search.trim()))
    .bind(role.map(Role::as_str))
    .bind(LIST_MAX)
    .fetch_all(&mut *conn)
    .await?;
    with_teams(&mut conn, rows).await
}

/// The user form (admins).
pub async fn user_detail(db: &Db, admin: &CurrentUser, user_id: i64) -> Result<UserDetail, AppError> {
    access::require(admin, Action::ConfigureInstallation)?;
    detail_of(&mut *db.read.acquire().await?, user_id).await
}

/// Saves name, role and team memberships (admins). Nobody changes their own role, the last
/// active admin stays one, portal users keep theirs (their access belongs to the contact).
pub async fn save_user(db: &Db, admin: &CurrentUser, user_id: i64, version: i64, input: &UserInput, now: DateTime<Utc>) -> Result<UserDetail, AppError> {
    access::require(admin, Action::ConfigureInstallation)?;
    if input.team_ids.len() > TEAMS_MAX {
        return Err(AppError::Invalid(format!("A user can be a member of at most {TEAMS_MAX} teams.")));
    }
    let name = validate::person_name(&input.name)?;
    let mut tx = db.begin_write().await?;
    let before = detail_of(&mut tx, user_id).await?;
    let current = &before.user;
    let mut changes = Vec::new();
    if name != current.name {
        changes.push(format!("name {} → {}", current.name, name));
    }
    if input.role != current.role {
        if user_id == admin.id {
            return Err(AppError::Invalid("You cannot change your own role; ask another admin.".into()));
        }
        if input.role == Role::Customer || current.role == Role::Customer {
            return Err(AppError::Invalid("Customers keep their role: portal access is given on their contact.".into()));
        }
        if current.role == Role::Admin && current.state != UserState::Deactivated && other_active_admins(&mut tx, user_id).await? == 0 {
            return Err(AppError::Invalid("The last active admin must stay an admin.".into()));
        }
        changes.push(format!("role {} → {}", current.role.label(), input.role.label()));
    }
    let mut wanted = input.team_ids.clone();
    wanted.sort_unstable();
    wanted.dedup();
    if input.role == Role::Customer && !wanted.is_empty() {
        return Err(AppError::Invalid("Customers cannot be team members.".into()));
    }
    let team_name = |id: i64| before.all_teams.iter().find(|t| t.id == id).map(|t| t.name.clone());
    let member_of: Vec<i64> = current.teams.iter().map(|t| t.id).collect();
    let added: Vec<i64> = wanted.iter().copied().filter(|id| !member_of.contains(id)).collect();
    let removed: Vec<i64> = member_of.iter().copied().filter(|id| !wanted.contains(id)).collect();
    for id in &added {
        let name = team_name(*id).ok_or_else(|| AppError::Invalid(format!("Team {id} does not exist or is archived.")))?;
        changes.push(format!("joined {name}"));
    }
    for id in &removed {
        changes.push(format!("left {}", team_name(*id).unwrap_or_else(|| format!("team {id}"))));
    }
    let affected = sqlx::query("UPDATE users SET name = ?, role = ?, version = version + 1 WHERE id = ? AND version = ?")
        .bind(&name)
        .bind(input.role.as_str())
        .bind(user_id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    expect_one_row(affected, "The user")?;
    for team_id in &added {
        sqlx::query("INSERT INTO team_members (team_id, user_id) VALUES (?, ?)").bind(team_id).bind(user_id).execute(&mut *tx).await?;
    }
    for team_id in &removed {
        sqlx::query("DELETE FROM team_members WHERE team_id = ? AND user_id = ?").bind(team_id).bind(user_id).execute(&mut *tx).await?;
    }
    // Membership is part of a team's settings: an open settings form of the team is now stale.
    for team_id in added.iter().chain(&removed) {
        sqlx::query("UPDATE teams SET version = version + 1 WHERE id = ?").bind(team_id).execute(&mut *tx).await?;
    }
    if !changes.is_empty() {
        audit::record(&mut tx, admin.id, "user", Some(user_id), now, &format!("{}: {}", current.name, changes.join("; "))).await?;
    }
    let saved = detail_of(&mut tx, user_id).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Writes a fresh invitation for the user (older links of theirs stop working); its token.
async fn new_invitation(conn: &mut Conn, user_id: i64, invited_by: i64, now: DateTime<Utc>) -> Result<String, AppError> {
    let token = hex::encode(rand::thread_rng().gen::<[u8; 32]>());
    sqlx::query("DELETE FROM invitations WHERE user_id = ? OR expires_at < ?").bind(user_id).bind(now).execute(&mut *conn).await?;
    sqlx::query("INSERT INTO invitations (token_hash, user_id, invited_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
        .bind(token_digest(&token))
        .bind(user_id)
        .bind(invited_by)
        .bind(now)
        .bind(now + Duration::days(INVITATION_DAYS))
        .execute(&mut *conn)
        .await?;
    Ok(token)
}

/// Invites a new staff member (admins): the user exists at once, and signs in only after
/// choosing a password through the one-time link this returns the secret of.
pub async fn invite(db: &Db, admin: &CurrentUser, name: &str, email: &str, role: Role, now: DateTime<Utc>) -> Result<Invitation, AppError> {
    access::require(admin, Action::ConfigureInstallation)?;
    let name = validate::person_name(name)?;
    let email = validate::email(email)?;
    if !role.is_internal() {
        return Err(AppError::Invalid("Invite admins, team leads and agents here; customers get portal access on their contact.".into()));
    }
    let taken = || AppError::Invalid(format!("A user with the email {} already exists.", validate::quoted(&email)));
    let mut tx = db.begin_write().await?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(?))").bind(&email).fetch_one(&mut *tx).await?;
    if exists {
        return Err(taken());
    }
    let user_id = insert_user(&mut tx, &name, &email, role, NOT_YET_CHOSEN, now).await.map_err(|error| match error {
        AppError::Conflict(_) => taken(),
        other => other,
    })?;
    let token = new_invitation(&mut tx, user_id, admin.id, now).await?;
    audit::record(&mut tx, admin.id, "user", Some(user_id), now, &format!("Invited {name} <{email}> as {}", role.label())).await?;
    tx.commit().await?;
    Ok(Invitation { user_id, token })
}

/// A new link for someone who has not accepted yet (the old one stops working), for when the
/// first was lost or expired.
pub async fn renew_invitation(db: &Db, admin: &CurrentUser, user_id: i64, now: DateTime<Utc>) -> Result<Invitation, AppError> {
    access::require(admin, Action::ConfigureInstallation)?;
    let mut tx = db.begin_write().await?;
    let user = summary_of(&mut tx, user_id).await?;
    if user.state != UserState::Invited {
        return Err(AppError::Invalid(format!("{} has no open invitation.", user.name)));
    }
    let token = new_invitation(&mut tx, user_id, admin.id, now).await?;
    audit::record(&mut tx, admin.id, "user", Some(user_id), now, &format!("New invitation link for {}", user.name)).await?;
    tx.commit().await?;
    Ok(Invitation { user_id, token })
}

fn invalid_invitation() -> AppError {
    AppError::Invalid("This invitation link is not valid: it has expired or was used already. Ask an admin for a new one.".into())
}

/// The invited user a live invitation token belongs to.
async fn invited_user(conn: &mut Conn, digest: &str, now: DateTime<Utc>) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT i.user_id FROM invitations i JOIN users u ON u.id = i.user_id AND u.deactivated_at IS NULL
          WHERE i.token_hash = ? AND i.expires_at > ?",
    )
    .bind(digest)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}

/// Accepts an invitation: the invited user's password is set and the link is used up. The
/// caller then signs them in. An unknown, used or expired token costs no password hashing.
pub async fn accept_invitation(db: &Db, token: &str, password: &str, now: DateTime<Utc>) -> Result<CurrentUser, AppError> {
    if token.len() > TOKEN_MAX {
        return Err(invalid_invitation());
    }
    validate::password(password)?;
    let digest = token_digest(token);
    if invited_user(&mut *db.read.acquire().await?, &digest, now).await?.is_none() {
        return Err(invalid_invitation());
    }
    let hash = hash_password_off_runtime(password).await?;
    let mut tx = db.begin_write().await?;
    // Again inside the write transaction: two tabs accepting at once use the link once.
    let user_id = invited_user(&mut tx, &digest, now).await?.ok_or_else(invalid_invitation)?;
    sqlx::query("UPDATE users SET password_hash = ?, version = version + 1 WHERE id = ?").bind(&hash).bind(user_id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM invitations WHERE user_id = ?").bind(user_id).execute(&mut *tx).await?;
    audit::record(&mut tx, user_id, "user", Some(user_id), now, "Accepted the invitation").await?;
    tx.commit().await?;
    user_by_id(db, user_id).await
}

async fn profile_of(conn: &mut Conn, user_id: i64) -> Result<Profile, AppError> {
    let (name, email, role, version): (String, String, String, i64) =
        sqlx::query_as("SELECT name, email, role, version FROM users WHERE id = ?").bind(user_id).fetch_one(&mut *conn).await?;
    let notifications = notifications::settings_of(conn, user_id).await?;
    Ok(Profile { id: user_id, name, email, role: decode(Role::parse, &role)?, version, notifications })
}

/// One's own account and notification settings.
pub async fn profile(db: &Db, user: &CurrentUser) -> Result<Profile, AppError> {
    profile_of(&mut *db.read.acquire().await?, user.id).await
}

/// Changes one's own name and notification settings.
pub async fn update_profile(db: &Db, user: &CurrentUser, version: i64, input: &ProfileInput, now: DateTime<Utc>) -> Result<Profile, AppError> {
    let name = validate::person_name(&input.name)?;
    let mut tx = db.begin_write().await?;
    let affected = sqlx::query("UPDATE users SET name = ?, version = version + 1 WHERE id = ? AND version = ?")
        .bind(&name)
        .bind(user.id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    expect_one_row(affected, "Your profile")?;
    notifications::save_settings(&mut tx, user.id, input.notifications).await?;
    if name != user.name {
        audit::record(&mut tx, user.id, "user", Some(user.id), now, &format!("Renamed themselves: {} → {name}", user.name)).await?;
    }
    let saved = profile_of(&mut tx, user.id).await?;
    tx.commit().await?;
    Ok(saved)
}

/// The answer to a wrong current password (the api counts it as a failed sign-in).
pub const WRONG_CURRENT_PASSWORD: &str = "Your current password is wrong.";

/// Changes one's own password after checking the current one; every other session of the user
/// ends (`keep_session` is the token of the one making the change).
pub async fn change_password(db: &Db, user: &CurrentUser, current: &str, new: &str, keep_session: Option<&str>, now: DateTime<Utc>) -> Result<(), AppError> {
    if current.chars().count() > validate::PASSWORD_MAX {
        return Err(AppError::Invalid(WRONG_CURRENT_PASSWORD.into()));
    }
    validate::password(new)?;
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ? AND deactivated_at IS NULL")
        .bind(user.id)
        .fetch_optional(&db.read)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let (current, checked_against) = (current.to_string(), stored.clone());
    if !password_work(move || password_matches(&current, &checked_against)).await? {
        return Err(AppError::Invalid(WRONG_CURRENT_PASSWORD.into()));
    }
    let hash = hash_password_off_runtime(new).await?;
    let mut tx = db.begin_write().await?;
    let affected = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?")
        .bind(&hash)
        .bind(user.id)
        .bind(&stored)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    expect_one_row(affected, "Your password")?;
    sqlx::query("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?")
        .bind(user.id)
        .bind(keep_session.map(token_digest).unwrap_or_default())
        .execute(&mut *tx)
        .await?;
    audit::record(&mut tx, user.id, "user", Some(user.id), now, "Changed their password").await?;
    tx.commit().await?;
    Ok(())
}

pub async fn end_session(db: &Db, token: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_digest(token)).execute(&db.write).await?;
    Ok(())
}

/// Ends every session of the user ("sign out everywhere"); returns how many there were.
pub async fn end_all_sessions(db: &Db, user_id: i64) -> Result<u64, AppError> {
    let result = sqlx::query("DELETE FROM sessions WHERE user_id = ?").bind(user_id).execute(&db.write).await?;
    Ok(result.rows_affected())
}

#[cfg(test)]
#[path = "users_tests.rs"]
mod tests;
