//! Server-sent events: each open board receives its team's changes as they happen, each signed-in
//! user their bell's nudges. A stream re-checks its session (and its team's visibility) before
//! every event and every [`Recheck`] interval, and ends as soon as either is gone: after logout,
//! when the session expires, when the user loses sight of the team.

use std::convert::Infallible;
use std::time::Duration;

use app::api::server::user_for_headers;
use app::model::CurrentUser;
use app::state::AppState;
use app::store::lookup;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::Stream;
use serde::Deserialize;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::{interval_at, Instant, Interval, MissedTickBehavior};

/// How often an idle stream re-checks that its listener may still listen.
#[derive(Clone, Copy, Debug)]
pub struct Recheck(pub Duration);

impl Default for Recheck {
    fn default() -> Self {
        Recheck(Duration::from_secs(10))
    }
}

#[derive(Deserialize)]
pub struct EventsQuery {
    team: i64,
}

/// Who opened a stream and what they may see; asked again while the stream is open.
struct Listener {
    state: AppState,
    /// Only the request's cookies: the session is re-read from them on every check.
    cookies: HeaderMap,
    user_id: i64,
    team_id: Option<i64>,
}

impl Listener {
    /// The signed-in user and, for a board, the team's visibility to them; `Err` is the answer
    /// to give instead of a stream.
    async fn open(state: AppState, headers: &HeaderMap, team_id: Option<i64>) -> Result<Listener, Response> {
        let mut cookies = HeaderMap::new();
        for value in headers.get_all(header::COOKIE) {
            cookies.append(header::COOKIE, value.clone());
        }
        let user = match user_for_headers(&state, &cookies, chrono::Utc::now()).await {
            Ok(Some(user)) => user,
            Ok(None) => return Err((StatusCode::UNAUTHORIZED, "Please sign in.").into_response()),
            Err(error) => return Err(error_response(&error)),
        };
        if let Some(team_id) = team_id {
            if let Err(error) = may_see_team(&state, &user, team_id).await {
                return Err(error_response(&error));
            }
        }
        Ok(Listener { user_id: user.id, state, cookies, team_id })
    }

    /// The same session, still alive, still seeing the team. Any error counts as no.
    async fn still_allowed(&self) -> bool {
        let user = match user_for_headers(&self.state, &self.cookies, chrono::Utc::now()).await {
            Ok(Some(user)) if user.id == self.user_id => user,
            _ => return false,
        };
        match self.team_id {
            Some(team_id) => may_see_team(&self.state, &user, team_id).await.is_ok(),
            None => true,
        }
    }
}

async fn may_see_team(state: &AppState, user: &CurrentUser, team_id: i64) -> Result<(), app::error::AppError> {
    let mut conn = state.db.read.acquire().await?;
    lookup::visible_team(&mut conn, user, team_id).await.map(|_| ())
}

fn error_response(error: &app::error::AppError) -> Response {
    let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::FORBIDDEN);
    (status, error.to_string()).into_response()
}

/// The events of `receiver` that `to_event` keeps, each sent only after the listener has been
/// re-checked; between events a re-check every `every`. Ends when a check fails.
fn watched<T, F>(listener: Listener, receiver: broadcast::Receiver<T>, every: Duration, to_event: F) -> impl Stream<Item = Result<Event, Infallible>>
where
    T: Clone + Send + 'static,
    F: FnMut(T) -> Option<Event> + Send + 'static,
{
    let mut ticks = interval_at(Instant::now() + every, every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    struct Watch<T, F> {
        listener: Listener,
        receiver: broadcast::Receiver<T>,
        ticks: Interval,
        to_event: F,
    }
    let watch = Watch { listener, receiver, ticks, to_event };
    futures::stream::unfold(watch, |mut watch| async move {
        loop {
            tokio::select! {
                message = watch.receiver.recv() => {
                    let event = match message {
                        Ok(item) => match (watch.to_event)(item) {
                            Some(event) => event,
                            None => continue,
                        },
                        // Missed events: a bare message makes the page reload everything.
                        Err(RecvError::Lagged(_)) => Event::default().data("lagged"),
                        Err(RecvError::Closed) => return None,
                    };
                    if !watch.listener.still_allowed().await {
                        return None;
                    }
                    watch.ticks.reset();
                    return Some((Ok(event), watch));
                }
                _ = watch.ticks.tick() => {
                    if !watch.listener.still_allowed().await {
                        return None;
                    }
                }
            }
        }
    })
}

pub async fn board_events(
    State(state): State<AppState>,
    Extension(Recheck(every)): Extension<Recheck>,
    headers: HeaderMap,
    Query(query): Query<EventsQuery>,
) -> Response {
    let team = query.team;
    let listener = match Listener::open(state.clone(), &headers, Some(team)).await {
        Ok(listener) => listener,
        Err(refusal) => return refusal,
    };
    let stream = watched(listener, state.events.subscribe(), every, move |event: app::model::BoardEvent| {
        (event.team_id == team).then(|| Event::default().json_data(&event).ok()).flatten()
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

/// The signed-in user's bell: one message whenever they get a new in-app notification.
pub async fn notices(State(state): State<AppState>, Extension(Recheck(every)): Extension<Recheck>, headers: HeaderMap) -> Response {
    let listener = match Listener::open(state.clone(), &headers, None).await {
        Ok(listener) => listener,
        Err(refusal) => return refusal,
    };
    let user_id = listener.user_id;
    let stream = watched(listener, state.notices.subscribe(), every, move |notified: i64| {
        (notified == user_id).then(|| Event::default().data("notified"))
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}
