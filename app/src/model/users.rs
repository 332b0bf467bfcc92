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

/// Where a user's account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserState {
    Active,
    /// Invited, has not chosen a password yet: cannot sign in.
    Invited,
    /// Cannot sign in, is never assigned; history keeps the name.
    Deactivated,
}

impl UserState {
    pub fn label(self) -> &'static str {
        match self {
            UserState::Active => "Active",
            UserState::Invited => "Invited",
            UserState::Deactivated => "Deactivated",
        }
    }
}

/// One row of the users list (admins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub state: UserState,
    /// The teams the user is a member of.
    pub teams: Vec<Named>,
}

/// The user form of an admin: the user, every team to choose from, their open tickets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserDetail {
    pub user: UserSummary,
    pub version: i64,
    pub all_teams: Vec<Named>,
    /// References of the open tickets assigned to them (to reassign after deactivation).
    pub open_tickets: Vec<String>,
}

/// What an admin changes on the user form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserInput {
    pub name: String,
    pub role: Role,
    pub team_ids: Vec<i64>,
}

/// A new invitation: the secret of its one-time link (shown once, to the inviting admin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    pub user_id: i64,
    pub token: String,
}

/// Which in-app notifications a user gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    /// From automation rules that notify.
    pub rules: bool,
    /// SLA warnings, breaches and escalations.
    pub sla: bool,
    /// New messages on tickets one follows or is assigned.
    #[serde(default = "on")]
    pub messages: bool,
}

fn on() -> bool {
    true
}

/// One's own account, as the profile page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub version: i64,
    pub notifications: NotificationSettings,
}

/// What a user changes on their own profile (the password is changed on its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileInput {
    pub name: String,
    pub notifications: NotificationSettings,
}
