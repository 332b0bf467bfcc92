//! Business time (SPEC S4): weekly working periods in a calendar's time zone, minus holidays.
//! The math works with any chrono time zone, so that daylight-saving changes are handled by the
//! zone's rules; working time is reduced to UTC intervals before anything is added or measured.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

use super::validate::quoted;
pub use crate::model::{Interval, WorkingPeriod};
use crate::error::AppError;

pub const MINUTES_PER_DAY: u16 = 24 * 60;
/// How far ahead a deadline is searched before the calendar is taken to never open.
const SEARCH_DAYS: i64 = 3 * 366;
/// Working time is gathered a week at a time.
const WINDOW_DAYS: i64 = 7;

/// When a team works: round the clock, or weekly periods without the holidays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Schedule {
    AlwaysOpen,
    Weekly { periods: Vec<WorkingPeriod>, holidays: Vec<NaiveDate> },
}


/// Periods must lie within a day, start before they end, and not overlap on the same weekday.
pub fn validate_periods(periods: &[WorkingPeriod]) -> Result<(), AppError> {
    for (i, p) in periods.iter().enumerate() {
        if p.end_minute > MINUTES_PER_DAY || p.start_minute >= p.end_minute {
            return Err(AppError::Invalid(format!("A working period on {} must start before it ends, within the day.", p.weekday)));
        }
        let overlaps = periods[..i]
            .iter()
            .any(|q| q.weekday == p.weekday && q.start_minute < p.end_minute && p.start_minute < q.end_minute);
        if overlaps {
            return Err(AppError::Invalid(format!("Two working periods overlap on {}.", p.weekday)));
        }
    }
    Ok(())
}

pub const WEEKDAYS: [Weekday; 7] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

/// Reads a week of working hours, one line per weekday from Monday, each like
/// "09:00-12:00, 13:00-17:00" (empty for a day off; "24:00" ends at midnight).
pub fn parse_week(days: &[String]) -> Result<Vec<WorkingPeriod>, AppError> {
    if days.len() != WEEKDAYS.len() {
        return Err(AppError::Invalid("Give working hours for each of the seven weekdays.".into()));
    }
    if let Some(long) = days.iter().position(|line| line.chars().count() > DAY_LINE_MAX) {
        return Err(AppError::Invalid(format!("The hours of {} are longer than {DAY_LINE_MAX} characters.", WEEKDAYS[long])));
    }
    let mut periods = Vec::new();
    for (weekday, line) in WEEKDAYS.iter().zip(days) {
        for part in line.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let invalid = || AppError::Invalid(format!("{} on {weekday} is not a period; write it like 09:00-17:00.", quoted(part)));
            let (start, end) = part.split_once('-').ok_or_else(invalid)?;
            let start_minute = minute_of_day(start).ok_or_else(invalid)?;
            let end_minute = minute_of_day(end).ok_or_else(invalid)?;
            periods.push(WorkingPeriod { weekday: *weekday, start_minute, end_minute });
        }
    }
    validate_periods(&periods)?;
    Ok(periods)
}

fn minute_of_day(text: &str) -> Option<u16> {
    let (hours, minutes) = text.trim().split_once(':')?;
    let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
    let minute = hours.checked_mul(60)?.checked_add(minutes)?;
    (minutes < 60 && minute <= MINUTES_PER_DAY).then_some(minute)
}

/// Longest weekday line and holiday list a calendar form may send: far above any real week or
/// year, small enough that parsing stays cheap.
pub const DAY_LINE_MAX: usize = 200;
pub const HOLIDAYS_TEXT_MAX: usize = 20_000;

/// One weekday's periods the way `parse_week` reads them.
pub fn format_day(periods: &[WorkingPeriod], weekday: Weekday) -> String {
    let mut of_day: Vec<&WorkingPeriod> = periods.iter().filter(|p| p.weekday == weekday).collect();
    of_day.sort_by_key(|p| p.start_minute);
    let clock = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
    of_day.iter().map(|p| format!("{}-{}", clock(p.start_minute), clock(p.end_minute))).collect::<Vec<_>>().join(", ")
}

/// Holidays as YYYY-MM-DD, separated by lines, commas or spaces; sorted, without repeats.
pub fn parse_holidays(text: &str) -> Result<Vec<NaiveDate>, AppError> {
    if text.len() > HOLIDAYS_TEXT_MAX {
        return Err(AppError::Invalid(format!("The holiday list is longer than {HOLIDAYS_TEXT_MAX} characters; remove past years.")));
    }
    let mut dates = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<NaiveDate>().map_err(|_| AppError::Invalid(format!("{} is not a date; write holidays like 2026-12-25.", quoted(p)))))
        .collect::<Result<Vec<_>, _>>()?;
    dates.sort();
    dates.dedup();
    Ok(dates)
}

/// The UTC moment of a local wall-clock time: the earlier one when the clock is turned back, and
/// the first valid moment after a gap when it is turned forward.
fn local_to_utc<Z: TimeZone>(zone: &Z, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..(24 * 4) {
        match zone.from_local_datetime(&probe) {
            LocalResult::Single(at) => return at.with_timezone(&Utc),
            LocalResult::Ambiguous(earlier, _) => return earlier.with_timezone(&Utc),
            LocalResult::None => probe += Duration::minutes(15),
        }
    }
    // No zone skips a whole day; treat the wall-clock time as UTC rather than fail.
    local.and_utc()
}

/// Working time overlapping `[from, until)`, as ordered, non-overlapping UTC intervals.
pub fn working_intervals<Z: TimeZone>(schedule: &Schedule, zone: &Z, from: DateTime<Utc>, until: DateTime<Utc>) -> Vec<Interval> {
    if until <= from {
        return Vec::new();
    }
    let (periods, holidays) = match schedule {
        Schedule::AlwaysOpen => return vec![(from, until)],
        Schedule::Weekly { periods, holidays } => (periods, holidays),
    };
    let first_day = from.with_timezone(zone).date_naive() - Duration::days(1);
    let last_day = until.with_timezone(zone).date_naive() + Duration::days(1);
    let mut intervals: Vec<Interval> = Vec::new();
    for day in first_day.iter_days().take_while(|d| *d <= last_day) {
        if holidays.contains(&day) {
            continue;
        }
        for period in periods.iter().filter(|p| p.weekday == day.weekday()) {
            let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
            let start = local_to_utc(zone, midnight + Duration::minutes(period.start_minute.into())).max(from);
            let end = local_to_utc(zone, midnight + Duration::minutes(period.end_minute.into())).min(until);
            if start < end {
                intervals.push((start, end));
            }
        }
    }
    intervals.sort();
    let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
    for (start, end) in intervals {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// How much working time lies in `[from, until)`.
pub fn business_time_between<Z: TimeZone>(schedule: &Schedule, zone: &Z, from: DateTime<Utc>, until: DateTime<Utc>) -> Duration {
    time_within(&working_intervals(schedule, zone, from, until), from, until)
}

/// How much of `[from, until)` the given working intervals cover.
pub fn time_within(working: &[Interval], from: DateTime<Utc>, until: DateTime<Utc>) -> Duration {
    working.iter().fold(Duration::zero(), |sum, (start, end)| {
        let (start, end) = ((*start).max(from), (*end).min(until));
        if start < end { sum + (end - start) } else { sum }
    })
}

/// The moment at which `amount` of working time has passed since `start`; `None` when the
/// calendar does not open for years (no periods, or holidays everywhere).
pub fn add_business_time<Z: TimeZone>(schedule: &Schedule, zone: &Z, start: DateTime<Utc>, amount: Duration) -> Option<DateTime<Utc>> {
    add_business_times(schedule, zone, start, &[amount])[0]
}

/// `add_business_time` for several amounts at once (in any order), walking the calendar once.
pub fn add_business_times<Z: TimeZone>(schedule: &Schedule, zone: &Z, start: DateTime<Utc>, amounts: &[Duration]) -> Vec<Option<DateTime<Utc>>> {
    let mut moments = vec![None; amounts.len()];
    let mut order: Vec<usize> = (0..amounts.len()).collect();
    order.sort_by_key(|i| amounts[*i]);
    let mut pending = order.into_iter().peekable();
    let mut used = Duration::zero();
    let mut cursor = start;
    let give_up = start + Duration::days(SEARCH_DAYS);
    while pending.peek().is_some() && cursor < give_up {
        let window_end = cursor + Duration::days(WINDOW_DAYS);
        for (from, until) in working_intervals(schedule, zone, cursor, window_end) {
            while let Some(&index) = pending.peek() {
                let still = amounts[index].max(Duration::zero()) - used;
                if still > until - from {
                    break;
                }
                moments[index] = Some(from + still.max(Duration::zero()));
                pending.next();
            }
            used += until - from;
        }
        cursor = window_end;
    }
    moments
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;
    use chrono_tz::Europe::{Berlin, Budapest};
    use proptest::prelude::*;

    const WEEKDAYS: [Weekday; 5] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];

    /// Monday to Friday, 08:00–12:00 and 13:00–17:00.
    fn office_hours(holidays: Vec<NaiveDate>) -> Schedule {
        let periods = WEEKDAYS
            .iter()
            .flat_map(|d| [WorkingPeriod { weekday: *d, start_minute: 8 * 60, end_minute: 12 * 60 }, WorkingPeriod { weekday: *d, start_minute: 13 * 60, end_minute: 17 * 60 }])
            .collect();
        Schedule::Weekly { periods, holidays }
    }

    fn every_day_all_day() -> Schedule {
        let all = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
        Schedule::Weekly { periods: all.iter().map(|d| WorkingPeriod { weekday: *d, start_minute: 0, end_minute: MINUTES_PER_DAY }).collect(), holidays: vec![] }
    }

    fn local<Z: TimeZone>(zone: &Z, text: &str) -> DateTime<Utc> {
        local_to_utc(zone, NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap())
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_deadline_over_the_weekend_lands_on_monday_morning_across_the_march_change() {
        // Friday 27 March 2026 16:00 CET + 2 business hours = Monday 30 March 09:00 CEST.
        let start = local(&Berlin, "2026-03-27 16:00");
        assert_eq!(start, utc("2026-03-27T15:00:00Z"));
        let due = add_business_time(&office_hours(vec![]), &Berlin, start, Duration::hours(2)).unwrap();
        assert_eq!(due, utc("2026-03-30T07:00:00Z"));
    }

    #[test]
    fn the_day_the_clocks_change_has_23_or_25_hours_in_berlin_and_budapest() {
        let schedule = every_day_all_day();
        for (name, march, october) in [
            ("Berlin", business_time_between(&schedule, &Berlin, local(&Berlin, "2026-03-29 00:00"), local(&Berlin, "2026-03-30 00:00")),
                business_time_between(&schedule, &Berlin, local(&Berlin, "2026-10-25 00:00"), local(&Berlin, "2026-10-26 00:00"))),
            ("Budapest", business_time_between(&schedule, &Budapest, local(&Budapest, "2026-03-29 00:00"), local(&Budapest, "2026-03-30 00:00")),
                business_time_between(&schedule, &Budapest, local(&Budapest, "2026-10-25 00:00"), local(&Budapest, "2026-10-26 00:00"))),
        ] {
            assert_eq!(march, Duration::hours(23), "{name}: spring forward");
            assert_eq!(october, Duration::hours(25), "{name}: fall back");
        }
    }

    #[test]
    fn a_period_starting_in_the_skipped_hour_starts_when_the_clock_resumes() {
        let night = Schedule::Weekly { periods: vec![WorkingPeriod { weekday: Weekday::Sun, start_minute: 2 * 60 + 30, end_minute: 4 * 60 }], holidays: vec![] };
        let intervals = working_intervals(&night, &Berlin, utc("2026-03-28T00:00:00Z"), utc("2026-03-30T00:00:00Z"));
        // 02:30 does not exist on 29 March; work starts at 03:00 CEST (01:00 UTC) until 04:00 CEST.
        assert_eq!(intervals, vec![(utc("2026-03-29T01:00:00Z"), utc("2026-03-29T02:00:00Z"))]);
    }

    #[test]
    fn holidays_are_skipped() {
        // Easter Monday 2026 is 6 April: Thursday 2 April 17:00 + 8 h lands on Tuesday 7 April 17:00,
        // past Good Friday and Easter Monday.
        let holidays = vec![NaiveDate::from_ymd_opt(2026, 4, 3).unwrap(), NaiveDate::from_ymd_opt(2026, 4, 6).unwrap()];
        let due = add_business_time(&office_hours(holidays), &Budapest, local(&Budapest, "2026-04-02 17:00"), Duration::hours(8)).unwrap();
        assert_eq!(due, local(&Budapest, "2026-04-07 17:00"));
    }

    #[test]
    fn round_the_clock_is_plain_addition_and_a_closed_calendar_has_no_deadline() {
        let start = utc("2026-10-24T22:30:00Z");
        assert_eq!(add_business_time(&Schedule::AlwaysOpen, &Berlin, start, Duration::minutes(90)), Some(start + Duration::minutes(90)));
        let closed = Schedule::Weekly { periods: vec![], holidays: vec![] };
        assert_eq!(add_business_time(&closed, &Berlin, start, Duration::minutes(1)), None);
        assert_eq!(add_business_time(&closed, &Berlin, start, Duration::zero()), None, "no moment is working time");
    }

    #[test]
    fn invalid_periods_are_refused() {
        let period = |start_minute, end_minute| WorkingPeriod { weekday: Weekday::Mon, start_minute, end_minute };
        assert!(validate_periods(&[period(480, 1020)]).is_ok());
        assert!(validate_periods(&[period(0, MINUTES_PER_DAY)]).is_ok());
        assert!(validate_periods(&[period(600, 600)]).is_err(), "empty");
        assert!(validate_periods(&[period(600, 1500)]).is_err(), "past midnight");
        assert!(validate_periods(&[period(480, 720), period(700, 1020)]).is_err(), "overlap");
    }

    #[test]
    fn a_week_of_hours_reads_and_prints_back() {
        let mut week = vec![String::new(); 7];
        week[0] = "09:00-12:00, 13:00-17:00".into();
        week[5] = "10:00-24:00".into();
        let periods = parse_week(&week).unwrap();
        assert_eq!(periods.len(), 3);
        assert_eq!(format_day(&periods, Weekday::Mon), "09:00-12:00, 13:00-17:00");
        assert_eq!(format_day(&periods, Weekday::Sat), "10:00-24:00");
        assert_eq!(format_day(&periods, Weekday::Sun), "");
        for bad in ["9-17", "09:00-08:00", "09:00-12:00, 11:00-13:00", "09:60-10:00", "10:00-25:00"] {
            week[1] = bad.into();
            assert!(parse_week(&week).is_err(), "{bad}");
        }
        assert!(parse_week(&week[..6]).is_err());
        assert_eq!(parse_holidays("2026-12-26, 2026-12-25\n2026-12-25").unwrap().len(), 2);
        assert!(parse_holidays("25.12.2026").is_err());
    }

    fn moment() -> impl Strategy<Value = DateTime<Utc>> {
        // Any minute of 2026 and 2027, so both daylight-saving changes of each year are crossed.
        (0i64..2 * 365 * 24 * 60).prop_map(|m| utc("2026-01-01T00:00:00Z") + Duration::minutes(m))
    }

    proptest! {
        #[test]
        fn adding_then_measuring_gives_back_the_amount(start in moment(), minutes in 0i64..(80 * 60), budapest in any::<bool>()) {
            let schedule = office_hours(vec![NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()]);
            let amount = Duration::minutes(minutes);
            let (due, measured) = if budapest {
                let due = add_business_time(&schedule, &Budapest, start, amount).unwrap();
                (due, business_time_between(&schedule, &Budapest, start, due))
            } else {
                let due = add_business_time(&schedule, &Berlin, start, amount).unwrap();
                (due, business_time_between(&schedule, &Berlin, start, due))
            };
            prop_assert_eq!(measured, amount);
            prop_assert!(due >= start);
        }

        #[test]
        fn deadlines_fall_inside_working_time(start in moment(), minutes in 1i64..(80 * 60)) {
            let schedule = office_hours(vec![]);
            let due = add_business_time(&schedule, &Berlin, start, Duration::minutes(minutes)).unwrap();
            let local = due.with_timezone(&Berlin);
            let minute = (local.hour() * 60 + local.minute()) as u16;
            prop_assert!(WEEKDAYS.contains(&local.weekday()), "{local}");
            // A deadline may fall on the last instant of a period (its end).
            prop_assert!((8 * 60 < minute && minute <= 12 * 60) || (13 * 60 < minute && minute <= 17 * 60), "{local}");
        }

        #[test]
        fn more_business_time_never_gives_an_earlier_deadline(start in moment(), a in 0i64..6000, b in 0i64..6000) {
            let schedule = office_hours(vec![]);
            let (small, large) = (a.min(b), a.max(b));
            let early = add_business_time(&schedule, &Budapest, start, Duration::minutes(small)).unwrap();
            let late = add_business_time(&schedule, &Budapest, start, Duration::minutes(large)).unwrap();
            prop_assert!(early <= late);
        }

        /// Several amounts in one walk give the same moments as one walk each.
        #[test]
        fn adding_several_amounts_at_once_matches_adding_each(start in moment(), amounts in proptest::collection::vec(0i64..6000, 0..4)) {
            let schedule = office_hours(vec![NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()]);
            let amounts: Vec<Duration> = amounts.into_iter().map(Duration::minutes).collect();
            let each: Vec<_> = amounts.iter().map(|a| add_business_time(&schedule, &Berlin, start, *a)).collect();
            prop_assert_eq!(add_business_times(&schedule, &Berlin, start, &amounts), each);
        }
    }
}
