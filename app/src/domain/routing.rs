//! Routing rules (SPEC S3): ordered, and the first enabled rule whose conditions all hold decides.

use crate::error::AppError;
use crate::model::{Origin, Priority, RoutingActions, RoutingConditions, RoutingRule, RoutingRuleInput};

pub const KEYWORD_MAX: usize = 60;
pub const KEYWORDS_MAX: usize = 30;
/// How many subjects, products, accounts… one condition may list.
pub const VALUES_MAX: usize = 100;

/// The fields of a ticket that conditions look at.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketFacts<'a> {
    pub origin: Origin,
    pub priority: Priority,
    /// The ticket's subject followed by its ancestors, so a rule on "Hardware" catches "Hardware › Printer".
    pub subject_path: &'a [i64],
    pub product_id: Option<i64>,
    pub account_id: Option<i64>,
    /// The reason code followed by its more general ancestors.
    pub reason_path: &'a [i64],
    pub region_id: Option<i64>,
    pub service_type_id: Option<i64>,
    pub unit_type_id: Option<i64>,
    pub title: &'a str,
    pub description: &'a str,
}

fn any_or_empty<T: PartialEq>(allowed: &[T], value: Option<&T>) -> bool {
    allowed.is_empty() || value.is_some_and(|v| allowed.contains(v))
}

pub fn matches(conditions: &RoutingConditions, facts: &TicketFacts) -> bool {
    let text = || format!("{}\n{}", facts.title, facts.description).to_lowercase();
    any_or_empty(&conditions.origins, Some(&facts.origin))
        && any_or_empty(&conditions.priorities, Some(&facts.priority))
        && (conditions.subject_ids.is_empty() || facts.subject_path.iter().any(|s| conditions.subject_ids.contains(s)))
        && any_or_empty(&conditions.product_ids, facts.product_id.as_ref())
        && any_or_empty(&conditions.account_ids, facts.account_id.as_ref())
        && (conditions.reason_ids.is_empty() || facts.reason_path.iter().any(|r| conditions.reason_ids.contains(r)))
        && any_or_empty(&conditions.region_ids, facts.region_id.as_ref())
        && any_or_empty(&conditions.service_type_ids, facts.service_type_id.as_ref())
        && any_or_empty(&conditions.unit_type_ids, facts.unit_type_id.as_ref())
        && (conditions.keywords.is_empty() || {
            let text = text();
            conditions.keywords.iter().any(|word| text.contains(word.as_str()))
        })
}

/// The first enabled rule, in order, that matches the ticket.
pub fn first_match<'r>(rules: &'r [RoutingRule], facts: &TicketFacts) -> Option<&'r RoutingRule> {
    rules.iter().find(|r| r.rule.enabled && matches(&r.rule.conditions, facts))
}

fn deduplicated<T: PartialEq + Clone>(values: &[T]) -> Vec<T> {
    let mut kept: Vec<T> = Vec::new();
    for value in values {
        if !kept.contains(value) {
            kept.push(value.clone());
        }
    }
    kept
}

/// Conditions with keywords trimmed and lower-cased and every list without duplicates.
pub fn clean_conditions(given: &RoutingConditions) -> Result<RoutingConditions, AppError> {
    // Lists are bounded before any work: removing duplicates is quadratic.
    if given.keywords.len() > 2 * KEYWORDS_MAX {
        return Err(AppError::Invalid(format!("A rule can look for at most {KEYWORDS_MAX} keywords.")));
    }
    let c = given;
    let lengths = [
        c.origins.len(),
        c.priorities.len(),
        c.subject_ids.len(),
        c.product_ids.len(),
        c.account_ids.len(),
        c.reason_ids.len(),
        c.region_ids.len(),
        c.service_type_ids.len(),
        c.unit_type_ids.len(),
    ];
    if lengths.iter().any(|n| *n > VALUES_MAX) {
        return Err(AppError::Invalid(format!("A condition can list at most {VALUES_MAX} values.")));
    }
    let mut keywords = Vec::new();
    for raw in &given.keywords {
        let word = raw.trim().to_lowercase();
        if word.is_empty() {
            return Err(AppError::Invalid("A keyword condition cannot be empty.".into()));
        }
        if word.chars().count() > KEYWORD_MAX {
            return Err(AppError::Invalid(format!("The keyword {} is longer than {KEYWORD_MAX} characters.", super::validate::quoted(&word))));
        }
        keywords.push(word);
    }
    let keywords = deduplicated(&keywords);
    if keywords.len() > KEYWORDS_MAX {
        return Err(AppError::Invalid(format!("A rule can look for at most {KEYWORDS_MAX} keywords.")));
    }
    let ids = |values: &[i64]| Ok::<_, AppError>(deduplicated(values));
    Ok(RoutingConditions {
        origins: deduplicated(&c.origins),
        priorities: deduplicated(&c.priorities),
        subject_ids: ids(&c.subject_ids)?,
        product_ids: ids(&c.product_ids)?,
        account_ids: ids(&c.account_ids)?,
        keywords,
        reason_ids: ids(&c.reason_ids)?,
        region_ids: ids(&c.region_ids)?,
        service_type_ids: ids(&c.service_type_ids)?,
        unit_type_ids: ids(&c.unit_type_ids)?,
    })
}

/// A rule as it may be saved: named, with at least one condition and one action; keywords
/// trimmed and lower-cased. Ids are checked against the database by the store.
pub fn validate(input: &RoutingRuleInput) -> Result<RoutingRuleInput, AppError> {
    let name = super::validate::rule_name(&input.name)?;
    let conditions = clean_conditions(&input.conditions)?;
    if conditions == RoutingConditions::default() {
        return Err(AppError::Invalid("A rule needs at least one condition; otherwise it would catch every ticket.".into()));
    }
    if input.actions == RoutingActions::default() {
        return Err(AppError::Invalid("A rule needs an action: route to a team, queue or user, or set the priority.".into()));
    }
    Ok(RoutingRuleInput { name, enabled: input.enabled, conditions, actions: input.actions.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn facts<'a>(subject_path: &'a [i64], title: &'a str) -> TicketFacts<'a> {
        TicketFacts {
            origin: Origin::Email,
            priority: Priority::Normal,
            subject_path,
            product_id: Some(3),
            account_id: None,
            reason_path: &[],
            region_id: Some(7),
            service_type_id: None,
            unit_type_id: None,
            title,
            description: "",
        }
    }

    fn rule(id: i64, enabled: bool, conditions: RoutingConditions) -> RoutingRule {
        RoutingRule {
            id,
            version: 1,
            owner_id: None,
            rule: RoutingRuleInput { name: format!("Rule {id}"), enabled, conditions, actions: RoutingActions { team_id: Some(id), ..Default::default() } },
        }
    }

    #[test]
    fn a_subject_condition_catches_the_subtree() {
        let on_hardware = RoutingConditions { subject_ids: vec![1], ..Default::default() };
        assert!(matches(&on_hardware, &facts(&[5, 1], "Printer jam")), "child of Hardware");
        assert!(matches(&on_hardware, &facts(&[1], "Anything")));
        assert!(!matches(&on_hardware, &facts(&[7, 2], "Anything")));
        assert!(!matches(&on_hardware, &facts(&[], "No subject")));
    }

    #[test]
    fn all_conditions_must_hold_and_keywords_ignore_case() {
        let conditions = RoutingConditions {
            origins: vec![Origin::Email, Origin::Phone],
            keywords: vec!["outage".into()],
            ..Default::default()
        };
        assert!(matches(&conditions, &facts(&[], "Total OUTAGE in Berlin")));
        assert!(!matches(&conditions, &facts(&[], "Printer jam")), "keyword missing");
        let by_chat = TicketFacts { origin: Origin::Chat, ..facts(&[], "Outage") };
        assert!(!matches(&conditions, &by_chat), "origin not listed");
        let region = RoutingConditions { region_ids: vec![7], ..Default::default() };
        assert!(matches(&region, &facts(&[], "")));
        let on_site = RoutingConditions { service_type_ids: vec![2], ..Default::default() };
        assert!(!matches(&on_site, &facts(&[], "")), "no service type never matches a service type condition");
        let faults = RoutingConditions { reason_ids: vec![1], ..Default::default() };
        assert!(matches(&faults, &TicketFacts { reason_path: &[4, 1], ..facts(&[], "") }), "a specific reason below the general one");
        let product = RoutingConditions { product_ids: vec![3], ..Default::default() };
        assert!(matches(&product, &facts(&[], "")));
        assert!(!matches(&product, &TicketFacts { product_id: None, ..facts(&[], "") }), "no product never matches a product condition");
    }

    #[test]
    fn the_first_enabled_match_wins() {
        let keyword = |word: &str| RoutingConditions { keywords: vec![word.into()], ..Default::default() };
        let rules = [rule(1, false, keyword("vpn")), rule(2, true, keyword("printer")), rule(3, true, keyword("vpn")), rule(4, true, keyword("vpn"))];
        assert_eq!(first_match(&rules, &facts(&[], "VPN down")).map(|r| r.id), Some(3), "rule 1 is disabled; 3 comes before 4");
        assert_eq!(first_match(&rules, &facts(&[], "Nothing matches")).map(|r| r.id), None);
    }

    #[test]
    fn rules_without_conditions_actions_or_name_are_refused() {
        let good = rule(1, true, RoutingConditions { keywords: vec!["  VPN ".into(), "vpn".into()], ..Default::default() }).rule;
        assert_eq!(validate(&good).unwrap().conditions.keywords, vec!["vpn"]);
        let no_condition = RoutingRuleInput { conditions: RoutingConditions::default(), ..good.clone() };
        assert!(matches!(validate(&no_condition), Err(AppError::Invalid(m)) if m.contains("at least one condition")));
        let no_action = RoutingRuleInput { actions: RoutingActions::default(), ..good.clone() };
        assert!(matches!(validate(&no_action), Err(AppError::Invalid(m)) if m.contains("needs an action")));
        let blank_keyword = RoutingRuleInput { conditions: RoutingConditions { keywords: vec![" ".into()], ..Default::default() }, ..good.clone() };
        assert!(validate(&blank_keyword).is_err());
        let huge = RoutingRuleInput { conditions: RoutingConditions { subject_ids: (0..=VALUES_MAX as i64).collect(), ..Default::default() }, ..good.clone() };
        assert!(matches!(validate(&huge), Err(AppError::Invalid(m)) if m.contains("at most")));
        assert!(validate(&RoutingRuleInput { name: " ".into(), ..good }).is_err());
    }

    proptest! {
        /// Whatever the rules, the decision is the first enabled match, and an empty list decides nothing.
        #[test]
        fn first_match_is_the_earliest_enabled_matching_rule(
            spec in proptest::collection::vec((any::<bool>(), proptest::option::of(0i64..4)), 0..12),
            subject in 0i64..4,
        ) {
            let rules: Vec<RoutingRule> = spec.iter().enumerate()
                .map(|(i, (enabled, on))| rule(i as i64, *enabled, RoutingConditions {
                    subject_ids: on.map(|s| vec![s]).unwrap_or_default(),
                    origins: if on.is_none() { vec![Origin::Fax] } else { vec![] },
                    ..Default::default()
                }))
                .collect();
            let path = [subject];
            let chosen = first_match(&rules, &facts(&path, "t")).map(|r| r.id);
            let expected = spec.iter().position(|(enabled, on)| *enabled && *on == Some(subject)).map(|i| i as i64);
            prop_assert_eq!(chosen, expected);
        }
    }
}
