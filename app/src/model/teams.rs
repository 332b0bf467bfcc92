//! Teams and their stages.

use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamSummary {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub visibility: Visibility,
    pub open_tickets: i64,
    /// Archived teams take no new tickets; their tickets stay readable.
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub id: i64,
    pub team_id: i64,
    pub name: String,
    pub category: StageCategory,
    pub position: i64,
    pub folded: bool,
    /// SLA clocks stop while a ticket is in this stage (e.g. waiting on the customer).
    #[serde(default)]
    pub pauses_sla: bool,
    pub version: i64,
}

/// A team's configuration as admins and leads edit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamSettings {
    pub team_id: i64,
    pub name: String,
    pub settings: TeamSettingsInput,
    /// Everyone who can be a member (internal users).
    pub people: Vec<Named>,
    pub version: i64,
    /// Who sees a team is the admins' decision.
    #[serde(default)]
    pub can_change_visibility: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamSettingsInput {
    /// Shown on the team's public web form: never internal data.
    pub description: String,
    pub visibility: Visibility,
    pub assignment: Option<AssignmentMethod>,
    /// Holds every new ticket (status stays *Active – New*) until someone takes it; only
    /// without automatic assignment.
    #[serde(default)]
    pub queue_user_id: Option<i64>,
    /// Members work the team's tickets and receive automatic assignments (empty = all agents).
    pub members: Vec<i64>,
}
