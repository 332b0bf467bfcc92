//! Users, password hashes (argon2id) and login sessions.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::{decode, expect_one_row, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::{reference, validate};
use crate::error::AppError;
use crate::model::{CurrentUser, Role};

/// Absolute lifetime of a session.
pub const SESSION_DAYS: i64 = 14;
/// A session unused this long ends, whatever its absolute expiry.
pub const SESSION_IDLE_HOURS: i64 = 8;
/// `last_seen_at` is written at most this often per session (not on every request).
pub const SESSION_TOUCH_SECS: i64 = 60;

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
    let row: Option<(i64, String)> = sqlx::query_as("SELECT id, password_hash FROM users WHERE email = ? AND deactivated_at IS NULL")
        .bind(email.trim())
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

/// Deactivates a user (admins only): every session of theirs ends, they cannot sign in again,
/// are never assigned (nor hold a team's tickets as its queue user), and history keeps their
/// name. Refuses one's own account and the last active admin; a stale `version` is a conflict.
pub async fn deactivate(db: &Db, admin: &CurrentUser, user_id: i64, version: i64, now: DateTime<Utc>) -> Result<Deactivated, AppError> {
    access::require(admin, Action::ConfigureInstallation)?;
    if user_id == admin.id {
        return Err(AppError::Invalid("You cannot deactivate your own account.".into()));
    }
    let mut tx = db.begin_write().await?;
    let row: Option<(String, bool)> =
        sqlx::query_as("SELECT role, deactivated_at IS NOT NULL FROM users WHERE id = ?").bind(user_id).fetch_optional(&mut *tx).await?;
    let (role, already) = row.ok_or_else(|| access::missing("User", user_id))?;
    if already {
        return Err(AppError::Invalid("This user is deactivated already.".into()));
    }
    if decode(Role::parse, &role)? == Role::Admin {
        let other_admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = ? AND deactivated_at IS NULL AND id <> ?")
            .bind(Role::Admin.as_str())
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        if other_admins == 0 {
            return Err(AppError::Invalid("The last active admin cannot be deactivated.".into()));
        }
    }
    let affected = sqlx::query("UPDATE users SET deactivated_at = ?, version = version + 1 WHERE id = ? AND version = ?")
        .bind(now)
        .bind(user_id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    expect_one_row(affected, "The user")?;
    sqlx::query("DELETE FROM sessions WHERE user_id = ?").bind(user_id).execute(&mut *tx).await?;
    let open: Vec<i64> = sqlx::query_scalar(&format!("SELECT number FROM tickets WHERE assignee_id = ? AND status IN ({}) ORDER BY number", super::open_statuses()))
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Deactivated { open_tickets: open.into_iter().map(reference::format).collect() })
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
