//! Tickets: cards, the board, the form, the staff view, the portal view, live board events.

use chrono::{DateTime, Utc};

use serde::{Deserialize, Serialize};

use super::*;

/// What a board card shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketCard {
    pub reference: String,
    pub team_id: i64,
    pub title: String,
    pub priority: Priority,
    pub assignee: Option<UserRef>,
    pub customer: Option<String>,
    pub created_at: DateTime<Utc>,
    pub stage_id: i64,
    pub position: f64,
    pub version: i64,
    /// The most urgent SLA clock of the ticket, if it has any.
    pub sla: Option<Countdown>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardColumn {
    pub stage: Stage,
    /// All tickets in the stage, even when only the first `cards` are sent.
    pub total: i64,
    pub cards: Vec<TicketCard>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Board {
    pub team: TeamSummary,
    pub columns: Vec<BoardColumn>,
    pub can_manage_stages: bool,
}

/// How many cards of one column to send.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ColumnLimit {
    pub stage_id: i64,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub account_id: Option<i64>,
    pub account_name: Option<String>,
}

impl Customer {
    pub fn display(&self) -> Option<String> {
        match (&self.contact_name, &self.account_name) {
            (Some(c), Some(a)) => Some(format!("{c} · {a}")),
            (Some(c), None) => Some(c.clone()),
            (None, Some(a)) => Some(a.clone()),
            (None, None) => None,
        }
    }
}

/// A search hit when picking a customer: a contact (with its account) or an account alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerHit {
    pub contact_id: Option<i64>,
    pub account_id: Option<i64>,
    pub label: String,
}

/// A customer created inline while creating or editing a ticket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewCustomer {
    pub name: String,
    pub email: String,
    pub account_name: String,
}

/// Editable ticket fields, for creation and for edits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketInput {
    pub title: String,
    pub description: String,
    pub team_id: i64,
    pub priority: Priority,
    pub origin: Origin,
    pub contact_id: Option<i64>,
    pub account_id: Option<i64>,
    pub new_customer: Option<NewCustomer>,
    pub subject_id: Option<i64>,
    pub product_id: Option<i64>,
    /// The specific (or general) reason code.
    #[serde(default)]
    pub reason_id: Option<i64>,
    #[serde(default)]
    pub region_id: Option<i64>,
    #[serde(default)]
    pub service_type_id: Option<i64>,
    /// The customer's device, by serial number.
    #[serde(default)]
    pub unit_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub tags: Vec<String>,
    /// Qualifications an agent needs to pick the ticket up (optional for API clients).
    #[serde(default)]
    pub requirements: Vec<Requirement>,
    /// The customer's entitlement the ticket draws on (SPEC S2).
    #[serde(default)]
    pub entitlement_id: Option<i64>,
    /// The ticket does not use up a term of its entitlement.
    #[serde(default)]
    pub do_not_decrement: bool,
    /// A billable ticket's service order number (free text).
    #[serde(default)]
    pub service_order: String,
}

impl TicketInput {
    /// A ticket with just a title, as quick-create makes it; the rest at its defaults.
    pub fn quick(team_id: i64, title: impl Into<String>) -> Self {
        TicketInput {
            title: title.into(),
            description: String::new(),
            team_id,
            priority: Priority::Normal,
            origin: Origin::Phone,
            contact_id: None,
            account_id: None,
            new_customer: None,
            subject_id: None,
            product_id: None,
            reason_id: None,
            region_id: None,
            service_type_id: None,
            unit_id: None,
            assignee_id: None,
            tags: Vec::new(),
            requirements: Vec::new(),
            entitlement_id: None,
            do_not_decrement: false,
            service_order: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

/// Choices offered by the ticket form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketFormOptions {
    pub teams: Vec<Named>,
    pub agents: Vec<Named>,
    /// The agents this user assigned tickets to most recently, latest first.
    pub recent_agents: Vec<Named>,
    /// Subjects with their full path, e.g. "Hardware › Printer".
    pub subjects: Vec<Named>,
    pub products: Vec<Named>,
    /// Reason codes with their full path, e.g. "Malfunction › Hardware fault".
    pub reasons: Vec<Named>,
    pub regions: Vec<Named>,
    pub service_types: Vec<Named>,
    /// Units as "serial · item · account".
    pub units: Vec<Named>,
    pub qualifications: Vec<Qualification>,
    /// Entitlements that can be chosen now (active, valid, terms left).
    #[serde(default)]
    pub entitlements: Vec<EntitlementChoice>,
}

/// The customer's device on a ticket, with what it entitles them to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitInfo {
    pub serial: String,
    pub item: String,
    pub unit_type: Option<String>,
    pub warranty_until: Option<chrono::NaiveDate>,
    pub contract: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketDetail {
    pub reference: String,
    pub title: String,
    pub description: String,
    pub team: Named,
    pub stage: Stage,
    pub stages: Vec<Stage>,
    pub status: TicketStatus,
    pub priority: Priority,
    pub origin: Origin,
    pub assignee: Option<UserRef>,
    pub customer: Customer,
    pub subject_id: Option<i64>,
    pub product_id: Option<i64>,
    pub reason_id: Option<i64>,
    pub region_id: Option<i64>,
    pub service_type_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub unit: Option<UnitInfo>,
    pub tags: Vec<String>,
    pub requirements: Vec<Requirement>,
    pub queues: Vec<Named>,
    pub created_by: Option<UserRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub timeline: Vec<TimelineEntry>,
    /// The SLA policy the ticket runs under, and its clocks (KPIs, then the escalation ladder).
    pub sla_policy: Option<String>,
    pub sla: Vec<Countdown>,
    /// The escalation level raised last, e.g. "P2 · Follow-up".
    pub escalation: Option<String>,
    pub entitlement: Option<EntitlementChoice>,
    pub do_not_decrement: bool,
    /// Deactivated catalog values the ticket still carries, named for its form.
    #[serde(default)]
    pub kept_choices: Vec<KeptChoice>,
    #[serde(default)]
    pub service_order: String,
    /// The current resolution, or the last one of a reopened ticket.
    #[serde(default)]
    pub resolution: Option<TicketResolution>,
    #[serde(default)]
    pub relations: TicketRelations,
    /// The ticket this one was merged into (then it is closed).
    #[serde(default)]
    pub merged_into: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub kind: TimelineKind,
    pub actor: Option<String>,
    pub at: DateTime<Utc>,
    pub summary: String,
    /// The message itself, for `Reply` and `Note` entries.
    #[serde(default)]
    pub message: Option<MessageView>,
}

/// Where "pick up next ticket" looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PullSource {
    /// Every team the agent is a member of.
    MyTeams,
    Team(i64),
    Queue(i64),
}

/// A change on a team's board, pushed live to every open browser of that team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardEvent {
    pub team_id: i64,
    pub reference: Option<String>,
    pub change: BoardChange,
    /// Who made the change; `None` for the system (background jobs).
    pub actor_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoardChange {
    TicketCreated,
    TicketMoved,
    TicketUpdated,
    StagesChanged,
}

/// How a board orders and narrows its cards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardView {
    /// Most urgent SLA deadline first instead of the manual order.
    pub by_urgency: bool,
    pub filter: SlaFilter,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaFilter {
    #[default]
    All,
    /// Nearing breach or breached.
    AtRisk,
    Breached,
}

/// A ticket as its customer sees it in the portal: an allow-list of fields and timeline entries,
/// never the staff view (no internal lines, queues, qualifications, SLA or contract data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortalTicket {
    pub reference: String,
    pub title: String,
    pub description: String,
    pub team_name: String,
    pub stage_name: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Only the kinds in `TimelineKind::customer_visible`.
    pub timeline: Vec<TimelineEntry>,
}

/// One row of a customer's ticket list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortalTicketRow {
    pub reference: String,
    pub title: String,
    pub status: TicketStatus,
    pub updated_at: DateTime<Utc>,
}
