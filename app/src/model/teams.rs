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
    /// Names of the contacts in `settings.contact_followers`, for display.
    #[serde(default)]
    pub contact_follower_names: Vec<Named>,
    #[serde(default)]
    pub archived: bool,
    /// The pipeline, with how many tickets each stage holds.
    #[serde(default)]
    pub stages: Vec<StageUse>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageUse {
    pub stage: Stage,
    pub tickets: i64,
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
    /// Internal users who follow the team: they see it even when it is private.
    #[serde(default)]
    pub followers: Vec<i64>,
    /// Customer contacts who follow the team.
    #[serde(default)]
    pub contact_followers: Vec<i64>,
}

/// Where a new team's stages come from: a template, or a copy of another team's pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StagesFrom {
    Template(TeamTemplate),
    Team(i64),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTeam {
    pub name: String,
    pub visibility: Visibility,
    pub stages: StagesFrom,
}

/// The installation: its name and home time zone (an IANA name such as `Europe/Berlin`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub name: String,
    pub time_zone: String,
    pub version: i64,
}

/// What the first admin answers once: the organisation and its first team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetupInput {
    pub organisation: String,
    pub time_zone: String,
    pub team: NewTeam,
}

/// Where a fresh installation stands, asked before anyone signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetupStep {
    /// No user yet: the first visitor creates the first admin.
    FirstAdmin,
    /// The admin exists; organisation and first team are not set up yet.
    Organisation,
    Done,
}
