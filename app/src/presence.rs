//! Who has which ticket open right now, and who is typing in it: kept in memory by the server
//! that holds the open ticket pages' live streams (several app servers would share it later).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::model::Viewer;

/// How long one keystroke keeps "is typing" showing.
pub const TYPING_SHOWN: Duration = Duration::from_secs(6);

struct Seat {
    stream: u64,
    user_id: i64,
    name: String,
    typing_until: Option<Instant>,
}

#[derive(Default)]
pub struct Presence {
    seats: Mutex<(u64, HashMap<i64, Vec<Seat>>)>,
}

impl std::fmt::Debug for Presence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Presence")
    }
}

impl Presence {
    /// Someone opened the ticket; the answer identifies this one page for `leave`.
    pub fn join(&self, ticket_id: i64, user_id: i64, name: String) -> u64 {
        let mut guard = self.seats.lock().unwrap_or_else(|e| e.into_inner());
        let (next, seats) = &mut *guard;
        *next += 1;
        seats.entry(ticket_id).or_default().push(Seat { stream: *next, user_id, name, typing_until: None });
        *next
    }

    pub fn leave(&self, ticket_id: i64, stream: u64) {
        let mut guard = self.seats.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(list) = guard.1.get_mut(&ticket_id) {
            list.retain(|s| s.stream != stream);
            if list.is_empty() {
                guard.1.remove(&ticket_id);
            }
        }
    }

    /// The user typed in the ticket's composer; `false` when they do not have it open.
    pub fn typing(&self, ticket_id: i64, user_id: i64, now: Instant) -> bool {
        let mut guard = self.seats.lock().unwrap_or_else(|e| e.into_inner());
        let Some(list) = guard.1.get_mut(&ticket_id) else { return false };
        let mut found = false;
        for seat in list.iter_mut().filter(|s| s.user_id == user_id) {
            seat.typing_until = Some(now + TYPING_SHOWN);
            found = true;
        }
        found
    }

    /// Everyone with the ticket open except `except_user`, once each, typing if any of their
    /// pages is.
    pub fn viewers(&self, ticket_id: i64, except_user: i64, now: Instant) -> Vec<Viewer> {
        let guard = self.seats.lock().unwrap_or_else(|e| e.into_inner());
        let mut viewers: Vec<Viewer> = Vec::new();
        for seat in guard.1.get(&ticket_id).into_iter().flatten().filter(|s| s.user_id != except_user) {
            let typing = seat.typing_until.is_some_and(|until| until > now);
            match viewers.iter_mut().find(|v| v.user_id == seat.user_id) {
                Some(viewer) => viewer.typing |= typing,
                None => viewers.push(Viewer { user_id: seat.user_id, name: seat.name.clone(), typing }),
            }
        }
        viewers.sort_by(|a, b| a.name.cmp(&b.name));
        viewers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_are_the_others_once_each_and_typing_fades() {
        let presence = Presence::default();
        let now = Instant::now();
        let mine = presence.join(7, 1, "Ann".into());
        let first = presence.join(7, 2, "Bob".into());
        presence.join(7, 2, "Bob".into());
        presence.join(8, 3, "Cy".into());
        assert_eq!(presence.viewers(7, 1, now), [Viewer { user_id: 2, name: "Bob".into(), typing: false }]);
        assert!(presence.typing(7, 2, now));
        assert!(!presence.typing(7, 3, now), "Cy does not have ticket 7 open");
        assert!(presence.viewers(7, 1, now)[0].typing);
        assert!(!presence.viewers(7, 1, now + TYPING_SHOWN)[0].typing);
        presence.leave(7, first);
        assert_eq!(presence.viewers(7, 1, now).len(), 1, "Bob still has a second page open");
        presence.leave(7, mine);
        assert_eq!(presence.viewers(7, 2, now), []);
    }
}
