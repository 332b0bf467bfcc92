//! Resolving tickets, child tickets and leads converted from tickets (issue 12, parts 7, 8, 10).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::*;

/// What a person gives when moving a ticket to a solved stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolutionInput {
    /// A specific resolution code (a leaf of the tree).
    pub code_id: i64,
    pub note: String,
    /// Solve a parent although some of its child tickets are still open.
    #[serde(default)]
    pub close_with_open_children: bool,
}

/// A resolution code as the dialog offers it, under its general code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolutionChoice {
    pub id: i64,
    /// The path above the code ("Solved"); empty for a top-level code without children.
    pub general: String,
    pub name: String,
}

/// What the resolution dialog of one ticket needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolutionPrompt {
    pub codes: Vec<ResolutionChoice>,
    /// Child tickets not yet solved or cancelled.
    pub open_children: i64,
}

/// A ticket's resolution as shown; a reopened ticket keeps its last one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketResolution {
    /// "Solved › Fixed".
    pub code: String,
    pub note: String,
    /// `false` once the ticket was reopened: the last resolution, kept for reference.
    pub current: bool,
}

/// Another ticket, as a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketLink {
    pub reference: String,
    pub title: String,
}

/// A child ticket as its parent lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildTicket {
    pub reference: String,
    pub title: String,
    pub stage_name: String,
    pub status: TicketStatus,
    pub assignee: Option<UserRef>,
}

/// The lead a ticket was converted to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadLink {
    pub id: i64,
    pub title: String,
}

/// How a ticket relates to other records: parent, children, the lead it became.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketRelations {
    pub parent: Option<TicketLink>,
    /// Only the children the caller may see.
    pub children: Vec<ChildTicket>,
    pub lead: Option<LeadLink>,
    /// Set when the ticket was archived (converted to a lead): it is no longer on the board.
    pub archived_at: Option<DateTime<Utc>>,
}

/// Who the new lead is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadCustomer {
    /// The ticket's customer (contact and account), if it has one.
    Ticket,
    /// A contact created for the lead.
    New(NewCustomer),
    None,
}

/// "Convert to lead…": the lead to create from a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadInput {
    pub title: String,
    pub customer: LeadCustomer,
    pub sales_team_id: i64,
    pub salesperson_id: Option<i64>,
}

/// What the conversion dialog offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadChoices {
    pub sales_teams: Vec<Named>,
    /// Active internal users.
    pub salespeople: Vec<Named>,
}

/// One row of the *Leads* page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadRow {
    pub id: i64,
    pub title: String,
    pub customer: Option<String>,
    pub sales_team: String,
    pub salesperson: Option<UserRef>,
    /// The ticket it was converted from, when the caller may see that ticket.
    pub ticket: Option<TicketLink>,
    pub created_at: DateTime<Utc>,
}
