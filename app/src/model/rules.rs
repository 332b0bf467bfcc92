//! Routing and automation rules.

use serde::{Deserialize, Serialize};

use super::*;

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

/// What applying the routing rules to a selection did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingOutcome {
    /// "HD-1042: rule name" for each ticket a rule changed.
    pub routed: Vec<String>,
    pub unchanged: usize,
}
