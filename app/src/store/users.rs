//! Users, password hashes (argon2id) and login sessions.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;

use super::{decode, Db};
use crate::domain::validate;
use crate::error::AppError;
use crate::model::{CurrentUser, Role};

pub const SESSION_DAYS: i64 = 14;

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

fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub async fn insert_user(
    conn: &mut SqliteConnection,
    name: &str,
    email: &str,
    role: Role,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let result = sqlx::query("INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(email)
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(result.last_insert_rowid())
}

pub async fn user_count(db: &Db) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&db.read).await?)
}

/// The first account of a fresh install (no demo data): only allowed while there is no user.
pub async fn create_first_admin(db: &Db, name: &str, email: &str, password: &str, now: DateTime<Utc>) -> Result<CurrentUser, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid("Name is required.".into()));
    }
    let email = validate::email(email)?;
    validate::password(password)?;
    let hash = hash_password(password)?;
    let mut tx = db.write.begin().await?;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut *tx).await?;
    if existing > 0 {
        return Err(AppError::Forbidden("This installation already has an administrator.".into()));
    }
    let id = insert_user(&mut tx, name, &email, Role::Admin, &hash, now).await?;
    tx.commit().await?;
    Ok(CurrentUser { id, name: name.to_string(), email, role: Role::Admin })
}

/// Checks the password; the same message for unknown email and wrong password.
pub async fn authenticate(db: &Db, email: &str, password: &str) -> Result<CurrentUser, AppError> {
    let wrong = || AppError::Invalid("Email or password is wrong.".into());
    let row: Option<(i64, String)> = sqlx::query_as("SELECT id, password_hash FROM users WHERE email = ?")
        .bind(email.trim())
        .fetch_optional(&db.read)
        .await?;
    let Some((id, stored_hash)) = row else { return Err(wrong()) };
    if !password_matches(password, &stored_hash) {
        return Err(wrong());
    }
    user_by_id(db, id).await
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
    let mut tx = db.write.begin().await?;
    sqlx::query("DELETE FROM sessions WHERE expires_at < ?").bind(now).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)")
        .bind(token_digest(&token))
        .bind(user_id)
        .bind(now + Duration::days(SESSION_DAYS))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn user_for_session(db: &Db, token: &str, now: DateTime<Utc>) -> Result<Option<CurrentUser>, AppError> {
    sqlx::query_as::<_, UserRow>(
        "SELECT u.id, u.name, u.email, u.role FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ? AND s.expires_at > ?",
    )
    .bind(token_digest(token))
    .bind(now)
    .fetch_optional(&db.read)
    .await?
    .map(UserRow::into_user)
    .transpose()
}

pub async fn end_session(db: &Db, token: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_digest(token)).execute(&db.write).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::temp_db;

    #[tokio::test]
    async fn first_admin_then_login_and_session_round_trip() {
        let (db, _dir) = temp_db().await;
        let now = Utc::now();
        let admin = create_first_admin(&db, "Ada Admin", "ada@example.com", "correct horse", now).await.unwrap();
        assert_eq!(admin.role, Role::Admin);
        assert!(matches!(
            create_first_admin(&db, "Eve", "eve@example.com", "another pass", now).await,
            Err(AppError::Forbidden(_))
        ));

        assert!(matches!(authenticate(&db, "ada@example.com", "wrong pass").await, Err(AppError::Invalid(_))));
        assert!(matches!(authenticate(&db, "nobody@example.com", "correct horse").await, Err(AppError::Invalid(_))));
        let user = authenticate(&db, "ADA@example.com", "correct horse").await.unwrap();
        assert_eq!(user.id, admin.id);

        let token = create_session(&db, user.id, now).await.unwrap();
        assert_eq!(user_for_session(&db, &token, now).await.unwrap().map(|u| u.id), Some(admin.id));
        let later = now + Duration::days(SESSION_DAYS + 1);
        assert_eq!(user_for_session(&db, &token, later).await.unwrap(), None, "sessions expire");
        end_session(&db, &token).await.unwrap();
        assert_eq!(user_for_session(&db, &token, now).await.unwrap(), None, "logout ends the session");
    }

    #[tokio::test]
    async fn first_admin_input_is_validated() {
        let (db, _dir) = temp_db().await;
        let now = Utc::now();
        assert!(create_first_admin(&db, "", "a@b.de", "longenough", now).await.is_err());
        assert!(create_first_admin(&db, "A", "not-an-email", "longenough", now).await.is_err());
        assert!(create_first_admin(&db, "A", "a@b.de", "short", now).await.is_err());
        assert_eq!(user_count(&db).await.unwrap(), 0);
    }
}
