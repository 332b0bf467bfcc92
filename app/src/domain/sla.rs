//! SLA clocks (SPEC S4): when a KPI is due in business time, how pauses move it, what state it
//! is in at a moment, and which escalation level is due next. Server and browser share this.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::{add_business_time, add_business_times, business_time_between, time_within, working_intervals, Schedule};
use crate::error::AppError;
pub use crate::model::{Alert, Countdown, KpiKind, SlaState};

/// One rung of a clock's ladder: an alert and the business time after the start at which the
/// escalation job raises it.
pub type Rung = (Alert, Duration);

/// A priority code's escalation ladder: Follow-up, then Warning, then Late.
pub fn escalation_ladder(follow_up: Duration, warning: Duration, late: Duration) -> Vec<Rung> {
    vec![(Alert::FollowUp, follow_up), (Alert::Warning, warning), (Alert::Late, late)]
}

/// The cached moments of a clock (see `KpiClock::moments`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moments {
    pub due: Option<DateTime<Utc>>,
    pub warning: Option<DateTime<Utc>>,
    pub next_alert: Option<(Alert, DateTime<Utc>)>,
}

/// One KPI instance of one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiClock {
    pub started_at: DateTime<Utc>,
    /// Business time allowed.
    pub target: Duration,
    /// Business time after which the KPI is nearing breach.
    pub warn_after: Duration,
    /// Business time spent in finished pauses; it moves every moment of the clock.
    pub paused_total: Duration,
    pub paused_since: Option<DateTime<Utc>>,
    pub met_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

impl KpiClock {
    pub fn new(started_at: DateTime<Utc>, target: Duration, warn_after: Duration) -> Self {
        KpiClock { started_at, target, warn_after, paused_total: Duration::zero(), paused_since: None, met_at: None, cancelled_at: None }
    }

    fn finished(&self) -> bool {
        self.met_at.is_some() || self.cancelled_at.is_some()
    }

    /// The moment `amount` of business time has run on this clock, pauses included.
    fn after<Z: TimeZone>(&self, schedule: &Schedule, zone: &Z, amount: Duration) -> Option<DateTime<Utc>> {
        add_business_time(schedule, zone, self.started_at, amount + self.paused_total)
    }

    /// When the KPI breaches, as things stand (a running pause is not counted yet).
    pub fn due<Z: TimeZone>(&self, schedule: &Schedule, zone: &Z) -> Option<DateTime<Utc>> {
        self.after(schedule, zone, self.target)
    }

    /// The due moment, the warning moment and the next alert of `ladder` (after `raised`
    /// rungs), in one walk over the calendar: what the store caches for each clock.
    pub fn moments<Z: TimeZone>(&self, schedule: &Schedule, zone: &Z, ladder: &[Rung], raised: usize) -> Moments {
        let rung = ladder.get(raised).filter(|_| !self.finished() && self.paused_since.is_none());
        let mut amounts = vec![self.target + self.paused_total, self.warn_after + self.paused_total];
        amounts.extend(rung.map(|(_, after)| *after + self.paused_total));
        let found = add_business_times(schedule, zone, self.started_at, &amounts);
        Moments {
            due: found[0],
            warning: found[1],
            next_alert: rung.and_then(|(alert, _)| found.get(2).copied().flatten().map(|at| (*alert, at))),
        }
    }

    /// Stops the clock (the ticket entered a pausing stage); nothing happens if it is not running.
    pub fn pause(&mut self, at: DateTime<Utc>) {
        if self.paused_since.is_none() && !self.finished() {
            self.paused_since = Some(at.max(self.started_at));
        }
    }

    /// Restarts a paused clock: the business time spent paused is added to every deadline.
    pub fn resume<Z: TimeZone>(&mut self, schedule: &Schedule, zone: &Z, at: DateTime<Utc>) {
        if let Some(since) = self.paused_since.take() {
            self.paused_total += business_time_between(schedule, zone, since, at);
        }
    }

    /// The KPI was achieved at `at` (first response sent, ticket resolved).
    pub fn meet<Z: TimeZone>(&mut self, schedule: &Schedule, zone: &Z, at: DateTime<Utc>) {
        if !self.finished() {
            self.resume(schedule, zone, at);
            self.met_at = Some(at);
        }
    }

    pub fn cancel(&mut self, at: DateTime<Utc>) {
        if !self.finished() {
            self.cancelled_at = Some(at);
        }
    }

    /// Business time the clock has run by `now`: frozen while paused, stopped once met.
    pub fn used<Z: TimeZone>(&self, schedule: &Schedule, zone: &Z, now: DateTime<Utc>) -> Duration {
        let stopped = [Some(now), self.paused_since, self.met_at, self.cancelled_at].into_iter().flatten().min().unwrap_or(now);
        business_time_between(schedule, zone, self.started_at, stopped) - self.paused_total
    }

    /// Business time left at `now`; negative once breached (the browser counts it up in red).
    pub fn remaining<Z: TimeZone>(&self, schedule: &Schedule, zone: &Z, now: DateTime<Utc>) -> Duration {
        self.target - self.used(schedule, zone, now)
    }

    pub fn state<Z: TimeZone>(&self, schedule: &Schedule, zone: &Z, now: DateTime<Utc>) -> SlaState {
        let used = self.used(schedule, zone, now);
        if self.cancelled_at.is_some() {
            SlaState::Cancelled
        } else if self.met_at.is_some() {
            // Met late is still a breach.
            if used <= self.target { SlaState::Met } else { SlaState::Breached }
        } else if used >= self.target {
            SlaState::Breached
        } else if self.paused_since.is_some() {
            SlaState::Paused
        } else if used >= self.warn_after {
            SlaState::Warning
        } else {
            SlaState::Running
        }
    }

    /// A KPI's own ladder: nearing breach at the warning threshold, breached at the target.
    pub fn kpi_ladder(&self) -> Vec<Rung> {
        vec![(Alert::NearingBreach, self.warn_after), (Alert::Breached, self.target)]
    }

    /// The next rung to raise once `raised` rungs of `ladder` were raised, and its moment;
    /// `None` when the clock is finished, paused (it is looked at again on resume), or the
    /// ladder is climbed.
    pub fn next_alert<Z: TimeZone>(&self, schedule: &Schedule, zone: &Z, ladder: &[Rung], raised: usize) -> Option<(Alert, DateTime<Utc>)> {
        if self.finished() || self.paused_since.is_some() {
            return None;
        }
        let (alert, after) = ladder.get(raised)?;
        self.after(schedule, zone, *after).map(|at| (*alert, at))
    }
}

/// How far ahead the browser is given working time to tick through; the page is refreshed long
/// before that runs out.
pub const COUNTDOWN_HORIZON_DAYS: i64 = 14;

impl Countdown {
    pub fn of<Z: TimeZone>(kind: KpiKind, clock: &KpiClock, schedule: &Schedule, zone: &Z, now: DateTime<Utc>) -> Countdown {
        let state = clock.state(schedule, zone, now);
        let ticking = !clock.finished() && clock.paused_since.is_none();
        let working = match schedule {
            Schedule::AlwaysOpen => None,
            Schedule::Weekly { .. } if ticking => Some(working_intervals(schedule, zone, now, now + Duration::days(COUNTDOWN_HORIZON_DAYS))),
            Schedule::Weekly { .. } => Some(Vec::new()),
        };
        Countdown {
            kind,
            due: clock.due(schedule, zone),
            at: now,
            left_secs: clock.remaining(schedule, zone, now).num_seconds(),
            warn_left_secs: (clock.target - clock.warn_after).num_seconds(),
            frozen: (!ticking).then_some(state),
            working,
        }
    }

    /// Business time left at `now` (negative after breach), as `KpiClock::remaining` gives it.
    pub fn left(&self, now: DateTime<Utc>) -> Duration {
        let left = Duration::seconds(self.left_secs);
        if self.frozen.is_some() || now <= self.at {
            return left;
        }
        let elapsed = match &self.working {
            None => now - self.at,
            Some(working) => time_within(working, self.at, now),
        };
        left - elapsed
    }

    /// Which clock a card or page shows first (lower first): ticking, then paused, then finished.
    pub fn rank(&self) -> u8 {
        match self.frozen {
            None => 0,
            Some(SlaState::Paused) => 1,
            Some(_) => 2,
        }
    }

    pub fn state(&self, now: DateTime<Utc>) -> SlaState {
        if let Some(frozen) = self.frozen {
            return frozen;
        }
        let left = self.left(now);
        if left <= Duration::zero() {
            SlaState::Breached
        } else if left.num_seconds() <= self.warn_left_secs {
            SlaState::Warning
        } else {
            SlaState::Running
        }
    }
}

/// "1:02:03" left, "3d 04:05:06" for longer, "+0:00:12" counting up after breach.
pub fn format_left(left: Duration) -> String {
    let sign = if left < Duration::zero() { "+" } else { "" };
    let secs = left.num_seconds().abs();
    let (days, hours, minutes, seconds) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if days > 0 {
        format!("{sign}{days}d {hours:02}:{minutes:02}:{seconds:02}")
    } else {
        format!("{sign}{hours}:{minutes:02}:{seconds:02}")
    }
}

/// Reads a business duration such as "45m", "8h", "1h 30m" or a bare number of minutes.
pub fn parse_minutes(text: &str) -> Result<i64, AppError> {
    let invalid = || AppError::Invalid(format!("{} is not a duration; write it like 45m, 8h or 1h 30m.", super::validate::quoted(text)));
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    if compact.is_empty() {
        return Err(invalid());
    }
    if let Ok(minutes) = compact.parse::<i64>() {
        return (minutes > 0 && minutes <= MAX_MINUTES).then_some(minutes).ok_or_else(invalid);
    }
    let mut total = 0i64;
    let mut digits = String::new();
    for c in compact.chars() {
        match c {
            '0'..='9' => digits.push(c),
            'h' | 'm' if !digits.is_empty() => {
                let n: i64 = digits.parse().map_err(|_| invalid())?;
                total = total.checked_add(if c == 'h' { n.checked_mul(60).ok_or_else(invalid)? } else { n }).ok_or_else(invalid)?;
                digits.clear();
            }
            _ => return Err(invalid()),
        }
    }
    if !digits.is_empty() || total <= 0 || total > MAX_MINUTES {
        return Err(invalid());
    }
    Ok(total)
}

/// A year of business minutes is the longest target accepted.
const MAX_MINUTES: i64 = 366 * 24 * 60;

/// Minutes as they are typed: "1h 30m", "8h", "45m".
pub fn format_minutes(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::{add_business_time, WorkingPeriod};
    use chrono::Weekday;
    use chrono_tz::Europe::Berlin;
    use proptest::prelude::*;

    fn office_hours() -> Schedule {
        let days = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
        Schedule::Weekly { periods: days.iter().map(|d| WorkingPeriod { weekday: *d, start_minute: 9 * 60, end_minute: 17 * 60 }).collect(), holidays: vec![] }
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_one_minute_kpi_on_24x7_warns_then_breaches_and_counts_up() {
        let start = utc("2026-11-22T10:00:00Z");
        let clock = KpiClock::new(start, Duration::minutes(1), Duration::seconds(30));
        let at = |s: i64| start + Duration::seconds(s);
        let always = Schedule::AlwaysOpen;
        assert_eq!(clock.state(&always, &Utc, at(10)), SlaState::Running);
        assert_eq!(clock.state(&always, &Utc, at(30)), SlaState::Warning);
        assert_eq!(clock.state(&always, &Utc, at(60)), SlaState::Breached);
        assert_eq!(clock.remaining(&always, &Utc, at(75)), Duration::seconds(-15));
        assert_eq!(clock.due(&always, &Utc), Some(at(60)));
    }

    #[test]
    fn a_pause_freezes_the_clock_and_moves_the_deadline_by_the_paused_business_time() {
        let schedule = office_hours();
        // Monday 09:00 Berlin, 4 business hours: due 13:00.
        let mut clock = KpiClock::new(utc("2026-11-23T08:00:00Z"), Duration::hours(4), Duration::hours(3));
        assert_eq!(clock.due(&schedule, &Berlin), Some(utc("2026-11-23T12:00:00Z")));
        clock.pause(utc("2026-11-23T10:00:00Z"));
        assert_eq!(clock.state(&schedule, &Berlin, utc("2026-11-23T15:00:00Z")), SlaState::Paused, "past the old due moment, but paused");
        assert_eq!(clock.remaining(&schedule, &Berlin, utc("2026-11-24T08:00:00Z")), Duration::hours(2), "frozen");
        // Resumed Tuesday 10:00 Berlin: paused from Monday 11:00 = 6 h Monday + 1 h Tuesday.
        clock.resume(&schedule, &Berlin, utc("2026-11-24T09:00:00Z"));
        assert_eq!(clock.paused_total, Duration::hours(7));
        assert_eq!(clock.due(&schedule, &Berlin), Some(utc("2026-11-24T11:00:00Z")), "the 2 h left run from Tuesday 10:00");
        clock.meet(&schedule, &Berlin, utc("2026-11-24T10:30:00Z"));
        assert_eq!(clock.state(&schedule, &Berlin, utc("2026-11-30T10:00:00Z")), SlaState::Met);
    }

    #[test]
    fn meeting_a_kpi_late_stays_breached_and_cancelled_is_cancelled() {
        let start = utc("2026-11-22T10:00:00Z");
        let mut late = KpiClock::new(start, Duration::minutes(5), Duration::minutes(4));
        late.meet(&Schedule::AlwaysOpen, &Utc, start + Duration::minutes(6));
        assert_eq!(late.state(&Schedule::AlwaysOpen, &Utc, start + Duration::hours(1)), SlaState::Breached);
        let mut dropped = KpiClock::new(start, Duration::minutes(5), Duration::minutes(4));
        dropped.cancel(start + Duration::minutes(1));
        assert_eq!(dropped.state(&Schedule::AlwaysOpen, &Utc, start + Duration::hours(1)), SlaState::Cancelled);
        assert_eq!(dropped.next_alert(&Schedule::AlwaysOpen, &Utc, &dropped.kpi_ladder(), 0), None);
    }

    #[test]
    fn the_escalation_ladder_climbs_in_order_once_each_and_waits_while_paused() {
        let start = utc("2026-11-22T10:00:00Z");
        let mut clock = KpiClock::new(start, Duration::hours(1), Duration::minutes(45));
        let always = Schedule::AlwaysOpen;
        let ladder = escalation_ladder(Duration::minutes(30), Duration::minutes(45), Duration::minutes(60));
        // A job that wakes at each next moment raises each rung exactly once, in order.
        let mut fired = Vec::new();
        while let Some((alert, at)) = clock.next_alert(&always, &Utc, &ladder, fired.len()) {
            fired.push((alert, at - start));
        }
        assert_eq!(fired, vec![
            (Alert::FollowUp, Duration::minutes(30)),
            (Alert::Warning, Duration::minutes(45)),
            (Alert::Late, Duration::minutes(60)),
        ]);
        clock.pause(start + Duration::minutes(10));
        assert_eq!(clock.next_alert(&always, &Utc, &ladder, 0), None, "a paused clock raises nothing");
        clock.resume(&always, &Utc, start + Duration::minutes(20));
        assert_eq!(clock.next_alert(&always, &Utc, &clock.kpi_ladder(), 1), Some((Alert::Breached, start + Duration::minutes(70))));
        clock.meet(&always, &Utc, start + Duration::minutes(21));
        assert_eq!(clock.next_alert(&always, &Utc, &ladder, 0), None);
    }

    #[test]
    fn durations_read_and_print_the_way_people_type_them() {
        assert_eq!(parse_minutes("45").unwrap(), 45);
        assert_eq!(parse_minutes(" 1h 30m ").unwrap(), 90);
        assert_eq!(parse_minutes("8H").unwrap(), 480);
        for bad in ["", "0", "-5", "1d", "h", "5 x", "30m 2"] {
            assert!(parse_minutes(bad).is_err(), "{bad:?}");
        }
        assert_eq!(format_minutes(90), "1h 30m");
        assert_eq!(format_minutes(480), "8h");
        assert_eq!(format_left(Duration::seconds(3723)), "1:02:03");
        assert_eq!(format_left(Duration::seconds(-12)), "+0:00:12");
        assert_eq!(format_left(Duration::seconds(3 * 86_400 + 5)), "3d 00:00:05");
    }

    fn moment() -> impl Strategy<Value = DateTime<Utc>> {
        (0i64..365 * 24 * 60).prop_map(|m| utc("2026-01-01T00:00:00Z") + Duration::minutes(m))
    }

    proptest! {
        /// Pausing then resuming adds exactly the business time spent paused to the deadline,
        /// and the time left is the same just before the pause and just after the resume.
        #[test]
        fn pause_and_resume_add_exactly_the_paused_business_time(
            start in moment(),
            target in 1i64..(40 * 60),
            pause_after in 0i64..(10 * 24 * 60),
            paused_for in 0i64..(10 * 24 * 60),
        ) {
            let schedule = office_hours();
            let mut clock = KpiClock::new(start, Duration::minutes(target), Duration::minutes(target / 2));
            let due_before = clock.due(&schedule, &Berlin).unwrap();
            let paused_at = start + Duration::minutes(pause_after);
            let resumed_at = paused_at + Duration::minutes(paused_for);
            let left_at_pause = clock.remaining(&schedule, &Berlin, paused_at);
            clock.pause(paused_at);
            clock.resume(&schedule, &Berlin, resumed_at);
            prop_assert_eq!(clock.remaining(&schedule, &Berlin, resumed_at), left_at_pause);
            let paused_business = business_time_between(&schedule, &Berlin, paused_at, resumed_at);
            let due_after = clock.due(&schedule, &Berlin).unwrap();
            prop_assert_eq!(business_time_between(&schedule, &Berlin, start, due_after), Duration::minutes(target) + paused_business);
            prop_assert!(due_after >= due_before);
        }

        /// One walk gives the same moments as asking for each separately.
        #[test]
        fn moments_agree_with_due_and_next_alert(start in moment(), target in 2i64..(40 * 60), raised in 0usize..4, paused in any::<bool>()) {
            let schedule = office_hours();
            let mut clock = KpiClock::new(start, Duration::minutes(target), Duration::minutes(target / 2));
            if paused {
                clock.pause(start + Duration::minutes(5));
            }
            let ladder = escalation_ladder(Duration::minutes(target / 3), Duration::minutes(target / 2), Duration::minutes(target));
            let moments = clock.moments(&schedule, &Berlin, &ladder, raised);
            prop_assert_eq!(moments.due, clock.due(&schedule, &Berlin));
            prop_assert_eq!(moments.warning, add_business_time(&schedule, &Berlin, start, Duration::minutes(target / 2)));
            prop_assert_eq!(moments.next_alert, clock.next_alert(&schedule, &Berlin, &ladder, raised));
        }

        /// The browser's countdown, ticking on from the moment it was computed, shows exactly
        /// what the server's clock would show at every later moment within the horizon.
        #[test]
        fn the_browser_countdown_agrees_with_the_clock(
            start in moment(),
            target in 2i64..(40 * 60),
            computed_after in 0i64..(5 * 24 * 60),
            ticked_for in 0i64..(COUNTDOWN_HORIZON_DAYS * 24 * 60),
            round_the_clock in any::<bool>(),
        ) {
            let schedule = if round_the_clock { Schedule::AlwaysOpen } else { office_hours() };
            let clock = KpiClock::new(start, Duration::minutes(target), Duration::minutes(target * 3 / 4));
            let computed = start + Duration::minutes(computed_after);
            let countdown = Countdown::of(KpiKind::Resolution, &clock, &schedule, &Berlin, computed);
            let later = computed + Duration::minutes(ticked_for);
            prop_assert_eq!(countdown.left(later), clock.remaining(&schedule, &Berlin, later));
            prop_assert_eq!(countdown.state(later), clock.state(&schedule, &Berlin, later));
        }

        #[test]
        fn the_state_follows_the_time_used(start in moment(), target in 2i64..(40 * 60), elapsed in 0i64..(20 * 24 * 60)) {
            let schedule = office_hours();
            let clock = KpiClock::new(start, Duration::minutes(target), Duration::minutes(target / 2));
            let now = start + Duration::minutes(elapsed);
            let used = business_time_between(&schedule, &Berlin, start, now);
            let expected = if used >= Duration::minutes(target) {
                SlaState::Breached
            } else if used >= Duration::minutes(target / 2) {
                SlaState::Warning
            } else {
                SlaState::Running
            };
            prop_assert_eq!(clock.state(&schedule, &Berlin, now), expected);
            prop_assert_eq!(clock.remaining(&schedule, &Berlin, now), Duration::minutes(target) - used);
        }
    }
}
