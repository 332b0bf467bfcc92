//! Users: who is signed in, references to people, time off, notifications.

use chrono::{DateTime, Utc};

use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRef {
    pub id: i64,
    pub name: String,
}

impl UserRef {
    /// "Ada Lovelace" → "AL", for avatars.
    pub fn initials(&self) -> String {
        self.name
            .split_whitespace()
            .filter_map(|word| word.chars().next())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect()
    }
}

/// An in-app message for one user, usually about a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub reference: Option<String>,
    pub message: String,
    pub at: DateTime<Utc>,
    pub read: bool,
}

/// An absence: from (inclusive) until (exclusive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeOff {
    pub id: i64,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// One line of the audit log: who changed which part of the setup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: Option<String>,
    pub at: DateTime<Utc>,
    pub area: String,
    pub object_id: Option<i64>,
    pub summary: String,
}
