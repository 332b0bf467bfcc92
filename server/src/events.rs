//! Server-sent events: each open board receives its team's changes as they happen.

use std::convert::Infallible;

use app::api::server::session_token;
use app::model::CurrentUser;
use app::state::AppState;
use app::store::{teams, users};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

#[derive(Deserialize)]
pub struct EventsQuery {
    team: i64,
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<CurrentUser> {
    let token = session_token(headers)?;
    users::user_for_session(&state.db, &token, chrono::Utc::now()).await.ok().flatten()
}

pub async fn board_events(State(state): State<AppState>, headers: HeaderMap, Query(query): Query<EventsQuery>) -> Response {
    let Some(user) = signed_in(&state, &headers).await else { return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response() };
    let allowed = match state.db.read.acquire().await {
        Ok(mut conn) => teams::visible_team(&mut conn, &user, query.team).await,
        Err(e) => Err(e.into()),
    };
    if let Err(error) = allowed {
        let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::FORBIDDEN);
        return (status, error.to_string()).into_response();
    }
    let team = query.team;
    let stream = BroadcastStream::new(state.events.subscribe()).filter_map(move |message| match message {
        Ok(event) if event.team_id == team => Event::default().json_data(&event).ok().map(Ok::<_, Infallible>),
        Ok(_) => None,
        // Missed events: a bare message makes the board reload everything.
        Err(BroadcastStreamRecvError::Lagged(_)) => Some(Ok(Event::default().data("lagged"))),
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

/// The signed-in user's bell: one message whenever they get a new in-app notification.
pub async fn notices(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(user) = signed_in(&state, &headers).await else { return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response() };
    let stream = BroadcastStream::new(state.notices.subscribe()).filter_map(move |message| match message {
        Ok(user_id) if user_id == user.id => Some(Ok::<_, Infallible>(Event::default().data("notified"))),
        Ok(_) => None,
        Err(BroadcastStreamRecvError::Lagged(_)) => Some(Ok(Event::default().data("lagged"))),
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}
