//! Server-sent events: each open board receives its team's changes as they happen, each signed-in
//! user their bell's nudges. A stream re-checks its session (and its team's visibility) before
//! every event and every [`Recheck`] interval, and ends as soon as either is gone: after logout,
//! when the session expires, when the user loses sight of the team.

use std::convert::Infallible;
use std::time::Duration;

use app::api::server::user_for_headers;
use app::model::{CurrentUser, TicketLive};
use app::state::AppState;
use app::state::{TicketChange, TicketSignal};
use app::store::{conversation, lookup};
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

#[derive(Deserialize)]
pub struct TicketEventsQuery {
    ticket: String,
}

/// What a stream is about: the user's own bell, a team's board, or one ticket.
#[derive(Clone)]
enum Scope {
    User,
    Team(i64),
    Ticket(String),
}

/// Who opened a stream and what they may see; asked again while the stream is open.
struct Listener {
    state: AppState,
    /// Only the request's cookies: the session is re-read from them on every check.
    cookies: HeaderMap,
    user: CurrentUser,
    scope: Scope,
}

impl Listener {
    /// The signed-in user, who must see the board or ticket; `Err` is the answer to give instead
    /// of a stream.
    async fn open(state: AppState, headers: &HeaderMap, scope: Scope) -> Result<Listener, Response> {
        let mut cookies = HeaderMap::new();
        for value in headers.get_all(header::COOKIE) {
            cookies.append(header::COOKIE, value.clone());
        }
        let user = match user_for_headers(&state, &cookies, chrono::Utc::now()).await {
            Ok(Some(user)) => user,
            Ok(None) => return Err((StatusCode::UNAUTHORIZED, "Please sign in.").into_response()),
            Err(error) => return Err(error_response(&error)),
        };
        if let Err(error) = may_see(&state, &user, &scope).await {
            return Err(error_response(&error));
        }
        Ok(Listener { user, state, cookies, scope })
    }

    /// The same session, still alive, still seeing the team or ticket. Any error counts as no.
    async fn still_allowed(&self) -> bool {
        let user = match user_for_headers(&self.state, &self.cookies, chrono::Utc::now()).await {
            Ok(Some(user)) if user.id == self.user.id => user,
            _ => return false,
        };
        may_see(&self.state, &user, &self.scope).await.is_ok()
    }
}

async fn may_see(state: &AppState, user: &CurrentUser, scope: &Scope) -> Result<(), app::error::AppError> {
    match scope {
        Scope::User => Ok(()),
        Scope::Team(team_id) => {
            let mut conn = state.db.read.acquire().await?;
            lookup::visible_team(&mut conn, user, *team_id).await.map(|_| ())
        }
        Scope::Ticket(reference) => conversation::watchable(&state.db, user, reference).await.map(|_| ()),
    }
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
    let listener = match Listener::open(state.clone(), &headers, Scope::Team(team)).await {
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
    let listener = match Listener::open(state.clone(), &headers, Scope::User).await {
        Ok(listener) => listener,
        Err(refusal) => return refusal,
    };
    let user_id = listener.user.id;
    let stream = watched(listener, state.notices.subscribe(), every, move |notified: i64| {
        (notified == user_id).then(|| Event::default().data("notified"))
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

/// One ticket's page: a message when the ticket or its conversation changed (customers hear only
/// of what they may see: never of an internal note), and for staff who else has it open and is
/// typing. Staff listeners count as having the ticket open while their stream lasts.
pub async fn ticket_events(
    State(state): State<AppState>,
    Extension(Recheck(every)): Extension<Recheck>,
    headers: HeaderMap,
    Query(query): Query<TicketEventsQuery>,
) -> Response {
    let listener = match Listener::open(state.clone(), &headers, Scope::Ticket(query.ticket.clone())).await {
        Ok(listener) => listener,
        Err(refusal) => return refusal,
    };
    let ticket_id = match conversation::watchable(&state.db, &listener.user, &query.ticket).await {
        Ok(id) => id,
        Err(error) => return error_response(&error),
    };
    let user = listener.user.clone();
    let staff = user.role.is_internal();
    let receiver = state.tickets.subscribe();
    // Joined after subscribing, so the stream's first event shows who else is here.
    let seat = staff.then(|| Seat::take(&state, ticket_id, &user));
    let presence = state.presence.clone();
    let stream = watched(listener, receiver, every, move |signal: TicketSignal| {
        let _seat = &seat;
        if signal.ticket_id != ticket_id {
            return None;
        }
        let live = match signal.change {
            TicketChange::Changed => TicketLive::Changed,
            TicketChange::StaffOnly if staff => TicketLive::Changed,
            TicketChange::Presence if staff => TicketLive::Presence { viewers: presence.viewers(ticket_id, user.id, std::time::Instant::now()) },
            TicketChange::StaffOnly | TicketChange::Presence => return None,
        };
        Event::default().json_data(&live).ok()
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

/// A staff member's open ticket page, for as long as its stream lasts.
struct Seat {
    state: AppState,
    ticket_id: i64,
    stream: u64,
}

impl Seat {
    fn take(state: &AppState, ticket_id: i64, user: &CurrentUser) -> Seat {
        let stream = state.presence.join(ticket_id, user.id, user.name.clone());
        state.signal_ticket(TicketSignal { ticket_id, change: TicketChange::Presence });
        Seat { state: state.clone(), ticket_id, stream }
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        self.state.presence.leave(self.ticket_id, self.stream);
        self.state.signal_ticket(TicketSignal { ticket_id: self.ticket_id, change: TicketChange::Presence });
    }
}
