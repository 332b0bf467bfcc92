//! The one error type of the application, carried from store to browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("Please sign in.")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    /// Someone else changed the object first (stale `version`).
    #[error("{0}")]
    Conflict(String),
    /// Too many (failed) sign-ins: answered with 429 and a `Retry-After` of this many seconds.
    #[error("Too many sign-in attempts. Please wait {retry_after_secs} seconds and try again.")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unauthorized => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Invalid(_) => 400,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests { .. } => 429,
            AppError::Internal(_) => 500,
        }
    }
}

/// How much of a request decoder's message a "Malformed request" answer repeats.
const MALFORMED_MESSAGE_MAX: usize = 300;

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The decoder's message may quote the request (an unknown enum value, a huge string):
            // keep the answer short whatever was sent.
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::Deserialization(message) => {
                let mut shown: String = message.chars().take(MALFORMED_MESSAGE_MAX).collect();
                if shown.len() < message.len() {
                    shown.push('…');
                }
                AppError::Invalid(format!("Malformed request: {shown}"))
            }
            ServerFnErrorErr::Request(_) => AppError::Internal("The server could not be reached. Check your connection and try again.".into()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => AppError::NotFound("Not found.".into()),
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                AppError::Invalid("A referenced record does not exist.".into())
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                AppError::Conflict("A record with that name already exists.".into())
            }
            _ => {
                tracing::error!(%error, "database error");
                AppError::Internal("Internal error; it has been logged.".into())
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::migrate::MigrateError> for AppError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        AppError::Internal(format!("Database migration failed: {error}"))
    }
}
