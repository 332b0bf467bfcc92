//! Merging tickets and finding likely duplicates.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::TicketStatus;

/// One ticket of a merge, as the side-by-side view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeCandidate {
    pub reference: String,
    pub version: i64,
    pub title: String,
    pub customer: Option<String>,
    pub team: String,
    pub stage: String,
    pub status: TicketStatus,
    pub assignee: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The start of the description.
    pub excerpt: String,
}

/// How alike two of the tickets are (`domain::similarity::score`, 0–1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairScore {
    pub first: String,
    pub second: String,
    pub score: f64,
}

/// The tickets of a planned merge side by side, with every pair's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergePreview {
    pub tickets: Vec<MergeCandidate>,
    pub scores: Vec<PairScore>,
}

/// What a merge did: the survivor and the tickets closed into it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeOutcome {
    pub survivor: String,
    pub merged: Vec<String>,
}

/// An open ticket that looks like the one on screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PossibleDuplicate {
    pub reference: String,
    pub title: String,
    pub customer: Option<String>,
    pub stage: String,
    pub score: f64,
}
