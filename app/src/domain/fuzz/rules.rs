//! Rule conditions: routing and automation.

use super::*;

// ---------------------------------------------------------------------------------------------
// Rule conditions: routing and automation
// ---------------------------------------------------------------------------------------------

proptest! {
    // Whole rules are expensive to generate; fewer cases keep the module fast.
    #![proptest_config(config(128))]

    #[test]
    fn routing_rules_are_cleaned_and_bounded(input in routing_input()) {
        let expected = routing_model(&input);
        match outcome(routing::validate(&input))? {
            Some(rule) => {
                check_clean_name(&rule.name, &input.name, RULE_NAME_MAX)?;
                check_clean_conditions(&rule.conditions)?;
                prop_assert!(rule.conditions != RoutingConditions::default() && rule.actions != RoutingActions::default());
                prop_assert_eq!(Some(&rule), expected.as_ref());
                prop_assert_eq!(routing::validate(&rule), Ok(rule.clone()), "cleaning is idempotent");
            }
            None => prop_assert!(expected.is_none() || raw_list_over_bound(&input.conditions), "refused although valid: {input:?}"),
        }
    }

    #[test]
    fn automation_rules_are_cleaned_and_bounded(input in automation_input()) {
        let expected = automation_model(&input);
        match outcome(automation::validate(&input))? {
            Some(rule) => {
                check_clean_name(&rule.name, &input.name, RULE_NAME_MAX)?;
                check_clean_conditions(&rule.conditions.ticket)?;
                prop_assert!((1..=ACTIONS_MAX).contains(&rule.actions.len()));
                for action in &rule.actions {
                    match action {
                        AutomationAction::AddTag { tag } => check_clean_tags(std::slice::from_ref(tag))?,
                        AutomationAction::Notify { message, .. } => {
                            prop_assert!(!message.is_empty() && message.trim() == message && chars(message) <= MESSAGE_MAX, "{message:?}");
                        }
                        AutomationAction::SetStage { .. } => prop_assert!(rule.trigger != Trigger::StageChanged || !rule.conditions.stages.is_empty()),
                        _ => {}
                    }
                }
                if let Trigger::NoUpdateFor { hours } = rule.trigger {
                    prop_assert!((1..=QUIET_HOURS_MAX).contains(&hours));
                    // The clock can use every accepted number of hours, even at the ends of time.
                    prop_assert!(automation::is_quiet(DateTime::<Utc>::MIN_UTC, None, hours, DateTime::<Utc>::MAX_UTC));
                    prop_assert!(!automation::is_quiet(DateTime::<Utc>::MAX_UTC, None, hours, DateTime::<Utc>::MIN_UTC));
                }
                prop_assert_eq!(Some(&rule), expected.as_ref());
                prop_assert_eq!(automation::validate(&rule), Ok(rule.clone()), "cleaning is idempotent");
            }
            None => prop_assert!(expected.is_none() || raw_list_over_bound(&input.conditions.ticket), "refused although valid: {input:?}"),
        }
    }
}

fn valid_routing_rule() -> RoutingRuleInput {
    RoutingRuleInput {
        name: "VPN".into(),
        enabled: true,
        conditions: RoutingConditions { keywords: vec!["vpn".into()], ..Default::default() },
        actions: RoutingActions { team_id: Some(1), ..Default::default() },
    }
}

fn valid_automation_rule() -> AutomationRuleInput {
    AutomationRuleInput {
        name: "Quiet tickets".into(),
        enabled: true,
        trigger: Trigger::NoUpdateFor { hours: 24 },
        conditions: AutomationConditions::default(),
        actions: vec![AutomationAction::SetPriority { priority: Priority::High }],
    }
}

#[test]
fn huge_condition_lists_are_refused() {
    let good = valid_routing_rule();
    assert!(routing::validate(&good).is_ok());
    let keywords = RoutingConditions { keywords: (0..60_000).map(|i| format!("word{i}")).collect(), ..Default::default() };
    assert!(matches!(routing::validate(&RoutingRuleInput { conditions: keywords, ..good.clone() }), Err(AppError::Invalid(_))));
    let subjects = RoutingConditions { subject_ids: (0..60_000).collect(), ..Default::default() };
    assert!(matches!(routing::validate(&RoutingRuleInput { conditions: subjects.clone(), ..good.clone() }), Err(AppError::Invalid(_))));
    let automation = AutomationRuleInput { conditions: AutomationConditions { ticket: subjects, ..Default::default() }, ..valid_automation_rule() };
    assert!(matches!(automation::validate(&automation), Err(AppError::Invalid(_))));
    let actions = AutomationRuleInput { actions: vec![AutomationAction::RoundRobin; 60_000], ..valid_automation_rule() };
    assert!(matches!(automation::validate(&actions), Err(AppError::Invalid(_))));
    let word = RoutingConditions { keywords: vec!["x".repeat(1_000_000)], ..Default::default() };
    assert!(matches!(routing::validate(&RoutingRuleInput { conditions: word, ..good }), Err(AppError::Invalid(_))));
}

#[test]
fn extreme_quiet_hours_are_refused() {
    for hours in [i64::MIN, -1, 0, QUIET_HOURS_MAX + 1, i64::MAX] {
        let rule = AutomationRuleInput { trigger: Trigger::NoUpdateFor { hours }, ..valid_automation_rule() };
        assert!(matches!(automation::validate(&rule), Err(AppError::Invalid(_))), "{hours}");
    }
    for hours in [1, QUIET_HOURS_MAX] {
        let rule = AutomationRuleInput { trigger: Trigger::NoUpdateFor { hours }, ..valid_automation_rule() };
        assert_eq!(automation::validate(&rule).unwrap().trigger, Trigger::NoUpdateFor { hours });
    }
}

/// Each listed team costs the store a query (`check_references`), so the list must be bounded
/// like the ticket conditions' lists, and an accepted list carries no repeats.
#[test]
fn automation_team_and_stage_conditions_are_bounded() {
    let teams = AutomationConditions { team_ids: (1..=60_000).collect(), ..Default::default() };
    let rule = AutomationRuleInput { conditions: teams, ..valid_automation_rule() };
    assert!(matches!(automation::validate(&rule), Err(AppError::Invalid(_))), "60,000 team conditions were accepted");
    let stages = AutomationConditions { stages: vec![StageCategory::New; 60_000], team_ids: vec![1; 60_000], ..Default::default() };
    if let Ok(rule) = automation::validate(&AutomationRuleInput { conditions: stages, ..valid_automation_rule() }) {
        assert!(rule.conditions.stages.len() <= StageCategory::ALL.len(), "{} stage conditions kept", rule.conditions.stages.len());
        assert!(rule.conditions.team_ids.len() <= VALUES_MAX, "{} team conditions kept", rule.conditions.team_ids.len());
    }
}
