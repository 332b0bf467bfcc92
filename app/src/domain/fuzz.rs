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

// ---------------------------------------------------------------------------------------------
// validate: names, text, tags, email, customers, tickets, ratings, passwords
// ---------------------------------------------------------------------------------------------

type NameValidator = fn(&str) -> Result<String, AppError>;

const NAME_VALIDATORS: [(&str, NameValidator, usize); 5] = [
    ("title", validate::title, TITLE_MAX),
    ("stage_name", validate::stage_name, STAGE_NAME_MAX),
    ("rule_name", validate::rule_name, RULE_NAME_MAX),
    ("queue_name", validate::queue_name, QUEUE_NAME_MAX),
    ("qualification_name", validate::qualification_name, QUALIFICATION_NAME_MAX),
];

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn names_are_trimmed_required_and_bounded(value in prop_oneof![text(), near_limit(TITLE_MAX), near_limit(RULE_NAME_MAX), near_limit(STAGE_NAME_MAX)]) {
        for (what, check, max) in NAME_VALIDATORS {
            let got = outcome(check(&value))?;
            prop_assert_eq!(&got, &required_model(&value, max), "{}", what);
            if let Some(name) = got {
                check_clean_name(&name, &value, max)?;
            }
        }
    }

    #[test]
    fn descriptions_are_bounded_and_trimmed_at_the_end(value in prop_oneof![text(), near_limit(DESCRIPTION_MAX)]) {
        match outcome(validate::description(&value))? {
            Some(description) => {
                prop_assert_eq!(&description, value.trim_end());
                prop_assert!(chars(&description) <= DESCRIPTION_MAX);
            }
            None => prop_assert!(chars(&value) > DESCRIPTION_MAX),
        }
        if chars(&value) <= DESCRIPTION_MAX {
            prop_assert!(validate::description(&value).is_ok());
        }
        if chars(value.trim_end()) > DESCRIPTION_MAX {
            prop_assert!(validate::description(&value).is_err());
        }
    }

    #[test]
    fn tags_are_normalised_deduplicated_and_bounded(values in tag_list()) {
        let expected = tags_model(&values);
        match outcome(validate::tags(&values))? {
            Some(tags) => {
                check_clean_tags(&tags)?;
                prop_assert_eq!(Some(&tags), expected.as_ref());
                // Cleaning is idempotent: cleaned tags pass unchanged.
                prop_assert_eq!(validate::tags(&tags), Ok(tags.clone()));
            }
            None => prop_assert!(expected.is_none() || values.len() > TAGS_MAX, "refused although valid: {values:?}"),
        }
    }

    #[test]
    fn emails_are_trimmed_and_plausible_when_accepted(value in email_text()) {
        if let Some(email) = outcome(validate::email(&value))? {
            check_email(&email, &value)?;
            prop_assert_eq!(validate::email(&email), Ok(email.clone()));
        }
    }

    #[test]
    fn plausible_addresses_are_accepted_and_broken_ones_refused(
        local in "[a-z0-9][a-z0-9.+_-]{0,30}",
        domain in "[a-z0-9-]{1,20}(\\.[a-z0-9-]{1,10}){1,3}",
        pad in "[ \t]{0,2}",
        at in 0usize..64,
    ) {
        let address = format!("{local}@{domain}");
        let padded = format!("{pad}{address}{pad}");
        prop_assert_eq!(validate::email(&padded), Ok(address.clone()));
        let spaced = format!("{}{}", &address[..at.min(address.len())], format_args!(" {}", &address[at.min(address.len())..]));
        let spaced = format!("x{spaced}x");
        prop_assert!(matches!(validate::email(&spaced), Err(AppError::Invalid(_))), "{spaced:?}");
        prop_assert!(matches!(validate::email(&address.replace('@', "")), Err(AppError::Invalid(_))));
        prop_assert!(matches!(validate::email(&address.replace('@', "@@")), Err(AppError::Invalid(_))));
        let trailing_dot = format!("{local}@{domain}.");
        prop_assert!(matches!(validate::email(&trailing_dot), Err(AppError::Invalid(_))));
        let too_long = format!("{}@{domain}", "a".repeat(EMAIL_MAX));
        prop_assert!(matches!(validate::email(&too_long), Err(AppError::Invalid(_))));
    }

}

proptest! {
    // Customers and tickets are expensive to generate; fewer cases keep the module fast.
    #![proptest_config(config(128))]

    #[test]
    fn new_customers_need_a_bounded_name_and_a_blank_or_plausible_email(value in new_customer_input()) {
        let name_ok = required_model(&value.name, CUSTOMER_NAME_MAX).is_some();
        let email_ok = value.email.trim().is_empty() || validate::email(&value.email).is_ok();
        match outcome(validate::new_customer(&value))? {
            Some(customer) => {
                check_clean_name(&customer.name, &value.name, CUSTOMER_NAME_MAX)?;
                if value.email.trim().is_empty() {
                    prop_assert_eq!(&customer.email, "");
                } else {
                    check_email(&customer.email, &value.email)?;
                }
                prop_assert_eq!(&customer.account_name, value.account_name.trim());
            }
            // An account name longer than a customer name may be refused too.
            None => prop_assert!(!name_ok || !email_ok || chars(value.account_name.trim()) > CUSTOMER_NAME_MAX, "refused although valid: {value:?}"),
        }
    }

    #[test]
    fn tickets_are_cleaned_field_by_field(input in ticket_input()) {
        let new_customer = input.new_customer.as_ref().map(validate::new_customer).transpose();
        let expected = (|| {
            let new_customer = new_customer.ok()?;
            if new_customer.is_some() && (input.contact_id.is_some() || input.account_id.is_some()) {
                return None;
            }
            Some(TicketInput {
                title: required_model(&input.title, TITLE_MAX)?,
                description: validate::description(&input.description).ok()?,
                tags: tags_model(&input.tags)?,
                new_customer,
                ..input.clone()
            })
        })();
        match outcome(validate::ticket(&input))? {
            Some(ticket) => {
                check_clean_name(&ticket.title, &input.title, TITLE_MAX)?;
                prop_assert!(chars(&ticket.description) <= DESCRIPTION_MAX);
                check_clean_tags(&ticket.tags)?;
                prop_assert!(ticket.new_customer.is_none() || (ticket.contact_id.is_none() && ticket.account_id.is_none()));
                prop_assert_eq!(Some(ticket), expected);
            }
            None => prop_assert!(expected.is_none() || input.tags.len() > TAGS_MAX, "refused although valid: {input:?}"),
        }
    }

}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn ratings_lie_on_the_scale(scale_max in rating_value(), value in rating_value()) {
        let qualification = Qualification { id: 1, name: "Networking".into(), kind: QualificationKind::Technical, scale_max };
        let got = outcome(validate::rating(&qualification, value))?;
        prop_assert_eq!(got, (1..=scale_max).contains(&value).then_some(value));
        let got = outcome(validate::scale_max(scale_max))?;
        prop_assert_eq!(got, (1..=SCALE_MAX).contains(&scale_max).then_some(scale_max));
    }

    #[test]
    fn requirements_are_known_unique_and_on_scale(
        known in prop::collection::vec((0i64..6, rating_value()), 0..5),
        given in prop::collection::vec((prop_oneof![3 => -1i64..7, 1 => any::<i64>()], rating_value()), 0..8),
    ) {
        let known: Vec<Qualification> = known
            .into_iter()
            .map(|(id, scale_max)| Qualification { id, name: format!("Q{id}"), kind: QualificationKind::Soft, scale_max })
            .collect();
        let given: Vec<Requirement> = given.into_iter().map(|(qualification_id, min_rating)| Requirement { qualification_id, min_rating }).collect();
        let got = outcome(validate::requirements(&given, &known))?;
        if let Some(checked) = &got {
            prop_assert!(checked.iter().map(|r| r.qualification_id).collect::<HashSet<_>>().len() == checked.len());
            for need in checked {
                let q = known.iter().find(|q| q.id == need.qualification_id);
                prop_assert!(q.is_some_and(|q| (1..=q.scale_max).contains(&need.min_rating)), "{need:?}");
            }
        }
        prop_assert_eq!(got, requirements_model(&given, &known));
    }

    #[test]
    fn passwords_need_eight_characters(value in prop_oneof![text(), "[a-zü😀 ]{0,12}"]) {
        let got = outcome(validate::password(&value))?;
        if got.is_some() {
            prop_assert!(chars(&value) >= 8);
        }
        if chars(&value) < 8 {
            prop_assert!(got.is_none(), "{value:?}");
        }
        // Any upper bound leaves room for a long passphrase.
        if (8..=64).contains(&chars(&value)) {
            prop_assert!(got.is_some(), "{value:?}");
        }
    }
}

#[test]
fn sixty_thousand_distinct_tags_are_refused() {
    let many: Vec<String> = (0..60_000).map(|i| format!("tag{i}")).collect();
    assert!(matches!(validate::tags(&many), Err(AppError::Invalid(_))));
    let mut ticket = TicketInput::quick(1, "Printer jams");
    ticket.tags = many;
    assert!(matches!(validate::ticket(&ticket), Err(AppError::Invalid(_))));
}

#[test]
fn tags_at_the_limit_pass_and_one_more_is_refused() {
    let exactly: Vec<String> = (0..TAGS_MAX).map(|i| format!(" Tag{i} ")).collect();
    let cleaned = validate::tags(&exactly).unwrap();
    assert_eq!(cleaned.len(), TAGS_MAX);
    assert_eq!(cleaned[0], "tag0");
    let one_more: Vec<String> = (0..=TAGS_MAX).map(|i| format!("tag{i}")).collect();
    assert!(matches!(validate::tags(&one_more), Err(AppError::Invalid(_))));
    assert!(matches!(validate::tags(&["x".repeat(TAG_MAX + 1)]), Err(AppError::Invalid(_))));
    assert_eq!(validate::tags(&["ü".repeat(TAG_MAX)]).unwrap(), vec!["ü".repeat(TAG_MAX)], "characters, not bytes");
    let repeated = vec!["VPN".to_string(); 60_000];
    if let Ok(tags) = validate::tags(&repeated) {
        assert_eq!(tags, vec!["vpn"]);
    }
}

#[test]
fn sixty_thousand_requirements_are_refused() {
    let known = [Qualification { id: 1, name: "Networking".into(), kind: QualificationKind::Technical, scale_max: 10 }];
    let same: Vec<Requirement> = vec![Requirement { qualification_id: 1, min_rating: 5 }; 60_000];
    assert!(matches!(validate::requirements(&same, &known), Err(AppError::Invalid(_))));
    let unknown: Vec<Requirement> = (0..60_000).map(|i| Requirement { qualification_id: i + 2, min_rating: 1 }).collect();
    assert!(matches!(validate::requirements(&unknown, &known), Err(AppError::Invalid(_))));
}

/// A megabyte of account name is not a customer (issue: every length is bounded).
#[test]
fn a_huge_account_name_is_refused() {
    let customer = NewCustomer { name: "Eve".into(), email: String::new(), account_name: "A".repeat(1_000_000) };
    assert!(matches!(validate::new_customer(&customer), Err(AppError::Invalid(_))), "an account name of 1,000,000 characters was accepted");
}

/// A megabyte of password is hashed by argon2 on every login attempt (issue: every length is bounded).
#[test]
fn a_huge_password_is_refused() {
    assert!(matches!(validate::password(&"p".repeat(1_000_000)), Err(AppError::Invalid(_))), "a password of 1,000,000 characters was accepted");
}

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

// ---------------------------------------------------------------------------------------------
// Calendars and holidays
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_week_is_read_or_refused(days in prop_oneof![4 => prop::collection::vec(day_line(), 7), 1 => prop::collection::vec(day_line(), 0..10)]) {
        let got = outcome(calendar::parse_week(&days))?;
        if days.len() != WEEKDAYS.len() || days.iter().any(|line| chars(line) > DAY_LINE_MAX) {
            prop_assert!(got.is_none(), "{days:?}");
        }
        if let Some(periods) = got {
            check_periods(&periods)?;
            prop_assert!(calendar::validate_periods(&periods).is_ok());
            // Every period is written in at least "H:M-H:M" (7 characters) on a bounded line.
            prop_assert!(periods.len() <= WEEKDAYS.len() * (DAY_LINE_MAX / 7 + 1));
            // What the form shows again reads back the same (printing pads to "HH:MM", so a
            // compact line may print longer than a line may be).
            let printed: Vec<String> = WEEKDAYS.iter().map(|d| calendar::format_day(&periods, *d)).collect();
            if printed.iter().all(|line| chars(line) <= DAY_LINE_MAX) {
                let mut again = calendar::parse_week(&printed).unwrap();
                let mut periods = periods;
                let key = |p: &WorkingPeriod| (p.weekday.num_days_from_monday(), p.start_minute);
                again.sort_by_key(key);
                periods.sort_by_key(key);
                prop_assert_eq!(again, periods);
            }
        }
    }

    #[test]
    fn hours_and_minutes_of_any_size_are_read_or_refused(h in prop_oneof![0u64..30, any::<u64>(), Just(1093), Just(1092), Just(65_535)], m in prop_oneof![0u64..70, any::<u64>()]) {
        let mut week = vec![String::new(); 7];
        week[0] = format!("{h}:{m}-24:00");
        let start = u128::from(h) * 60 + u128::from(m);
        let got = outcome(calendar::parse_week(&week))?;
        if m < 60 && start < u128::from(MINUTES_PER_DAY) {
            prop_assert_eq!(got, Some(vec![WorkingPeriod { weekday: Weekday::Mon, start_minute: start as u16, end_minute: MINUTES_PER_DAY }]));
        } else {
            prop_assert_eq!(got, None);
        }
        week[0] = format!("00:00-{h}:{m}");
        let got = outcome(calendar::parse_week(&week))?;
        if m < 60 && start <= u128::from(MINUTES_PER_DAY) && start > 0 {
            prop_assert_eq!(got, Some(vec![WorkingPeriod { weekday: Weekday::Mon, start_minute: 0, end_minute: start as u16 }]));
        } else {
            prop_assert_eq!(got, None);
        }
    }

    #[test]
    fn valid_weeks_read_back_exactly(week in valid_week(), spaced in any::<bool>()) {
        let separator = if spaced { " ,  " } else { "," };
        let lines: Vec<String> = week
            .iter()
            .map(|periods| periods.iter().map(|(s, e)| format!("{}-{}", clock(*s), clock(*e))).collect::<Vec<_>>().join(separator))
            .collect();
        let expected: Vec<WorkingPeriod> = WEEKDAYS
            .iter()
            .zip(&week)
            .flat_map(|(weekday, periods)| periods.iter().map(|(s, e)| WorkingPeriod { weekday: *weekday, start_minute: *s, end_minute: *e }))
            .collect();
        let periods = calendar::parse_week(&lines);
        if lines.iter().all(|line| chars(line) <= DAY_LINE_MAX) {
            prop_assert_eq!(periods.as_ref(), Ok(&expected));
            for (weekday, line) in WEEKDAYS.iter().zip(&lines) {
                let printed = calendar::format_day(&expected, *weekday);
                prop_assert_eq!(printed.replace(' ', ""), line.replace(' ', ""));
            }
        } else {
            prop_assert!(matches!(periods, Err(AppError::Invalid(_))));
        }
    }

    #[test]
    fn any_periods_are_validated_without_panicking(
        periods in prop::collection::vec((prop::sample::select(WEEKDAYS.to_vec()), prop_oneof![0u16..=1441, any::<u16>()], prop_oneof![0u16..=1441, any::<u16>()]), 0..12),
    ) {
        let periods: Vec<WorkingPeriod> = periods.into_iter().map(|(weekday, start_minute, end_minute)| WorkingPeriod { weekday, start_minute, end_minute }).collect();
        let got = outcome(calendar::validate_periods(&periods))?;
        prop_assert_eq!(got.is_some(), check_periods(&periods).is_ok());
    }

    #[test]
    fn any_holiday_text_is_read_or_refused(text in holiday_text()) {
        let got = outcome(calendar::parse_holidays(&text))?;
        if text.len() > HOLIDAYS_TEXT_MAX {
            prop_assert!(got.is_none(), "{} bytes accepted", text.len());
        }
        if let Some(dates) = got {
            prop_assert!(dates.windows(2).all(|w| w[0] < w[1]), "sorted without repeats: {dates:?}");
            let printed = dates.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
            prop_assert_eq!(calendar::parse_holidays(&printed), Ok(dates));
        }
    }

    #[test]
    fn holiday_lists_read_back_sorted_without_repeats(dates in prop::collection::vec((date(), separator()), 0..120)) {
        let text: String = dates.iter().map(|(d, sep)| format!("{d}{sep}")).collect();
        let mut expected: Vec<NaiveDate> = dates.iter().map(|(d, _)| *d).collect();
        expected.sort();
        expected.dedup();
        prop_assert_eq!(calendar::parse_holidays(&text), Ok(expected));
    }
}

#[test]
fn calendar_limits_hold_at_their_edges() {
    let mut week = vec![String::new(); 7];
    week[2] = "1093:00-1100:00".into();
    assert!(matches!(calendar::parse_week(&week), Err(AppError::Invalid(_))), "hours that overflow a u16 of minutes");
    week[2] = "09:00-10:00".to_string() + &",".repeat(DAY_LINE_MAX - 11);
    assert_eq!(calendar::parse_week(&week).unwrap().len(), 1, "exactly the longest line");
    week[2].push(',');
    assert!(matches!(calendar::parse_week(&week), Err(AppError::Invalid(_))), "one character more");
    assert!(matches!(calendar::parse_week(&vec![String::new(); 60_000]), Err(AppError::Invalid(_))));

    let at_limit = format!("{:<width$}", "2026-12-25", width = HOLIDAYS_TEXT_MAX);
    assert_eq!(calendar::parse_holidays(&at_limit).unwrap(), vec![NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()]);
    assert!(matches!(calendar::parse_holidays(&format!("{at_limit} ")), Err(AppError::Invalid(_))));
    let many = "2026-12-25,".repeat(1_000_000);
    assert!(matches!(calendar::parse_holidays(&many), Err(AppError::Invalid(_))));
}

// ---------------------------------------------------------------------------------------------
// SLA durations
// ---------------------------------------------------------------------------------------------

fn digits() -> impl Strategy<Value = String> {
    prop_oneof![3 => (0u64..10_000).prop_map(|n| n.to_string()), 1 => any::<u64>().prop_map(|n| n.to_string()), 1 => "0{0,3}[0-9]{1,30}"]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_duration_text_is_read_or_refused(text in prop_oneof![text(), "[ 0-9hmHM+-]{0,20}", digits()]) {
        if let Some(minutes) = outcome(sla::parse_minutes(&text))? {
            prop_assert!((1..=YEAR_OF_MINUTES).contains(&minutes), "{minutes}");
            prop_assert_eq!(sla::parse_minutes(&sla::format_minutes(minutes)), Ok(minutes));
        }
    }

    #[test]
    fn hours_and_minutes_of_any_size_add_up_or_are_refused(h in digits(), m in digits(), form in 0usize..6) {
        let (hours, minutes): (u128, u128) = (h.parse().unwrap(), m.parse().unwrap());
        let (text, total) = match form {
            0 => (format!("{h}h{m}m"), hours * 60 + minutes),
            1 => (format!(" {h}H   {m}M "), hours * 60 + minutes),
            2 => (format!("{h}h"), hours * 60),
            3 => (format!("{m}m"), minutes),
            4 => (format!("{m}"), minutes),
            _ => (format!("{m}m {h}h"), hours * 60 + minutes),
        };
        let got = outcome(sla::parse_minutes(&text))?;
        let expected = (1..=YEAR_OF_MINUTES as u128).contains(&total).then_some(total as i64);
        prop_assert_eq!(got, expected, "{:?}", text);
    }

    #[test]
    fn every_accepted_duration_round_trips(minutes in 1i64..=YEAR_OF_MINUTES) {
        prop_assert_eq!(sla::parse_minutes(&sla::format_minutes(minutes)), Ok(minutes));
    }

    #[test]
    fn time_left_is_printed_for_any_duration(millis in prop_oneof![(i64::MIN + 1)..=i64::MAX, -100_000_000i64..100_000_000]) {
        let left = Duration::milliseconds(millis);
        let printed = sla::format_left(left);
        prop_assert_eq!(printed.starts_with('+'), left < Duration::zero(), "{}", printed);
        let unsigned = printed.trim_start_matches('+');
        let (days, clock) = unsigned.split_once("d ").unwrap_or(("0", unsigned));
        let parts: Vec<i64> = clock.split(':').map(|p| p.parse().unwrap()).collect();
        let days: i64 = days.parse().unwrap();
        prop_assert_eq!(parts.len(), 3, "{}", printed);
        prop_assert!(parts[1] < 60 && parts[2] < 60 && (days == 0 || parts[0] < 24), "{}", printed);
        prop_assert_eq!(days * 86_400 + parts[0] * 3600 + parts[1] * 60 + parts[2], left.num_seconds().abs());
    }
}

#[test]
fn duration_edges_are_refused() {
    for bad in ["", " ", "0", "-5", "0m", "h", "5x", "5m5", &format!("{}", YEAR_OF_MINUTES + 1), &format!("{}m", i64::MAX), &format!("{}h", i64::MAX / 60 + 1), &"9".repeat(100_000)] {
        assert!(matches!(sla::parse_minutes(bad), Err(AppError::Invalid(_))), "{bad:.40}");
    }
    assert_eq!(sla::parse_minutes(&YEAR_OF_MINUTES.to_string()), Ok(YEAR_OF_MINUTES));
}

// ---------------------------------------------------------------------------------------------
// Ticket references and stored codes
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_reference_text_is_read_or_refused(text in prop_oneof![text(), "[ ]?([hH][dD]|ÄD|H)-?[+-]?[0-9]{0,25}[a ]?"]) {
        if let Some(number) = reference::parse(&text) {
            prop_assert!(number >= 0);
            let trimmed = text.trim();
            let digits = trimmed.get(..3).filter(|p| p.eq_ignore_ascii_case("HD-")).map(|_| &trimmed[3..]).unwrap_or("");
            prop_assert!(!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()), "{text:?}");
            prop_assert_eq!(digits.parse::<i64>().ok(), Some(number));
        }
    }

    #[test]
    fn every_reference_round_trips(n in prop_oneof![0i64..=i64::MAX, Just(i64::MAX), Just(0)], lower in any::<bool>(), pad in "[ \t\n]{0,2}") {
        let formatted = reference::format(n);
        prop_assert_eq!(reference::parse(&formatted), Some(n));
        let typed = if lower { formatted.to_lowercase() } else { formatted };
        let padded = format!("{pad}{typed}{pad}");
        prop_assert_eq!(reference::parse(&padded), Some(n));
    }

    #[test]
    fn negative_or_oversized_numbers_are_not_references(n in i64::MIN..0, digits in "[1-9][0-9]{19,40}") {
        prop_assert_eq!(reference::parse(&reference::format(n)), None);
        let oversized = format!("HD-{digits}");
        prop_assert_eq!(reference::parse(&oversized), None);
    }

    #[test]
    fn stored_codes_parse_only_to_themselves(text in prop_oneof![text(), "[a-z_]{0,16}"]) {
        fn check<T: Copy + std::fmt::Debug + PartialEq>(text: &str, parse: fn(&str) -> Option<T>, as_str: fn(T) -> &'static str) -> Result<(), TestCaseError> {
            if let Some(value) = parse(text) {
                prop_assert_eq!(as_str(value), text);
            }
            Ok(())
        }
        check(&text, Priority::parse, Priority::as_str)?;
        check(&text, Origin::parse, Origin::as_str)?;
        check(&text, StageCategory::parse, StageCategory::as_str)?;
        check(&text, Role::parse, Role::as_str)?;
        check(&text, Visibility::parse, Visibility::as_str)?;
        check(&text, AssignmentMethod::parse, AssignmentMethod::as_str)?;
        check(&text, QualificationKind::parse, QualificationKind::as_str)?;
    }
}
