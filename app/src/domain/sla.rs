//! SLA clocks (SPEC S4): when a KPI is due in business time, how pauses move it, what state it
//! is in at a moment, and which escalation level is due next. Server and browser share this.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::{add_business_time, business_time_between, Schedule};

/// What a KPI clock shows (`data-sla-state` in the browser).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    Running,
    Warning,
    Breached,
    Paused,
    Met,
    Cancelled,
}

/// The escalation ladder of a priority code, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    FollowUp,
    Warning,
    Late,
}

/// Business time after the start at which each escalation level is raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ladder {
    pub follow_up: Duration,
    pub warning: Duration,
    pub late: Duration,
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

    pub fn warning_at<Z: TimeZone>(&self, schedule: &Schedule, zone: &Z) -> Option<DateTime<Utc>> {
        self.after(schedule, zone, self.warn_after)
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

    /// The lowest escalation level above `raised` that is still to come, and when it is due;
    /// `None` when the clock is finished or every level has been raised.
    pub fn next_escalation<Z: TimeZone>(&self, schedule: &Schedule, zone: &Z, ladder: &Ladder, raised: Option<Escalation>) -> Option<(Escalation, DateTime<Utc>)> {
        if self.finished() {
            return None;
        }
        [(Escalation::FollowUp, ladder.follow_up), (Escalation::Warning, ladder.warning), (Escalation::Late, ladder.late)]
            .into_iter()
            .find(|(level, _)| raised.is_none_or(|r| *level > r))
            .and_then(|(level, after)| self.after(schedule, zone, after).map(|at| (level, at)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::WorkingPeriod;
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
        assert_eq!(dropped.next_escalation(&Schedule::AlwaysOpen, &Utc, &ladder(), None), None);
    }

    fn ladder() -> Ladder {
        Ladder { follow_up: Duration::minutes(30), warning: Duration::minutes(45), late: Duration::minutes(60) }
    }

    #[test]
    fn the_escalation_ladder_climbs_in_order_once_each() {
        let start = utc("2026-11-22T10:00:00Z");
        let clock = KpiClock::new(start, Duration::hours(1), Duration::minutes(45));
        let always = Schedule::AlwaysOpen;
        // A job that wakes at each next moment raises each level exactly once, in order.
        let mut raised = None;
        let mut fired = Vec::new();
        while let Some((level, at)) = clock.next_escalation(&always, &Utc, &ladder(), raised) {
            fired.push((level, at - start));
            raised = Some(level);
        }
        assert_eq!(fired, vec![
            (Escalation::FollowUp, Duration::minutes(30)),
            (Escalation::Warning, Duration::minutes(45)),
            (Escalation::Late, Duration::minutes(60)),
        ]);
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
