//! What every server function needs: the app state, the caller (one way from a request to a
//! user), the session cookie, and publishing a change to open boards.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, HeaderValue};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::api::defences::{SECURE_SESSION_COOKIE, SESSION_COOKIE};
use crate::error::AppError;
use crate::model::{BoardChange, BoardEvent, CurrentUser};
use crate::state::AppState;
use crate::store::users;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::Internal("Application state is missing.".into()))
}

/// The session token from a `Cookie` header, if any; the `__Host-` cookie wins over a plain
/// one (left over from before HTTPS, or planted by a neighbouring subdomain).
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    let cookie = |name: &str| {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, value)| *key == name && !value.is_empty())
            .map(|(_, value)| value.to_string())
    };
    cookie(SECURE_SESSION_COOKIE).or_else(|| cookie(SESSION_COOKIE))
}

async fn request_headers() -> Result<HeaderMap, AppError> {
    leptos_axum::extract().await.map_err(|e| AppError::Internal(format!("Cannot read the request: {e}")))
}

pub async fn request_token() -> Result<Option<String>, AppError> {
    Ok(session_token(&request_headers().await?))
}

/// Sets (or, with an empty token and age 0, clears) the HttpOnly session cookie.
pub fn set_session_cookie(state: &AppState, token: &str, max_age_seconds: i64) -> Result<(), AppError> {
    let cookie = state.auth.cookie.header(token, max_age_seconds);
    let value = HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.to_string()))?;
    expect_context::<leptos_axum::ResponseOptions>().append_header(header::SET_COOKIE, value);
    Ok(())
}

/// `AppError::TooManyRequests`, with the `Retry-After` header on the response (the status,
/// 429, comes from `AppError::status_code`).
pub fn too_many_requests(retry_after_secs: u64) -> AppError {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    }
    AppError::TooManyRequests { retry_after_secs }
}

/// The caller's address as a throttling key. Behind a proxy on the same machine (a loopback
/// peer) the proxy's `X-Forwarded-For` names the client: its last entry, the one the proxy
/// added. Router tests without a socket have no peer: they all share one key.
pub async fn client_address() -> String {
    let peer = leptos_axum::extract::<ConnectInfo<SocketAddr>>().await.ok().map(|ConnectInfo(addr)| addr.ip());
    let forwarded = || async {
        let headers = request_headers().await.ok()?;
        let last = headers.get_all("x-forwarded-for").iter().last()?.to_str().ok()?.rsplit(',').next()?;
        last.trim().parse::<IpAddr>().ok()
    };
    let ip = match peer {
        Some(peer) if peer.to_canonical().is_loopback() => forwarded().await.or(Some(peer)),
        other => other,
    };
    ip.map_or_else(|| "unknown".to_string(), crate::api::defences::address_key)
}

/// The one way a request becomes a user: its session cookie, if the session is alive
/// (neither expired nor idle too long). Server functions (`current_user`), the page gate and
/// the live streams all ask this.
pub async fn user_for_headers(state: &AppState, headers: &HeaderMap, now: DateTime<Utc>) -> Result<Option<CurrentUser>, AppError> {
    match session_token(headers) {
        Some(token) => users::user_for_session(&state.db, &token, now).await,
        None => Ok(None),
    }
}

pub async fn current_user(state: &AppState) -> Result<Option<CurrentUser>, AppError> {
    user_for_headers(state, &request_headers().await?, Utc::now()).await
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn both_cookie_names_are_read_and_the_host_one_wins() {
        assert_eq!(session_token(&cookies("theme=dark; hd_session=abc")).as_deref(), Some("abc"));
        assert_eq!(session_token(&cookies("__Host-hd_session=sec")).as_deref(), Some("sec"));
        assert_eq!(session_token(&cookies("hd_session=plain; __Host-hd_session=sec")).as_deref(), Some("sec"));
        assert_eq!(session_token(&cookies("xhd_session=abc; hd_session=")), None);
    }
}
