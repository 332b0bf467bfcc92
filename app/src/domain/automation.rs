//! Automation rules (SPEC S3): a trigger, conditions and actions. Rules that change a ticket
//! raise new events, which may trigger further rules; a chain of events lets each rule fire at
//! most once, so rules can never keep triggering each other.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};

use super::routing::{self, TicketFacts};
use super::validate;
use crate::error::AppError;
use crate::model::{AutomationAction, AutomationConditions, AutomationRule, AutomationRuleInput, StageCategory, Trigger};

pub const ACTIONS_MAX: usize = 10;
pub const MESSAGE_MAX: usize = 200;
/// "No update for N hours" is limited to 90 days.
pub const QUIET_HOURS_MAX: i64 = 24 * 90;

/// Something that happened to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Created,
    Updated,
    StageChanged,
    CustomerReplied,
    AgentReplied,
}

impl Trigger {
    /// Whether a rule with this trigger reacts to `event`; time-based rules are run by the clock.
    pub fn fires_on(self, event: Event) -> bool {
        matches!(
            (self, event),
            (Trigger::Created, Event::Created)
                | (Trigger::Updated, Event::Updated)
                | (Trigger::StageChanged, Event::StageChanged)
                | (Trigger::CustomerReplied, Event::CustomerReplied)
                | (Trigger::AgentReplied, Event::AgentReplied)
        )
    }
}

/// The ticket as conditions see it.
#[derive(Debug, Clone, PartialEq)]
pub struct AutomationFacts<'a> {
    pub ticket: TicketFacts<'a>,
    pub team_id: i64,
    pub stage: StageCategory,
    pub assigned: bool,
}

pub fn matches(conditions: &AutomationConditions, facts: &AutomationFacts) -> bool {
    routing::matches(&conditions.ticket, &facts.ticket)
        && (conditions.team_ids.is_empty() || conditions.team_ids.contains(&facts.team_id))
        && (conditions.stages.is_empty() || conditions.stages.contains(&facts.stage))
        && !(conditions.unassigned_only && facts.assigned)
}

/// Whether a "no update for `hours`" rule is due for a ticket last updated at `updated_at`:
/// quiet long enough, and not already fired since that update.
pub fn is_quiet(updated_at: DateTime<Utc>, last_fired: Option<DateTime<Utc>>, hours: i64, now: DateTime<Utc>) -> bool {
    now - updated_at >= Duration::hours(hours) && last_fired.is_none_or(|fired| fired < updated_at)
}

/// One chain of events on one ticket, started by a person's or the clock's change.
#[derive(Debug, Clone)]
pub struct Chain {
    pending: VecDeque<Event>,
    fired: Vec<i64>,
}

impl Chain {
    pub fn new(events: Vec<Event>) -> Self {
        Chain { pending: events.into(), fired: Vec::new() }
    }

    pub fn next_event(&mut self) -> Option<Event> {
        self.pending.pop_front()
    }

    /// The enabled rules, in order, that react to `event` on a ticket with `facts` and have not
    /// fired in this chain yet; they are marked as fired.
    pub fn rules_for<'r>(&mut self, rules: &'r [AutomationRule], event: Event, facts: &AutomationFacts) -> Vec<&'r AutomationRule> {
        let due: Vec<&AutomationRule> = rules
            .iter()
            .filter(|r| r.rule.enabled && r.rule.trigger.fires_on(event) && !self.fired.contains(&r.id) && matches(&r.rule.conditions, facts))
            .collect();
        self.fired.extend(due.iter().map(|r| r.id));
        due
    }

    /// Events caused by a rule's actions.
    pub fn raise(&mut self, events: impl IntoIterator<Item = Event>) {
        self.pending.extend(events);
    }
}

/// A rule as it may be saved; ids are checked against the database by the store.
pub fn validate(input: &AutomationRuleInput) -> Result<AutomationRuleInput, AppError> {
    let name = super::validate::rule_name(&input.name)?;
    if let Trigger::NoUpdateFor { hours } = input.trigger {
        if !(1..=QUIET_HOURS_MAX).contains(&hours) {
            return Err(AppError::Invalid(format!("\"No update for\" takes 1 to {QUIET_HOURS_MAX} hours.")));
        }
    }
    if input.actions.is_empty() {
        return Err(AppError::Invalid("A rule needs at least one action.".into()));
    }
    if input.actions.len() > ACTIONS_MAX {
        return Err(AppError::Invalid(format!("A rule can have at most {ACTIONS_MAX} actions.")));
    }
    let mut actions = Vec::new();
    for action in &input.actions {
        actions.push(match action {
            AutomationAction::AddTag { tag } => {
                let tags = validate::tags(std::slice::from_ref(tag))?;
                let tag = tags.into_iter().next().ok_or_else(|| AppError::Invalid("The tag to add is empty.".into()))?;
                AutomationAction::AddTag { tag }
            }
            AutomationAction::Notify { user_id, message } => {
                let message = message.trim();
                if message.is_empty() || message.chars().count() > MESSAGE_MAX {
                    return Err(AppError::Invalid(format!("A notification needs a message of 1 to {MESSAGE_MAX} characters.")));
                }
                AutomationAction::Notify { user_id: *user_id, message: message.to_string() }
            }
            AutomationAction::SetStage { category } if matches!(input.trigger, Trigger::StageChanged) && input.conditions.stages.is_empty() => {
                return Err(AppError::Invalid(format!(
                    "A rule that moves tickets to a {} stage whenever the stage changes needs a stage condition.",
                    category.label()
                )));
            }
            other => other.clone(),
        });
    }
    let ticket = routing::clean_conditions(&input.conditions.ticket)?;
    let (teams, stages) = (&input.conditions.team_ids, &input.conditions.stages);
    if teams.len() > routing::VALUES_MAX || stages.len() > routing::VALUES_MAX {
        return Err(AppError::Invalid(format!("A condition can list at most {} values.", routing::VALUES_MAX)));
    }
    Ok(AutomationRuleInput {
        name,
        enabled: input.enabled,
        trigger: input.trigger,
        conditions: AutomationConditions { ticket, ..input.conditions.clone() },
        actions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Origin, Priority, RoutingConditions};
    use proptest::prelude::*;

    fn facts(stage: StageCategory) -> AutomationFacts<'static> {
        AutomationFacts {
            ticket: TicketFacts {
                origin: Origin::Email,
                priority: Priority::Normal,
                subject_path: &[],
                product_id: None,
                account_id: None,
                reason_path: &[],
                region_id: None,
                service_type_id: None,
                unit_type_id: None,
                title: "Printer",
                description: "",
            },
            team_id: 1,
            stage,
            assigned: false,
        }
    }

    fn rule(id: i64, trigger: Trigger, conditions: AutomationConditions) -> AutomationRule {
        AutomationRule {
            id,
            version: 1,
            owner_id: None,
            rule: AutomationRuleInput { name: format!("Rule {id}"), enabled: true, trigger, conditions, actions: vec![AutomationAction::SetPriority { priority: Priority::High }] },
        }
    }

    #[test]
    fn conditions_combine_ticket_team_stage_and_assignment() {
        let conditions = AutomationConditions {
            ticket: RoutingConditions { keywords: vec!["printer".into()], ..Default::default() },
            team_ids: vec![1],
            stages: vec![StageCategory::New],
            unassigned_only: true,
        };
        assert!(matches(&conditions, &facts(StageCategory::New)));
        assert!(!matches(&conditions, &facts(StageCategory::Waiting)));
        assert!(!matches(&conditions, &AutomationFacts { team_id: 2, ..facts(StageCategory::New) }));
        assert!(!matches(&conditions, &AutomationFacts { assigned: true, ..facts(StageCategory::New) }));
        assert!(matches(&AutomationConditions::default(), &facts(StageCategory::Solved)), "no condition: every ticket");
    }

    #[test]
    fn quiet_rules_fire_once_per_quiet_period() {
        let updated: DateTime<Utc> = "2026-11-20T08:00:00Z".parse().unwrap();
        let at = |h: i64| updated + Duration::hours(h);
        assert!(!is_quiet(updated, None, 48, at(47)));
        assert!(is_quiet(updated, None, 48, at(48)), "exactly N hours later");
        assert!(!is_quiet(updated, Some(at(48)), 48, at(60)), "already fired since the update");
        assert!(is_quiet(at(50), Some(at(48)), 48, at(98)), "a later update starts a new period");
    }

    #[test]
    fn a_chain_fires_rules_in_order_and_each_at_most_once() {
        let every = AutomationConditions::default();
        let rules = [rule(1, Trigger::Updated, every.clone()), rule(2, Trigger::Created, every.clone()), rule(3, Trigger::Updated, every.clone())];
        let mut chain = Chain::new(vec![Event::Updated]);
        let event = chain.next_event().unwrap();
        let first: Vec<i64> = chain.rules_for(&rules, event, &facts(StageCategory::New)).iter().map(|r| r.id).collect();
        assert_eq!(first, vec![1, 3]);
        chain.raise([Event::Updated]);
        let event = chain.next_event().unwrap();
        assert!(chain.rules_for(&rules, event, &facts(StageCategory::New)).is_empty(), "1 and 3 fired already");
        assert_eq!(chain.next_event(), None);
    }

    #[test]
    fn invalid_rules_are_refused_with_a_reason() {
        let base = rule(1, Trigger::Created, AutomationConditions::default()).rule;
        assert!(validate(&base).is_ok(), "no conditions is fine for automation");
        let none = AutomationRuleInput { actions: vec![], ..base.clone() };
        assert!(matches!(validate(&none), Err(AppError::Invalid(m)) if m.contains("at least one action")));
        let quiet = AutomationRuleInput { trigger: Trigger::NoUpdateFor { hours: 0 }, ..base.clone() };
        assert!(validate(&quiet).is_err());
        let blank_tag = AutomationRuleInput { actions: vec![AutomationAction::AddTag { tag: "  ".into() }], ..base.clone() };
        assert!(validate(&blank_tag).is_err());
        let silent = AutomationRuleInput { actions: vec![AutomationAction::Notify { user_id: None, message: " ".into() }], ..base.clone() };
        assert!(validate(&silent).is_err());
        let blank_keyword = AutomationRuleInput {
            conditions: AutomationConditions { ticket: RoutingConditions { keywords: vec![" ".into()], ..Default::default() }, ..Default::default() },
            ..base.clone()
        };
        assert!(validate(&blank_keyword).is_err());
        let bouncing = AutomationRuleInput { trigger: Trigger::StageChanged, actions: vec![AutomationAction::SetStage { category: StageCategory::InProgress }], ..base };
        assert!(matches!(validate(&bouncing), Err(AppError::Invalid(m)) if m.contains("needs a stage condition")));
    }

    proptest! {
        /// However rules trigger each other, a chain ends, and no rule fires twice in it.
        #[test]
        fn chains_always_end_and_never_fire_a_rule_twice(
            spec in proptest::collection::vec((0usize..5, proptest::collection::vec(0usize..5, 0..3)), 0..15),
            start in 0usize..5,
        ) {
            let events = [Event::Created, Event::Updated, Event::StageChanged, Event::CustomerReplied, Event::AgentReplied];
            let triggers = [Trigger::Created, Trigger::Updated, Trigger::StageChanged, Trigger::CustomerReplied, Trigger::AgentReplied];
            let rules: Vec<AutomationRule> = spec.iter().enumerate().map(|(i, (t, _))| rule(i as i64, triggers[*t], AutomationConditions::default())).collect();
            let mut chain = Chain::new(vec![events[start]]);
            let mut fired = Vec::new();
            let mut steps = 0;
            while let Some(event) = chain.next_event() {
                steps += 1;
                prop_assert!(steps <= 1 + rules.len() * 3, "the chain ends");
                for r in chain.rules_for(&rules, event, &facts(StageCategory::New)) {
                    fired.push(r.id);
                    chain.raise(spec[r.id as usize].1.iter().map(|e| events[*e]));
                }
            }
            let mut unique = fired.clone();
            unique.sort_unstable();
            unique.dedup();
            prop_assert_eq!(unique.len(), fired.len());
        }
    }
}
