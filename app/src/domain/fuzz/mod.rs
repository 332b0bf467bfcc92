//! Property tests for every validator and parser that reads request data: whatever a request
//! carries (huge strings, unicode, control characters, extreme numbers, long lists), the answer
//! is the cleaned value or `AppError::Invalid`, never a panic or an internal error, and what is
//! accepted keeps the documented bounds.

use std::collections::HashSet;
use std::hash::Hash;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::automation::{self, ACTIONS_MAX, MESSAGE_MAX, QUIET_HOURS_MAX};
use super::calendar::{self, WorkingPeriod, DAY_LINE_MAX, HOLIDAYS_TEXT_MAX, MINUTES_PER_DAY, WEEKDAYS};
use super::reference;
use super::routing::{self, KEYWORDS_MAX, KEYWORD_MAX, VALUES_MAX};
use super::sla;
use super::validate::{self, DESCRIPTION_MAX, QUALIFICATION_NAME_MAX, QUEUE_NAME_MAX, RULE_NAME_MAX, SCALE_MAX, STAGE_NAME_MAX, TAGS_MAX, TAG_MAX, TITLE_MAX};
use crate::error::AppError;
use crate::model::{
    AssignmentMethod, AutomationAction, AutomationConditions, AutomationRuleInput, NewCustomer, Origin, Priority, Qualification, QualificationKind,
    Requirement, Role, RoutingActions, RoutingConditions, RoutingRuleInput, StageCategory, TicketInput, Trigger, Visibility,
};

/// `sla::MAX_MINUTES` (private): a year of business minutes is the longest target.
const YEAR_OF_MINUTES: i64 = 366 * 24 * 60;
/// Longest customer name `validate::new_customer` accepts.
const CUSTOMER_NAME_MAX: usize = 120;
/// Longest email address `validate::email` accepts, in bytes.
const EMAIL_MAX: usize = 254;

/// Bounded runs, and no regression files written into the shared working tree.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Any text a request may carry: words with padding, any unicode, control and invisible
/// characters, and now and then a huge string.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>(),
        3 => "[ \t\n]{0,2}[A-Za-z0-9 äöüßİ._@:,-]{0,60}[ \t\n]{0,2}",
        1 => "[\\x{0}-\\x{1f}\\x{7f}-\\x{9f}\u{200b}\u{202e}\u{feff}\u{2028} a]{0,30}",
        1 => prop::collection::vec(any::<char>(), 0..300).prop_map(String::from_iter),
        1 => (prop::sample::select(vec!['a', 'Z', 'ü', '😀', '\u{0}', ' ', '\u{301}', 'İ', ',', '-', ':', '9']), 0usize..70_000)
            .prop_map(|(c, n)| c.to_string().repeat(n)),
    ]
}

/// A string of about `max` characters (two fewer to two more), sometimes padded with blanks.
fn near_limit(max: usize) -> impl Strategy<Value = String> {
    (max.saturating_sub(2)..=max + 2, prop::sample::select(vec!['a', 'Z', 'ü', '😀', '\u{301}', 'İ', ' ']), "[ \t]{0,2}", "[ \t]{0,2}")
        .prop_map(|(n, c, before, after)| format!("{before}{}{after}", c.to_string().repeat(n)))
}

fn name_text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![3 => text(), 1 => near_limit(max)]
}

/// Ids as a client may send them, extremes included.
fn id() -> impl Strategy<Value = i64> {
    prop_oneof![3 => any::<i64>(), 2 => -2i64..6, 1 => Just(i64::MIN), 1 => Just(i64::MAX), 1 => Just(0i64)]
}

fn tag() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[ ]{0,2}[A-Za-zÄÖÜäöüİ0-9-]{0,12}[ ]{0,2}", 1 => near_limit(TAG_MAX), 1 => text()]
}

fn tag_list() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        4 => prop::collection::vec(tag(), 0..8),
        2 => prop::collection::vec("[a-z]{1,3}", TAGS_MAX - 2..TAGS_MAX + 4),
        1 => prop::collection::vec(tag(), TAGS_MAX - 2..TAGS_MAX + 6),
        1 => prop::collection::vec("[ ]?[a-cA-C]{1,2}", 0..200),
    ]
}

fn id_list() -> impl Strategy<Value = Vec<i64>> {
    prop_oneof![
        8 => prop::collection::vec(id(), 0..4),
        1 => prop::collection::vec(any::<i64>(), VALUES_MAX - 3..VALUES_MAX + 8),
        1 => prop::collection::vec(-3i64..3, VALUES_MAX..VALUES_MAX + 30),
    ]
}

fn keyword() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[ ]{0,2}[A-Za-zÄÖÜäöü]{1,12}[ ]{0,2}", 1 => near_limit(KEYWORD_MAX), 1 => text()]
}

fn keyword_list() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        6 => prop::collection::vec(keyword(), 0..4),
        1 => prop::collection::vec("[a-z]{1,4}", KEYWORDS_MAX - 2..KEYWORDS_MAX + 4),
        1 => prop::collection::vec("[ab]{1,2}", KEYWORDS_MAX..KEYWORDS_MAX + 30),
    ]
}

fn routing_conditions() -> impl Strategy<Value = RoutingConditions> {
    (
        prop::collection::vec(prop::sample::select(Origin::ALL), 0..12),
        prop::collection::vec(prop::sample::select(Priority::ALL), 0..6),
        id_list(),
        id_list(),
        id_list(),
        keyword_list(),
        id_list(),
        id_list(),
        id_list(),
        id_list(),
    )
        .prop_map(|(origins, priorities, subject_ids, product_ids, account_ids, keywords, reason_ids, region_ids, service_type_ids, unit_type_ids)| {
            RoutingConditions { origins, priorities, subject_ids, product_ids, account_ids, keywords, reason_ids, region_ids, service_type_ids, unit_type_ids }
        })
}

fn routing_actions() -> impl Strategy<Value = RoutingActions> {
    (prop::option::of(id()), prop::option::of(id()), prop::option::of(id()), prop::option::of(prop::sample::select(Priority::ALL)))
        .prop_map(|(team_id, queue_id, assignee_id, priority)| RoutingActions { team_id, queue_id, assignee_id, priority })
}

fn routing_input() -> impl Strategy<Value = RoutingRuleInput> {
    (name_text(RULE_NAME_MAX), any::<bool>(), routing_conditions(), routing_actions())
        .prop_map(|(name, enabled, conditions, actions)| RoutingRuleInput { name, enabled, conditions, actions })
}

fn hours() -> impl Strategy<Value = i64> {
    prop_oneof![2 => any::<i64>(), 2 => -2i64..=QUIET_HOURS_MAX + 2, 1 => Just(i64::MIN), 1 => Just(i64::MAX), 1 => Just(QUIET_HOURS_MAX + 1)]
}

fn trigger() -> impl Strategy<Value = Trigger> {
    prop_oneof![
        Just(Trigger::Created),
        Just(Trigger::Updated),
        Just(Trigger::StageChanged),
        Just(Trigger::CustomerReplied),
        Just(Trigger::AgentReplied),
        hours().prop_map(|hours| Trigger::NoUpdateFor { hours }),
    ]
}

fn action() -> impl Strategy<Value = AutomationAction> {
    prop_oneof![
        id().prop_map(|user_id| AutomationAction::Assign { user_id }),
        Just(AutomationAction::RoundRobin),
        prop::sample::select(StageCategory::ALL).prop_map(|category| AutomationAction::SetStage { category }),
        prop::sample::select(Priority::ALL).prop_map(|priority| AutomationAction::SetPriority { priority }),
        id().prop_map(|user_id| AutomationAction::AddFollower { user_id }),
        tag().prop_map(|tag| AutomationAction::AddTag { tag }),
        (prop::option::of(id()), prop_oneof![2 => text(), 1 => near_limit(MESSAGE_MAX)]).prop_map(|(user_id, message)| AutomationAction::Notify { user_id, message }),
    ]
}

fn automation_input() -> impl Strategy<Value = AutomationRuleInput> {
    let actions = prop_oneof![4 => prop::collection::vec(action(), 0..4), 1 => prop::collection::vec(action(), ACTIONS_MAX - 1..ACTIONS_MAX + 3)];
    let conditions = (routing_conditions(), prop::collection::vec(id(), 0..5), prop::collection::vec(prop::sample::select(StageCategory::ALL), 0..4), any::<bool>())
        .prop_map(|(ticket, team_ids, stages, unassigned_only)| AutomationConditions { ticket, team_ids, stages, unassigned_only });
    (name_text(RULE_NAME_MAX), any::<bool>(), trigger(), conditions, actions)
        .prop_map(|(name, enabled, trigger, conditions, actions)| AutomationRuleInput { name, enabled, trigger, conditions, actions })
}

fn email_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => text(),
        2 => "[ ]?[a-z0-9.+_-]{0,20}@{0,2}[a-z0-9.-]{0,20}[ ]?",
        1 => (near_limit(EMAIL_MAX - 6)).prop_map(|local| format!("{}@b.de", local.trim())),
    ]
}

fn new_customer_input() -> impl Strategy<Value = NewCustomer> {
    (name_text(CUSTOMER_NAME_MAX), prop_oneof![email_text(), "[ ]{0,2}"], text()).prop_map(|(name, email, account_name)| NewCustomer { name, email, account_name })
}

/// A rating or scale end as a client may send it.
fn rating_value() -> impl Strategy<Value = i64> {
    prop_oneof![3 => -2i64..=SCALE_MAX + 2, 2 => any::<i64>(), 1 => Just(i64::MIN), 1 => Just(i64::MAX)]
}

fn ticket_input() -> impl Strategy<Value = TicketInput> {
    (
        (name_text(TITLE_MAX), prop_oneof![3 => text(), 1 => near_limit(DESCRIPTION_MAX)], tag_list(), prop::option::of(new_customer_input())),
        (id(), prop::sample::select(Priority::ALL), prop::sample::select(Origin::ALL), prop::option::of(id()), prop::option::of(id())),
        (
            prop::collection::vec(prop::option::of(id()), 8),
            prop::collection::vec((id(), rating_value()).prop_map(|(qualification_id, min_rating)| Requirement { qualification_id, min_rating }), 0..4),
            any::<bool>(),
        ),
    )
        .prop_map(|((title, description, tags, new_customer), (team_id, priority, origin, contact_id, account_id), (ids, requirements, do_not_decrement))| {
            TicketInput {
                title,
                description,
                team_id,
                priority,
                origin,
                contact_id,
                account_id,
                new_customer,
                subject_id: ids[0],
                product_id: ids[1],
                reason_id: ids[2],
                region_id: ids[3],
                service_type_id: ids[4],
                unit_id: ids[5],
                assignee_id: ids[6],
                tags,
                requirements,
                entitlement_id: ids[7],
                do_not_decrement,
                service_order: String::new(),
            }
        })
}

/// "HH:MM" with numbers a client may send: mostly plausible, sometimes huge.
fn clock_text() -> impl Strategy<Value = String> {
    (prop_oneof![3 => 0u64..30, 1 => any::<u64>(), 1 => Just(1093u64), 1 => Just(65_535u64)], prop_oneof![3 => 0u64..70, 1 => any::<u64>()])
        .prop_map(|(h, m)| format!("{h:02}:{m:02}"))
}

fn day_line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec((clock_text(), clock_text()), 0..4).prop_map(|ps| ps.iter().map(|(a, b)| format!("{a}-{b}")).collect::<Vec<_>>().join(", ")),
        2 => text(),
        1 => near_limit(DAY_LINE_MAX),
        1 => (0usize..DAY_LINE_MAX + 20).prop_map(|n| format!("09:00-10:00{}", ",".repeat(n))),
    ]
}

/// A valid week: per weekday, sorted distinct minutes paired into non-overlapping periods.
fn valid_week() -> impl Strategy<Value = Vec<Vec<(u16, u16)>>> {
    prop::collection::vec(prop::collection::btree_set(0u16..=MINUTES_PER_DAY, 0..30), 7).prop_map(|days| {
        days.into_iter()
            .map(|points| {
                let points: Vec<u16> = points.into_iter().collect();
                points.chunks_exact(2).map(|pair| (pair[0], pair[1])).collect()
            })
            .collect()
    })
}

fn clock(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

fn date() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(1000, 1, 1).unwrap().num_days_from_ce();
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap().num_days_from_ce();
    prop_oneof![
        4 => (first..=last).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap()),
        1 => (0i32..800).prop_map(|d| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(d.into())),
    ]
}

fn separator() -> impl Strategy<Value = String> {
    prop::sample::select(vec![",", " ", "\n", ", ", "\r\n", "\t", ",,", " ,\n"]).prop_map(str::to_string)
}

fn holiday_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => text(),
        2 => prop::collection::vec(("[+-]?[0-9]{1,7}", "[0-9]{1,3}", "[0-9]{1,3}", separator()), 0..6)
            .prop_map(|parts| parts.iter().map(|(y, m, d, sep)| format!("{y}-{m}-{d}{sep}")).collect::<String>()),
        1 => (HOLIDAYS_TEXT_MAX - 12..HOLIDAYS_TEXT_MAX + 12).prop_map(|n| format!("{:<n$}", "2026-12-25")),
        1 => prop::collection::vec(prop::sample::select(vec!["2026-02-29", "2024-02-29", "+262143-12-31", "-262144-01-01", "0000-00-00", "9999-99-99", "2026-13-01"]), 0..5)
            .prop_map(|parts| parts.join(" ")),
    ]
}

// ---------------------------------------------------------------------------------------------
// Models and checks
// ---------------------------------------------------------------------------------------------

/// The cleaned value, or `None` when refused as invalid input; any other error fails the case.
fn outcome<T: std::fmt::Debug>(result: Result<T, AppError>) -> Result<Option<T>, TestCaseError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(AppError::Invalid(message)) => {
            prop_assert!(!message.trim().is_empty(), "a refusal explains itself");
            Ok(None)
        }
        Err(other) => Err(TestCaseError::fail(format!("request data must be refused as Invalid, not {other:?}"))),
    }
}

fn distinct<T: Eq + Hash>(values: &[T]) -> bool {
    values.iter().collect::<HashSet<_>>().len() == values.len()
}

/// In the order first given, without repeats.
fn dedup<T: PartialEq + Clone>(values: &[T]) -> Vec<T> {
    let mut kept: Vec<T> = Vec::new();
    for value in values {
        if !kept.contains(value) {
            kept.push(value.clone());
        }
    }
    kept
}

fn chars(value: &str) -> usize {
    value.chars().count()
}

/// What the name-like validators accept: trimmed, non-empty, at most `max` characters.
fn required_model(value: &str, max: usize) -> Option<String> {
    let value = value.trim();
    (!value.is_empty() && chars(value) <= max).then(|| value.to_string())
}

fn tags_model(values: &[String]) -> Option<Vec<String>> {
    let normalised: Vec<String> = values.iter().map(|v| v.trim().to_lowercase()).filter(|t| !t.is_empty()).collect();
    let tags = dedup(&normalised);
    (tags.len() <= TAGS_MAX && tags.iter().all(|t| chars(t) <= TAG_MAX)).then_some(tags)
}

/// A list of tags as `validate::tags` may return it.
fn check_clean_tags(tags: &[String]) -> Result<(), TestCaseError> {
    prop_assert!(tags.len() <= TAGS_MAX, "{} tags", tags.len());
    prop_assert!(distinct(tags), "{tags:?}");
    for tag in tags {
        prop_assert!(!tag.is_empty() && tag.trim() == tag && chars(tag) <= TAG_MAX, "{tag:?}");
        prop_assert_eq!(&tag.to_lowercase(), tag);
    }
    Ok(())
}

fn check_clean_name(name: &str, given: &str, max: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(name, given.trim());
    prop_assert!(!name.is_empty() && chars(name) <= max, "{name:?}");
    Ok(())
}

/// Routing conditions as `routing::clean_conditions` should make them, or `None`.
fn conditions_model(c: &RoutingConditions) -> Option<RoutingConditions> {
    let mut keywords = Vec::new();
    for raw in &c.keywords {
        let word = raw.trim().to_lowercase();
        if word.is_empty() || chars(&word) > KEYWORD_MAX {
            return None;
        }
        keywords.push(word);
    }
    let keywords = dedup(&keywords);
    let ids = |values: &[i64]| Some(dedup(values)).filter(|v| v.len() <= VALUES_MAX);
    (keywords.len() <= KEYWORDS_MAX).then_some(())?;
    Some(RoutingConditions {
        origins: dedup(&c.origins),
        priorities: dedup(&c.priorities),
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

/// Some list is longer than its bound before duplicates are dropped: refusing it up front
/// (before any work) is as right as deduplicating it first.
fn raw_list_over_bound(c: &RoutingConditions) -> bool {
    c.keywords.len() > KEYWORDS_MAX
        || [&c.subject_ids, &c.product_ids, &c.account_ids, &c.reason_ids, &c.region_ids, &c.service_type_ids, &c.unit_type_ids].iter().any(|v| v.len() > VALUES_MAX)
        || c.origins.len() > VALUES_MAX
        || c.priorities.len() > VALUES_MAX
}

fn check_clean_conditions(c: &RoutingConditions) -> Result<(), TestCaseError> {
    prop_assert!(distinct(&c.origins) && distinct(&c.priorities) && distinct(&c.keywords), "{c:?}");
    prop_assert!(c.keywords.len() <= KEYWORDS_MAX);
    for word in &c.keywords {
        prop_assert!(!word.is_empty() && word.trim() == word && chars(word) <= KEYWORD_MAX, "{word:?}");
        prop_assert_eq!(&word.to_lowercase(), word);
    }
    for ids in [&c.subject_ids, &c.product_ids, &c.account_ids, &c.reason_ids, &c.region_ids, &c.service_type_ids, &c.unit_type_ids] {
        prop_assert!(ids.len() <= VALUES_MAX && distinct(ids), "{} ids", ids.len());
    }
    Ok(())
}

fn routing_model(input: &RoutingRuleInput) -> Option<RoutingRuleInput> {
    let name = required_model(&input.name, RULE_NAME_MAX)?;
    let conditions = conditions_model(&input.conditions)?;
    (conditions != RoutingConditions::default() && input.actions != RoutingActions::default()).then_some(())?;
    Some(RoutingRuleInput { name, enabled: input.enabled, conditions, actions: input.actions.clone() })
}

fn automation_model(input: &AutomationRuleInput) -> Option<AutomationRuleInput> {
    let name = required_model(&input.name, RULE_NAME_MAX)?;
    if let Trigger::NoUpdateFor { hours } = input.trigger {
        (1..=QUIET_HOURS_MAX).contains(&hours).then_some(())?;
    }
    (1..=ACTIONS_MAX).contains(&input.actions.len()).then_some(())?;
    let mut actions = Vec::new();
    for action in &input.actions {
        actions.push(match action {
            AutomationAction::AddTag { tag } => {
                let tag = tag.trim().to_lowercase();
                (!tag.is_empty() && chars(&tag) <= TAG_MAX).then_some(())?;
                AutomationAction::AddTag { tag }
            }
            AutomationAction::Notify { user_id, message } => {
                let message = message.trim();
                (!message.is_empty() && chars(message) <= MESSAGE_MAX).then_some(())?;
                AutomationAction::Notify { user_id: *user_id, message: message.to_string() }
            }
            AutomationAction::SetStage { .. } if input.trigger == Trigger::StageChanged && input.conditions.stages.is_empty() => return None,
            other => other.clone(),
        });
    }
    let ticket = conditions_model(&input.conditions.ticket)?;
    Some(AutomationRuleInput { name, enabled: input.enabled, trigger: input.trigger, conditions: AutomationConditions { ticket, ..input.conditions.clone() }, actions })
}

fn requirements_model(given: &[Requirement], known: &[Qualification]) -> Option<Vec<Requirement>> {
    let mut seen = HashSet::new();
    for need in given {
        let qualification = known.iter().find(|q| q.id == need.qualification_id)?;
        if !seen.insert(need.qualification_id) || !(1..=qualification.scale_max).contains(&need.min_rating) {
            return None;
        }
    }
    Some(given.to_vec())
}

fn check_email(accepted: &str, given: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(accepted, given.trim());
    prop_assert!(accepted.len() <= EMAIL_MAX);
    prop_assert!(!accepted.contains(char::is_whitespace), "{accepted:?}");
    let (local, domain) = accepted.split_once('@').ok_or_else(|| TestCaseError::fail("no @"))?;
    prop_assert!(!local.is_empty() && !domain.contains('@') && domain.contains('.'), "{accepted:?}");
    prop_assert!(!domain.starts_with('.') && !domain.ends_with('.'), "{accepted:?}");
    Ok(())
}

fn check_periods(periods: &[WorkingPeriod]) -> Result<(), TestCaseError> {
    for (i, p) in periods.iter().enumerate() {
        prop_assert!(p.start_minute < p.end_minute && p.end_minute <= MINUTES_PER_DAY, "{p:?}");
        for q in &periods[..i] {
            prop_assert!(q.weekday != p.weekday || q.end_minute <= p.start_minute || p.end_minute <= q.start_minute, "{q:?} overlaps {p:?}");
        }
    }
    Ok(())
}

mod rules;
mod schedules;
mod validators;
