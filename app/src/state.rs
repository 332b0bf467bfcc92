//! What every request handler shares: the database and the live-event bus.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use tokio::sync::{broadcast, Mutex, Notify};

use crate::model::BoardEvent;
use crate::presence::Presence;
use crate::store::Db;

/// Slow browsers that fall this far behind skip events and simply reload their board.
const EVENT_BUFFER: usize = 1024;

/// Something an open ticket page should hear about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TicketSignal {
    pub ticket_id: i64,
    pub change: TicketChange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketChange {
    /// The ticket or a customer-visible part of its conversation changed.
    Changed,
    /// Something only staff see changed (an internal note, the followers).
    StaffOnly,
    /// Someone opened or left the ticket, or is typing.
    Presence,
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub events: broadcast::Sender<BoardEvent>,
    /// Users who just got an in-app notification (their bell refreshes).
    pub notices: broadcast::Sender<i64>,
    /// Open ticket pages: what changed on which ticket, and who has it open.
    pub tickets: broadcast::Sender<TicketSignal>,
    pub presence: Arc<Presence>,
    /// Wakes the SLA job early: a ticket or a setting changed, so the next alert may be sooner.
    pub sla_wake: Arc<Notify>,
    /// One runner of queued SLA work at a time.
    sla_work: Arc<Mutex<()>>,
    pub leptos_options: LeptosOptions,
    /// Sign-in defences (failed-login throttle) and the session cookie's form.
    pub auth: Arc<crate::api::defences::Auth>,
    /// Where attachments are stored, and their size limit.
    pub files: crate::store::attachments::Files,
}

impl AppState {
    pub fn new(db: Db, leptos_options: LeptosOptions, auth: crate::api::defences::Auth, files: crate::store::attachments::Files) -> Self {
        AppState {
            db,
            events: broadcast::channel(EVENT_BUFFER).0,
            notices: broadcast::channel(EVENT_BUFFER).0,
            tickets: broadcast::channel(EVENT_BUFFER).0,
            presence: Arc::new(Presence::default()),
            sla_wake: Arc::new(Notify::new()),
            sla_work: Arc::new(Mutex::new(())),
            leptos_options,
            auth: Arc::new(auth),
            files,
        }
    }

    /// Tells every open board of the event's team (nobody listening is fine) and the SLA job.
    pub fn publish(&self, event: BoardEvent) {
        let _ = self.events.send(event);
        self.sla_wake.notify_one();
    }

    /// Tells the open pages of a ticket what changed.
    pub fn signal_ticket(&self, signal: TicketSignal) {
        let _ = self.tickets.send(signal);
    }

    /// Lights up the bells of these users.
    pub fn notify_users(&self, user_ids: &[i64]) {
        for id in user_ids {
            let _ = self.notices.send(*id);
        }
    }
}

impl AppState {
    /// Runs the SLA work queued by settings changes (and any left over from before a restart),
    /// off the request: in small transactions, then the affected boards refresh and the SLA job
    /// looks again.
    pub fn run_sla_work(&self) {
        let state = self.clone();
        tokio::spawn(async move {
            let _one_runner = state.sla_work.lock().await;
            let teams = match crate::store::sla_work::run_pending_work(&state.db, chrono::Utc::now()).await {
                Ok(Some(teams)) => teams,
                Ok(None) => sqlx::query_scalar("SELECT id FROM teams").fetch_all(&state.db.read).await.unwrap_or_default(),
                Err(error) => {
                    tracing::error!(%error, "SLA recalculation failed; it resumes with the next settings change or restart");
                    return;
                }
            };
            for team_id in teams {
                state.publish(BoardEvent { team_id, reference: None, change: crate::model::BoardChange::TicketUpdated, actor_id: None });
            }
        });
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
