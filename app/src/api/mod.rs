//! Server functions: each authorizes the caller, makes one store call and publishes the change.
//! They are public HTTP endpoints under `/api/…` with JSON bodies.

pub mod assignment;
pub mod automation;
pub mod auth;
pub mod board;
pub mod qualifications;
pub mod queues;
pub mod routing;
pub mod sla;
pub mod tickets;
pub mod time_off;

#[cfg(feature = "ssr")]
pub mod server {
    use axum::http::{header, HeaderMap, HeaderValue};
    use chrono::Utc;
    use leptos::prelude::*;

    use crate::error::AppError;
    use crate::model::{BoardChange, BoardEvent, CurrentUser};
    use crate::state::AppState;
    use crate::store::users;

    pub const SESSION_COOKIE: &str = "hd_session";

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| AppError::Internal("Application state is missing.".into()))
    }

    /// The session token from a `Cookie` header, if any.
    pub fn session_token(headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .find_map(|pair| pair.trim().strip_prefix(SESSION_COOKIE)?.strip_prefix('=').map(str::to_string))
    }

    pub async fn request_token() -> Result<Option<String>, AppError> {
        let headers: HeaderMap = leptos_axum::extract()
            .await
            .map_err(|e| AppError::Internal(format!("Cannot read the request: {e}")))?;
        Ok(session_token(&headers))
    }

    /// Sets (or, with an empty token and age 0, clears) the HttpOnly session cookie.
    pub fn set_session_cookie(token: &str, max_age_seconds: i64) -> Result<(), AppError> {
        let cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}");
        let value = HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.to_string()))?;
        expect_context::<leptos_axum::ResponseOptions>().append_header(header::SET_COOKIE, value);
        Ok(())
    }

    pub async fn current_user(state: &AppState) -> Result<Option<CurrentUser>, AppError> {
        match request_token().await? {
            Some(token) => users::user_for_session(&state.db, &token, Utc::now()).await,
            None => Ok(None),
        }
    }

    /// The signed-in caller and the app state, or `Unauthorized`.
    pub async fn caller() -> Result<(AppState, CurrentUser), AppError> {
        let state = state()?;
        let user = current_user(&state).await?.ok_or(AppError::Unauthorized)?;
        Ok((state, user))
    }

    pub fn publish(state: &AppState, team_id: i64, reference: Option<String>, change: BoardChange, actor: &CurrentUser) {
        state.publish(BoardEvent { team_id, reference, change, actor_id: Some(actor.id) });
    }
}
