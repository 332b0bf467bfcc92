//! SLA reconciliation: given a ticket's clocks as stored and where the ticket stands now, which
//! clocks start, take new terms, pause, resume, are met or are cancelled, and what the timeline
//! says about it. The store loads the facts, calls `reconcile` and writes back what changed.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::calendar::Schedule;
use super::sla::KpiClock;
use crate::model::{KpiKind, SlaState, StageCategory};

/// A calendar ready for business-time math.
pub struct BusinessCalendar<Z: TimeZone> {
    pub schedule: Schedule,
    pub zone: Z,
}

/// What a clock measures: its policy, calendar, target, warning threshold and (escalation
/// ladder only) follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    pub policy_id: Option<i64>,
    pub calendar_id: i64,
    pub target: Duration,
    pub warn_after: Duration,
    pub follow_up: Option<Duration>,
}

/// One clock of a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketClock {
    pub kind: KpiKind,
    pub terms: Terms,
    pub clock: KpiClock,
}

impl TicketClock {
    fn open(&self) -> bool {
        self.clock.met_at.is_none() && self.clock.cancelled_at.is_none()
    }
}

/// Where the ticket stands now.
pub struct Situation<'a> {
    pub category: StageCategory,
    /// The ticket's stage stops SLA clocks (waiting on the customer).
    pub stage_pauses: bool,
    pub stage_name: &'a str,
    /// When the ticket was created: every clock counts from there.
    pub created_at: DateTime<Utc>,
    /// The policy that applies, for the timeline.
    pub policy_name: Option<&'a str>,
    /// When staff first answered the customer (a reply, not a note).
    pub first_reply_at: Option<DateTime<Utc>>,
    /// The customer's earliest reply that staff have not answered yet, once they have answered
    /// at least once: the next-response clock counts from there.
    pub unanswered_since: Option<DateTime<Utc>>,
}

/// What became of a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Unchanged,
    Changed,
    /// A new clock to insert.
    Started,
}

pub struct Reconciled {
    /// The stored clocks in their order, then the started ones.
    pub clocks: Vec<(TicketClock, Outcome)>,
    /// What the timeline says, one line each (empty when nothing visible happened).
    pub notes: Vec<String>,
}

/// Whether the ticket meets a KPI now: first response once staff replied to the customer, next
/// response once the customer's latest replies are answered, and every KPI when the ticket
/// closes. A stage move alone answers nobody.
pub fn meets(kind: KpiKind, ticket: &Situation) -> bool {
    ticket.category.is_closing()
        || match kind {
            KpiKind::FirstResponse => ticket.first_reply_at.is_some(),
            KpiKind::NextResponse => ticket.unanswered_since.is_none(),
            KpiKind::Resolution | KpiKind::Escalation => false,
        }
}

/// When a clock of this KPI counts from: the ticket's creation, or for next response the
/// customer's unanswered reply (`None`: no next response is due).
fn counts_from(kind: KpiKind, ticket: &Situation) -> Option<DateTime<Utc>> {
    match kind {
        KpiKind::NextResponse => ticket.unanswered_since,
        KpiKind::FirstResponse | KpiKind::Resolution | KpiKind::Escalation => Some(ticket.created_at),
    }
}

/// Brings `stored` in line with `wanted` (the clocks the applicable policy and priority code ask
/// for, with their terms) and with the ticket's stage:
/// - a wanted clock that does not exist starts at the ticket's creation (next response: at the
///   customer's unanswered reply, one clock per round); an existing open or cancelled one takes
///   the wanted terms (a cancelled one runs again);
/// - an open clock nobody wants any more, or of a cancelled ticket, is cancelled;
/// - an open clock whose KPI the ticket meets (`meets`) is met (late when past its target);
/// - otherwise a clock pauses in a pausing stage and resumes outside one, its deadlines moved
///   by the business time spent paused.
///
/// Met clocks never change again. `calendar` must know every calendar id of `stored` and `wanted`.
pub fn reconcile<'c, Z: TimeZone + 'c>(
    stored: Vec<TicketClock>,
    wanted: &[(KpiKind, Terms)],
    ticket: &Situation,
    calendar: impl Fn(i64) -> &'c BusinessCalendar<Z>,
    now: DateTime<Utc>,
) -> Reconciled {
    let mut clocks: Vec<(TicketClock, Outcome)> = stored.into_iter().map(|c| (c, Outcome::Unchanged)).collect();
    let mut notes = Vec::new();
    let mut recalculated = false;
    for (kind, terms) in wanted {
        let from = counts_from(*kind, ticket);
        // Next response runs once per unanswered customer reply: the clock of this round (open,
        // or already finished for it); the earlier rounds' clocks stay as they ended.
        let this_round = |c: &TicketClock| c.kind == *kind && (*kind != KpiKind::NextResponse || c.open() || Some(c.clock.started_at) == from);
        match clocks.iter_mut().find(|(c, _)| this_round(c)) {
            Some((existing, outcome)) if existing.clock.met_at.is_none() => {
                // A cancelled clock runs again once it is wanted and the ticket is not cancelled.
                let runs_again = existing.clock.cancelled_at.is_some() && ticket.category != StageCategory::Cancelled;
                if existing.terms != *terms || runs_again {
                    recalculated |= existing.open() && *kind != KpiKind::Escalation;
                    existing.terms = *terms;
                    existing.clock.target = terms.target;
                    existing.clock.warn_after = terms.warn_after;
                    if runs_again {
                        existing.clock.cancelled_at = None;
                    }
                    *outcome = Outcome::Changed;
                }
            }
            Some(_) => {}
            None => {
                let Some(from) = from else { continue };
                clocks.push((TicketClock { kind: *kind, terms: *terms, clock: KpiClock::new(from, terms.target, terms.warn_after) }, Outcome::Started));
                if *kind != KpiKind::Escalation {
                    notes.push(format!("{} clock started", kind.label()));
                }
            }
        }
    }
    if recalculated {
        notes.push(match ticket.policy_name {
            Some(name) => format!("SLA recalculated under policy \"{name}\""),
            None => "SLA recalculated".into(),
        });
    }

    let (mut paused, mut resumed) = (false, false);
    for (entry, outcome) in clocks.iter_mut() {
        if !entry.open() {
            continue;
        }
        let rules = calendar(entry.terms.calendar_id);
        let before = entry.clock.clone();
        let kind = entry.kind;
        if !wanted.iter().any(|(k, _)| *k == kind) {
            entry.clock.cancel(now);
            notes.push(format!("{} cancelled: no SLA policy applies", kind.label()));
        } else if ticket.category == StageCategory::Cancelled {
            entry.clock.cancel(now);
            notes.push(format!("{} cancelled with the ticket", kind.label()));
        } else if meets(kind, ticket) {
            entry.clock.meet(&rules.schedule, &rules.zone, now);
            if kind != KpiKind::Escalation {
                let late = entry.clock.state(&rules.schedule, &rules.zone, now) != SlaState::Met;
                notes.push(format!("{} {}", kind.label(), if late { "met late (breached)" } else { "met" }));
            }
        } else if ticket.stage_pauses && entry.clock.paused_since.is_none() {
            entry.clock.pause(now);
            paused = true;
        } else if !ticket.stage_pauses && entry.clock.paused_since.is_some() {
            entry.clock.resume(&rules.schedule, &rules.zone, now);
            resumed = true;
        }
        if entry.clock != before && *outcome == Outcome::Unchanged {
            *outcome = Outcome::Changed;
        }
    }
    if paused {
        notes.push(format!("SLA clocks paused (stage {})", ticket.stage_name));
    }
    if resumed {
        notes.push("SLA clocks resumed; deadlines moved by the paused business time".into());
    }
    Reconciled { clocks, notes }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use proptest::prelude::*;

    use super::*;

    const KINDS: [KpiKind; 4] = [KpiKind::FirstResponse, KpiKind::Resolution, KpiKind::NextResponse, KpiKind::Escalation];
    const CATEGORIES: [StageCategory; 5] =
        [StageCategory::New, StageCategory::InProgress, StageCategory::Waiting, StageCategory::Solved, StageCategory::Cancelled];

    fn always_open(_: i64) -> &'static BusinessCalendar<Utc> {
        static OPEN: BusinessCalendar<Utc> = BusinessCalendar { schedule: Schedule::AlwaysOpen, zone: Utc };
        &OPEN
    }

    fn start() -> DateTime<Utc> {
        DateTime::from_timestamp(1_767_000_000, 0).unwrap()
    }

    fn terms(minutes: i64, policy_id: i64) -> Terms {
        Terms { policy_id: Some(policy_id), calendar_id: 1, target: Duration::minutes(minutes), warn_after: Duration::minutes(minutes * 3 / 4), follow_up: None }
    }

    fn situation(category: StageCategory, stage_pauses: bool) -> Situation<'static> {
        Situation { category, stage_pauses, stage_name: "Stage", created_at: start(), policy_name: Some("Policy"), first_reply_at: None, unanswered_since: None }
    }

    /// A ticket's life: each step puts it in a stage (by category, pausing or not), with some
    /// clocks wanted, some minutes later, maybe after a reply (`Some(true)`: staff, `Some(false)`:
    /// the customer).
    fn steps() -> impl Strategy<Value = Vec<(usize, bool, Vec<(usize, i64)>, i64, Option<bool>)>> {
        prop::collection::vec(
            (0..CATEGORIES.len(), any::<bool>(), prop::collection::vec((0..KINDS.len(), 1..600i64), 0..4), 0..240i64, prop::option::of(any::<bool>())),
            1..12,
        )
    }

    fn wanted_of(picks: &[(usize, i64)]) -> Vec<(KpiKind, Terms)> {
        let mut wanted: Vec<(KpiKind, Terms)> = Vec::new();
        for (kind, minutes) in picks {
            if !wanted.iter().any(|(k, _)| *k == KINDS[*kind]) {
                wanted.push((KINDS[*kind], terms(*minutes, 1)));
            }
        }
        wanted
    }

    proptest! {
        #[test]
        fn clocks_follow_the_ticket_a_met_clock_never_changes_and_a_second_pass_is_silent(life in steps()) {
            let mut clocks: Vec<TicketClock> = Vec::new();
            let mut now = start();
            let (mut first_reply_at, mut unanswered_since) = (None, None);
            for (category, pauses, picks, minutes, reply) in life {
                now += Duration::minutes(minutes);
                match reply {
                    Some(true) => {
                        first_reply_at = first_reply_at.or(Some(now));
                        unanswered_since = None;
                    }
                    Some(false) if first_reply_at.is_some() => unanswered_since = unanswered_since.or(Some(now)),
                    _ => {}
                }
                let ticket = Situation { first_reply_at, unanswered_since, ..situation(CATEGORIES[category], pauses) };
                let wanted = wanted_of(&picks);
                let met_before: Vec<TicketClock> = clocks.iter().filter(|c| c.clock.met_at.is_some()).cloned().collect();
                let result = reconcile(clocks.clone(), &wanted, &ticket, always_open, now);
                clocks = result.clocks.into_iter().map(|(c, _)| c).collect();

                for met in &met_before {
                    prop_assert!(clocks.contains(met), "a met clock changed: {:?}", met.kind);
                }
                for (kind, _) in &wanted {
                    let due = *kind != KpiKind::NextResponse || unanswered_since.is_some();
                    prop_assert!(!due || clocks.iter().any(|c| c.kind == *kind), "{kind:?} is wanted but has no clock");
                }
                for kind in KINDS {
                    prop_assert!(clocks.iter().filter(|c| c.kind == kind && c.open()).count() <= 1, "two open {kind:?} clocks");
                }
                for clock in &clocks {
                    prop_assert!(!(clock.clock.met_at.is_some() && clock.clock.cancelled_at.is_some()), "met and cancelled");
                    let wanted_terms = wanted.iter().find(|(k, _)| *k == clock.kind).map(|(_, t)| *t);
                    if clock.open() {
                        prop_assert_eq!(Some(clock.terms), wanted_terms, "an open clock runs on the wanted terms");
                        prop_assert!(ticket.category != StageCategory::Cancelled, "a cancelled ticket keeps a running clock");
                        prop_assert!(!meets(clock.kind, &ticket), "{:?} stays open although the ticket meets it", clock.kind);
                        prop_assert_eq!(clock.clock.paused_since.is_some(), pauses, "open clocks pause exactly in pausing stages");
                    } else if clock.clock.cancelled_at.is_some() {
                        let earlier_round = clock.kind == KpiKind::NextResponse && Some(clock.clock.started_at) != unanswered_since;
                        prop_assert!(wanted_terms.is_none() || ticket.category == StageCategory::Cancelled || earlier_round, "cancelled although wanted");
                    }
                }
                let again = reconcile(clocks.clone(), &wanted, &ticket, always_open, now);
                prop_assert!(again.notes.is_empty(), "second pass said {:?}", again.notes);
                prop_assert!(again.clocks.iter().all(|(_, outcome)| *outcome == Outcome::Unchanged));
            }
        }

        #[test]
        fn a_pause_moves_the_deadline_by_exactly_the_paused_time(paused_for in 1..500i64, before in 0..100i64) {
            let wanted = [(KpiKind::Resolution, terms(600, 1))];
            let t1 = start() + Duration::minutes(before);
            let t2 = t1 + Duration::minutes(paused_for);
            let running = reconcile(Vec::new(), &wanted, &situation(StageCategory::InProgress, false), always_open, start()).clocks;
            let due_before = running[0].0.clock.due(&Schedule::AlwaysOpen, &Utc);
            let paused = reconcile(running.into_iter().map(|(c, _)| c).collect(), &wanted, &situation(StageCategory::Waiting, true), always_open, t1);
            prop_assert_eq!(paused.notes.clone(), vec!["SLA clocks paused (stage Stage)".to_string()]);
            let resumed = reconcile(paused.clocks.into_iter().map(|(c, _)| c).collect(), &wanted, &situation(StageCategory::InProgress, false), always_open, t2);
            let due_after = resumed.clocks[0].0.clock.due(&Schedule::AlwaysOpen, &Utc);
            prop_assert_eq!(due_after, due_before.map(|d| d + Duration::minutes(paused_for)));
        }
    }

    #[test]
    fn first_response_is_met_by_the_first_reply_not_by_a_stage_move_and_late_when_past_target() {
        let wanted = [(KpiKind::FirstResponse, terms(60, 1)), (KpiKind::Resolution, terms(600, 1))];
        let started = reconcile(Vec::new(), &wanted, &situation(StageCategory::New, false), always_open, start());
        assert_eq!(started.notes, ["First response clock started", "Resolution clock started"]);
        assert!(started.clocks.iter().all(|(_, o)| *o == Outcome::Started));
        let stored: Vec<TicketClock> = started.clocks.into_iter().map(|(c, _)| c).collect();
        let moved = reconcile(stored.clone(), &wanted, &situation(StageCategory::InProgress, false), always_open, start() + Duration::minutes(30));
        assert!(moved.notes.is_empty(), "a move alone answered the customer: {:?}", moved.notes);
        let replied_at = start() + Duration::minutes(90);
        let replied = Situation { first_reply_at: Some(replied_at), ..situation(StageCategory::InProgress, false) };
        let late = reconcile(stored, &wanted, &replied, always_open, replied_at);
        assert_eq!(late.notes, ["First response met late (breached)"]);
        assert_eq!(late.clocks.iter().map(|(_, o)| *o).collect::<Vec<_>>(), [Outcome::Changed, Outcome::Unchanged]);
    }

    #[test]
    fn next_response_runs_from_each_unanswered_customer_reply_until_staff_answer() {
        let wanted = [(KpiKind::NextResponse, terms(60, 1))];
        let answered = Situation { first_reply_at: Some(start()), ..situation(StageCategory::InProgress, false) };
        assert!(reconcile(Vec::new(), &wanted, &answered, always_open, start()).clocks.is_empty(), "no customer reply, no clock");

        let asked_at = start() + Duration::minutes(10);
        let asked = Situation { unanswered_since: Some(asked_at), ..answered };
        let round_one = reconcile(Vec::new(), &wanted, &asked, always_open, asked_at + Duration::minutes(5));
        assert_eq!(round_one.notes, ["Next response clock started"]);
        assert_eq!(round_one.clocks[0].0.clock.started_at, asked_at);

        let stored: Vec<TicketClock> = round_one.clocks.into_iter().map(|(c, _)| c).collect();
        let reply_at = asked_at + Duration::minutes(20);
        let met = reconcile(stored, &wanted, &Situation { first_reply_at: Some(start()), ..situation(StageCategory::InProgress, false) }, always_open, reply_at);
        assert_eq!(met.notes, ["Next response met"]);

        let stored: Vec<TicketClock> = met.clocks.into_iter().map(|(c, _)| c).collect();
        let asked_again_at = reply_at + Duration::minutes(30);
        let again = Situation { unanswered_since: Some(asked_again_at), ..answered };
        let round_two = reconcile(stored, &wanted, &again, always_open, asked_again_at);
        assert_eq!(round_two.clocks.len(), 2, "a second round gets its own clock");
        assert!(round_two.clocks[0].0.clock.met_at.is_some(), "the first round stays met");
        assert_eq!(round_two.clocks[1].0.clock.started_at, asked_again_at);
    }

    #[test]
    fn a_policy_change_retargets_open_clocks_and_a_lost_policy_cancels_them() {
        let first = [(KpiKind::Resolution, terms(600, 1))];
        let stored: Vec<TicketClock> = reconcile(Vec::new(), &first, &situation(StageCategory::New, false), always_open, start()).clocks.into_iter().map(|(c, _)| c).collect();
        let stricter = [(KpiKind::Resolution, terms(120, 2))];
        let retargeted = reconcile(stored, &stricter, &situation(StageCategory::New, false), always_open, start());
        assert_eq!(retargeted.notes, ["SLA recalculated under policy \"Policy\""]);
        assert_eq!(retargeted.clocks[0].0.clock.target, Duration::minutes(120));
        let stored = retargeted.clocks.into_iter().map(|(c, _)| c).collect();
        let dropped = reconcile(stored, &[], &situation(StageCategory::New, false), always_open, start());
        assert_eq!(dropped.notes, ["Resolution cancelled: no SLA policy applies"]);
    }
}
