//! Qualifications and named queues: who can work what, and where waiting tickets gather.

use serde::{Deserialize, Serialize};

use super::*;

/// A skill admins define; users hold it with a rating from 1 to `scale_max`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Qualification {
    pub id: i64,
    pub name: String,
    pub kind: QualificationKind,
    pub scale_max: i64,
}

/// A ticket needs the qualification at `min_rating` or better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub qualification_id: i64,
    pub min_rating: i64,
}

/// One user's rating in one qualification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldRating {
    pub user_id: i64,
    pub qualification_id: i64,
    pub rating: i64,
}

/// Everything the qualifications screen shows: the definitions and who holds them how well.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualificationMatrix {
    pub qualifications: Vec<Qualification>,
    pub people: Vec<Named>,
    pub ratings: Vec<HeldRating>,
    /// Admins define qualifications; admins and leads rate people.
    pub can_define: bool,
    pub can_rate: bool,
}

/// A named queue agents pull tickets from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueSummary {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub members: Vec<Named>,
    /// Unassigned, not yet started tickets in the queue that the caller may see.
    pub waiting: i64,
    /// All open tickets in the queue that the caller may see.
    pub open: i64,
    pub is_member: bool,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuesOverview {
    pub queues: Vec<QueueSummary>,
    /// Everyone who can be a member (staff).
    pub people: Vec<Named>,
    /// Admins and leads create queues and choose their members.
    pub can_manage: bool,
}
