//! A ticket's conversation (SPEC S5): replies to the customer and internal notes, followers, and
//! who else is working on the ticket right now.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::*;

/// A message as the timeline shows it. Customers only ever receive replies (`TimelineKind::Reply`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    /// Sanitized HTML rendered on the server; empty once deleted.
    pub html: String,
    pub from_customer: bool,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted: bool,
    pub version: i64,
    /// The Markdown as written, for whoever may edit it; `None` for everyone else.
    pub source: Option<String>,
    /// Earlier wordings, oldest first (staff only).
    pub revisions: Vec<MessageRevision>,
    /// Files sent with the message; none once it is deleted.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageRevision {
    pub body: String,
    pub replaced_by: Option<String>,
    pub replaced_at: DateTime<Utc>,
}

/// What the composer sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMessage {
    pub kind: MessageKind,
    pub body: String,
    /// Files uploaded to the ticket beforehand, now attached to this message.
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
}

/// Who follows a ticket: an internal or portal user, or a customer contact without a portal login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum FollowerRef {
    User(i64),
    Contact(i64),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Follower {
    pub follower: FollowerRef,
    pub name: String,
    /// Role or e-mail, to tell people apart.
    pub detail: String,
    /// Staff see internal notes; customers only replies.
    pub internal: bool,
    /// The requester always follows and cannot be removed.
    pub requester: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketFollowers {
    pub followers: Vec<Follower>,
    /// The caller muted the ticket: no notifications about its messages.
    pub muted: bool,
    /// Internal users who may see the ticket and do not follow it yet.
    pub candidates: Vec<UserRef>,
}

/// Someone else with the ticket open, and whether they are writing a message right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: i64,
    pub name: String,
    pub typing: bool,
}

/// What an open ticket page hears live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TicketLive {
    /// The ticket or its conversation changed: reload it.
    Changed,
    /// Who has the ticket open (without the listener themselves).
    Presence { viewers: Vec<Viewer> },
}
