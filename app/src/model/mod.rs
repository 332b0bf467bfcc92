//! Typed values that travel between browser and server.

mod enums;

pub use enums::*;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::domain::calendar::WorkingPeriod;
pub use crate::domain::sla::{Countdown, SlaState};

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamSummary {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub visibility: Visibility,
    pub open_tickets: i64,
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub kind: TimelineKind,
    pub actor: Option<String>,
    pub at: DateTime<Utc>,
    pub summary: String,
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

/// When a routing rule applies: every non-empty list must match (any value within a list).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoutingConditions {
    pub origins: Vec<Origin>,
    pub priorities: Vec<Priority>,
    /// A subject also matches every subject below it in the tree.
    pub subject_ids: Vec<i64>,
    pub product_ids: Vec<i64>,
    /// The customer's account (directly or through the contact).
    pub account_ids: Vec<i64>,
    /// Any of these words in the title or description, ignoring case.
    pub keywords: Vec<String>,
    /// A reason code also matches every more specific code below it.
    pub reason_ids: Vec<i64>,
    pub region_ids: Vec<i64>,
    pub service_type_ids: Vec<i64>,
    /// The type of the ticket's unit.
    pub unit_type_ids: Vec<i64>,
}

/// What a matching routing rule does to the ticket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoutingActions {
    pub team_id: Option<i64>,
    /// Also puts the ticket into this named queue.
    #[serde(default)]
    pub queue_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub priority: Option<Priority>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingRuleInput {
    pub name: String,
    pub enabled: bool,
    pub conditions: RoutingConditions,
    pub actions: RoutingActions,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingRule {
    pub id: i64,
    pub rule: RoutingRuleInput,
    pub version: i64,
    /// The lead who wrote it: the rule acts only on the teams they may shape. `None`: an
    /// installation-wide rule (admins' and shipped ones).
    #[serde(default)]
    pub owner_id: Option<i64>,
}

/// The names rule screens show and offer to pick from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleChoices {
    pub teams: Vec<Named>,
    pub queues: Vec<Named>,
    pub agents: Vec<Named>,
    pub subjects: Vec<Named>,
    pub products: Vec<Named>,
    pub accounts: Vec<Named>,
    pub reasons: Vec<Named>,
    pub regions: Vec<Named>,
    pub service_types: Vec<Named>,
    pub unit_types: Vec<Named>,
}

/// The routing rules in order, with the names of what they refer to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingSetup {
    pub rules: Vec<RoutingRule>,
    /// The caller may write rules.
    pub can_edit: bool,
    /// The rules the caller may change: all for admins, their own for leads.
    #[serde(default)]
    pub changeable: Vec<i64>,
    pub choices: RuleChoices,
}

/// What starts an automation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Created,
    Updated,
    StageChanged,
    CustomerReplied,
    AgentReplied,
    /// Checked by the clock: the ticket is open and nobody changed it for this many hours.
    NoUpdateFor { hours: i64 },
}

impl Trigger {
    pub fn label(self) -> String {
        match self {
            Trigger::Created => "A ticket is created".into(),
            Trigger::Updated => "A ticket is updated".into(),
            Trigger::StageChanged => "A ticket changes stage".into(),
            Trigger::CustomerReplied => "The customer replies".into(),
            Trigger::AgentReplied => "An agent replies to the customer".into(),
            Trigger::NoUpdateFor { hours } => format!("An open ticket has had no update for {hours} hours"),
        }
    }
}

/// When an automation rule applies: the ticket's fields as in routing, plus where it stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AutomationConditions {
    pub ticket: RoutingConditions,
    pub team_ids: Vec<i64>,
    /// The category of the ticket's stage.
    pub stages: Vec<StageCategory>,
    pub unassigned_only: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AutomationAction {
    Assign { user_id: i64 },
    /// The next member of the ticket's team in turn.
    RoundRobin,
    /// Moves the ticket to the first stage of this category in its team (and so sets its status).
    SetStage { category: StageCategory },
    SetPriority { priority: Priority },
    AddFollower { user_id: i64 },
    AddTag { tag: String },
    /// Notifies `user_id`, or with `None` the assignee (the team's leads while unassigned).
    Notify { user_id: Option<i64>, message: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutomationRuleInput {
    pub name: String,
    pub enabled: bool,
    pub trigger: Trigger,
    pub conditions: AutomationConditions,
    pub actions: Vec<AutomationAction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutomationRule {
    pub id: i64,
    pub rule: AutomationRuleInput,
    pub version: i64,
    /// The lead who wrote it: the rule acts only on the teams they may shape. `None`: an
    /// installation-wide rule (admins' and shipped ones).
    #[serde(default)]
    pub owner_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutomationSetup {
    pub rules: Vec<AutomationRule>,
    /// The caller may write rules.
    pub can_edit: bool,
    /// The rules the caller may change: all for admins, their own for leads.
    #[serde(default)]
    pub changeable: Vec<i64>,
    pub choices: RuleChoices,
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

/// What applying the routing rules to a selection did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingOutcome {
    /// "HD-1042: rule name" for each ticket a rule changed.
    pub routed: Vec<String>,
    pub unchanged: usize,
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

/// Where "pick up next ticket" looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PullSource {
    /// Every team the agent is a member of.
    MyTeams,
    Team(i64),
    Queue(i64),
}

/// An absence: from (inclusive) until (exclusive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeOff {
    pub id: i64,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
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

/// Working hours and holidays of a calendar (SPEC S4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    /// The built-in round-the-clock calendar; not editable.
    pub always_open: bool,
    pub periods: Vec<WorkingPeriod>,
    pub holidays: Vec<chrono::NaiveDate>,
    pub version: i64,
}

/// A calendar as typed: one line of hours per weekday (Monday first), holidays one per line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CalendarInput {
    pub name: String,
    pub time_zone: String,
    /// Seven entries such as "09:00-12:00, 13:00-17:00"; empty for a day off.
    pub hours: Vec<String>,
    /// Dates as YYYY-MM-DD, separated by lines or commas.
    pub holidays: String,
}

/// A priority's code, expected times and escalation ladder, in business minutes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorityCode {
    pub priority: Priority,
    pub code: String,
    pub follow_up_minutes: i64,
    pub warning_minutes: i64,
    pub late_minutes: i64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorityCodeInput {
    pub code: String,
    /// Durations as typed ("30m", "4h", "1h 30m").
    pub follow_up: String,
    pub warning: String,
    pub late: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub id: i64,
    pub team: Named,
    pub name: String,
    pub enabled: bool,
    pub calendar: Named,
    pub priorities: Vec<Priority>,
    pub accounts: Vec<Named>,
    pub requires_entitlement: bool,
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
    pub next_response_minutes: Option<i64>,
    pub warning_percent: i64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPolicyInput {
    pub team_id: i64,
    pub name: String,
    pub enabled: bool,
    pub calendar_id: i64,
    pub priorities: Vec<Priority>,
    pub account_ids: Vec<i64>,
    pub requires_entitlement: bool,
    pub first_response: String,
    pub resolution: String,
    /// Empty when the policy has no next-response KPI.
    pub next_response: String,
    pub warning_percent: i64,
}

/// Everything the SLA admin screen shows and offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaSetup {
    pub calendars: Vec<Calendar>,
    pub priority_codes: Vec<PriorityCode>,
    pub policies: Vec<SlaPolicy>,
    pub teams: Vec<Named>,
    pub accounts: Vec<Named>,
    /// Admins and leads edit policies.
    pub can_edit: bool,
    /// Only admins edit calendars and priority codes.
    pub can_edit_shared: bool,
}

/// A customer's entitlement (SPEC S2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entitlement {
    pub id: i64,
    pub account: Named,
    pub contact: Option<Named>,
    pub name: String,
    pub kind: EntitlementKind,
    pub total_terms: i64,
    pub remaining_terms: i64,
    pub valid_from: chrono::NaiveDate,
    pub valid_to: chrono::NaiveDate,
    pub policy: Option<Named>,
    pub decrement_on: DecrementOn,
    pub active: bool,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitlementInput {
    pub account_id: i64,
    pub contact_id: Option<i64>,
    pub name: String,
    pub kind: EntitlementKind,
    pub total_terms: i64,
    pub remaining_terms: i64,
    pub valid_from: chrono::NaiveDate,
    pub valid_to: chrono::NaiveDate,
    pub policy_id: Option<i64>,
    pub decrement_on: DecrementOn,
    pub active: bool,
}

/// An entitlement as the ticket form offers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitlementChoice {
    pub id: i64,
    pub account_id: i64,
    pub contact_id: Option<i64>,
    pub name: String,
    /// e.g. "Premium support · 7 of 10 cases left · until 2027-06-30".
    pub label: String,
}

impl EntitlementChoice {
    /// Whether a ticket of this customer may draw on the entitlement.
    pub fn fits(&self, account_id: Option<i64>, contact_id: Option<i64>) -> bool {
        account_id == Some(self.account_id) && self.contact_id.is_none_or(|c| contact_id == Some(c))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitlementsSetup {
    pub entitlements: Vec<Entitlement>,
    pub accounts: Vec<Named>,
    /// Contacts as "name · account", with their account.
    pub contacts: Vec<(Named, Option<i64>)>,
    pub policies: Vec<Named>,
    pub can_edit: bool,
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
