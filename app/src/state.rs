//! What every request handler shares: the database and the live-event bus.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use tokio::sync::broadcast;

use crate::model::BoardEvent;
use crate::store::Db;

/// Slow browsers that fall this far behind skip events and simply reload their board.
const EVENT_BUFFER: usize = 1024;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub events: broadcast::Sender<BoardEvent>,
    pub leptos_options: LeptosOptions,
}

impl AppState {
    pub fn new(db: Db, leptos_options: LeptosOptions) -> Self {
        AppState { db, events: broadcast::channel(EVENT_BUFFER).0, leptos_options }
    }

    /// Tells every open board of the event's team; nobody listening is fine.
    pub fn publish(&self, event: BoardEvent) {
        let _ = self.events.send(event);
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
