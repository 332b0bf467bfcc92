//! Rules of the work log: one running timer per agent, how a timer's time becomes minutes,
//! what a hand-logged entry and an event may say, totals, and what an hours entitlement uses.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::sla::{format_minutes, parse_minutes};
use super::validate::{DESCRIPTION_MAX, TITLE_MAX};
use crate::error::AppError;
use crate::model::{Origin, TimeTotals};

/// One entry logged by hand covers at most a day.
pub const ENTRY_MAX_MINUTES: i64 = 24 * 60;
pub const NOTE_MAX: usize = 2_000;
/// An event's note holds a whole request added as an event: its title and description.
pub const EVENT_NOTE_MAX: usize = TITLE_MAX + 2 + DESCRIPTION_MAX;
/// A timesheet spans at most a year of days.
pub const RANGE_MAX_DAYS: i64 = 366;

/// The running timer an agent already has, as far as starting another one is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Running {
    pub entry_id: i64,
    pub ticket_id: i64,
}

/// What "start the timer on this ticket" does, given the agent's running timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartPlan {
    /// No timer runs: start one.
    Start,
    /// The timer already runs on this ticket: nothing changes.
    AlreadyRunning(i64),
    /// A timer runs on another ticket: stop it (its time is logged), then start this one.
    SwitchFrom(i64),
}

/// An agent has one running timer: starting one elsewhere stops the one that runs.
pub fn plan_start(running: Option<Running>, ticket_id: i64) -> StartPlan {
    match running {
        None => StartPlan::Start,
        Some(r) if r.ticket_id == ticket_id => StartPlan::AlreadyRunning(r.entry_id),
        Some(r) => StartPlan::SwitchFrom(r.entry_id),
    }
}

/// The minutes a timer logs: every started minute counts (10 seconds log 1 minute), so that a
/// stopped timer never logs nothing; a clock that went backwards logs 0.
pub fn timer_minutes(started_at: DateTime<Utc>, ended_at: DateTime<Utc>) -> i64 {
    let seconds = (ended_at - started_at).num_seconds().max(0);
    (seconds + 59) / 60
}

/// Reads the duration of a hand-logged entry ("1h 30m", "45m", "90"), at most a day.
pub fn entry_minutes(text: &str) -> Result<i64, AppError> {
    let minutes = parse_minutes(text)?;
    if minutes > ENTRY_MAX_MINUTES {
        return Err(AppError::Invalid(format!("One entry covers at most {}; log longer work as several days.", format_minutes(ENTRY_MAX_MINUTES))));
    }
    Ok(minutes)
}

/// The optional duration of an event: empty is none, otherwise like an entry's.
pub fn event_minutes(text: &str) -> Result<i64, AppError> {
    if text.trim().is_empty() {
        return Ok(0);
    }
    entry_minutes(text)
}

fn bounded_note(text: &str, max: usize) -> Result<String, AppError> {
    if text.chars().count() > max {
        return Err(AppError::Invalid(format!("The note is longer than {max} characters.")));
    }
    Ok(text.trim().to_string())
}

/// A time entry's note, trimmed and bounded.
pub fn note(text: &str) -> Result<String, AppError> {
    bounded_note(text, NOTE_MAX)
}

/// An event's note, trimmed and bounded.
pub fn event_note(text: &str) -> Result<String, AppError> {
    bounded_note(text, EVENT_NOTE_MAX)
}

/// The shipped event type (its code) a request that came in through `origin` is logged as.
pub fn event_code_for(origin: Origin) -> &'static str {
    match origin {
        Origin::Phone => "call_in",
        Origin::Email => "email_in",
        _ => "notes",
    }
}

/// Work is logged for today or a day before it, never for a day to come.
pub fn check_day(day: NaiveDate, today: NaiveDate) -> Result<(), AppError> {
    if day > today {
        return Err(AppError::Invalid(format!("{day} is in the future; log time for today or earlier.")));
    }
    Ok(())
}

/// A timesheet's range, days `from` to `to` (UTC) at most `RANGE_MAX_DAYS` long, as the instants
/// it starts at and ends before.
pub fn range_bounds(from: NaiveDate, to: NaiveDate) -> Result<(DateTime<Utc>, DateTime<Utc>), AppError> {
    if to < from {
        return Err(AppError::Invalid("The range must end on or after the day it starts.".into()));
    }
    if (to - from).num_days() + 1 > RANGE_MAX_DAYS {
        return Err(AppError::Invalid(format!("A timesheet covers at most {RANGE_MAX_DAYS} days.")));
    }
    let after = to.succ_opt().ok_or_else(|| AppError::Invalid(format!("{to} is beyond the calendar.")))?;
    Ok((from.and_time(NaiveTime::MIN).and_utc(), after.and_time(NaiveTime::MIN).and_utc()))
}

/// All and billable minutes of `(minutes, billable)` entries.
pub fn totals(entries: impl IntoIterator<Item = (i64, bool)>) -> TimeTotals {
    entries.into_iter().fold(TimeTotals::default(), |sum, (minutes, billable)| TimeTotals {
        minutes: sum.minutes + minutes,
        billable_minutes: sum.billable_minutes + if billable { minutes } else { 0 },
    })
}

/// The hours an hours entitlement uses for a ticket: its billable time, every started hour
/// counted (what prepaid support hours are usually billed in).
pub fn entitlement_hours(billable_minutes: i64) -> i64 {
    (billable_minutes.max(0) + 59) / 60
}

/// What an hours entitlement is charged when `wanted` hours are logged and `remaining` are
/// left: never more than is left.
pub fn hours_to_charge(wanted: i64, remaining: i64) -> i64 {
    wanted.min(remaining.max(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn one_timer_per_agent_starting_elsewhere_switches() {
        assert_eq!(plan_start(None, 7), StartPlan::Start);
        let running = Running { entry_id: 3, ticket_id: 7 };
        assert_eq!(plan_start(Some(running), 7), StartPlan::AlreadyRunning(3));
        assert_eq!(plan_start(Some(running), 8), StartPlan::SwitchFrom(3));
    }

    #[test]
    fn every_started_minute_counts() {
        let start = at("2026-11-30T10:00:00Z");
        assert_eq!(timer_minutes(start, start), 0);
        assert_eq!(timer_minutes(start, start + Duration::seconds(10)), 1);
        assert_eq!(timer_minutes(start, start + Duration::seconds(60)), 1);
        assert_eq!(timer_minutes(start, start + Duration::seconds(61)), 2);
        assert_eq!(timer_minutes(start, start + Duration::minutes(90)), 90);
        assert_eq!(timer_minutes(start, start - Duration::minutes(5)), 0);
    }

    #[test]
    fn hand_logged_durations_read_like_sla_targets_and_cover_at_most_a_day() {
        assert_eq!(entry_minutes("1h 30m"), Ok(90));
        assert_eq!(entry_minutes("45"), Ok(45));
        assert_eq!(entry_minutes("24h"), Ok(1440));
        assert!(matches!(entry_minutes("24h 1m"), Err(AppError::Invalid(_))));
        assert!(matches!(entry_minutes("0"), Err(AppError::Invalid(_))));
        assert!(matches!(entry_minutes("soon"), Err(AppError::Invalid(_))));
        assert_eq!(event_minutes("  "), Ok(0));
        assert_eq!(event_minutes("15m"), Ok(15));
    }

    #[test]
    fn notes_days_and_ranges_are_bounded() {
        assert_eq!(note("  called back  ").unwrap(), "called back");
        assert!(note(&"x".repeat(NOTE_MAX + 1)).is_err());
        assert!(event_note(&"x".repeat(NOTE_MAX + 1)).is_ok());
        assert!(event_note(&"x".repeat(EVENT_NOTE_MAX + 1)).is_err());
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert!(check_day(today, today).is_ok());
        assert!(check_day(today.succ_opt().unwrap(), today).is_err());
        let (start, end) = range_bounds(today, today).unwrap();
        assert_eq!((start, end), (at("2026-11-30T00:00:00Z"), at("2026-12-01T00:00:00Z")));
        assert!(range_bounds(today, today.pred_opt().unwrap()).is_err());
        assert!(range_bounds(today - Duration::days(RANGE_MAX_DAYS - 1), today).is_ok());
        assert!(range_bounds(today - Duration::days(RANGE_MAX_DAYS), today).is_err());
        assert!(range_bounds(NaiveDate::MAX, NaiveDate::MAX).is_err(), "no day after the last one");
    }

    #[test]
    fn a_returning_caller_s_request_is_logged_by_its_channel() {
        assert_eq!(event_code_for(Origin::Phone), "call_in");
        assert_eq!(event_code_for(Origin::Email), "email_in");
        assert_eq!(event_code_for(Origin::Portal), "notes");
    }

    #[test]
    fn totals_count_billable_time_apart() {
        assert_eq!(totals([]), TimeTotals::default());
        assert_eq!(totals([(90, true), (30, false), (15, true)]), TimeTotals { minutes: 135, billable_minutes: 105 });
    }

    #[test]
    fn hours_entitlements_use_every_started_hour_and_never_more_than_is_left() {
        assert_eq!(entitlement_hours(0), 0);
        assert_eq!(entitlement_hours(1), 1);
        assert_eq!(entitlement_hours(60), 1);
        assert_eq!(entitlement_hours(61), 2);
        assert_eq!(hours_to_charge(3, 10), 3);
        assert_eq!(hours_to_charge(3, 2), 2);
        assert_eq!(hours_to_charge(3, -1), 0);
    }

    proptest! {
        #[test]
        fn totals_are_the_sum_and_billable_never_exceeds_it(entries in proptest::collection::vec((0i64..=ENTRY_MAX_MINUTES, any::<bool>()), 0..50)) {
            let sum = totals(entries.iter().copied());
            prop_assert_eq!(sum.minutes, entries.iter().map(|(m, _)| m).sum::<i64>());
            prop_assert!(sum.billable_minutes <= sum.minutes);
        }

        #[test]
        fn a_timer_logs_its_time_rounded_up_to_the_minute(seconds in 0i64..=10 * 86_400) {
            let start = at("2026-11-30T10:00:00Z");
            let minutes = timer_minutes(start, start + Duration::seconds(seconds));
            prop_assert!(minutes * 60 >= seconds && minutes * 60 < seconds + 60);
        }
    }
}
