//! SLA clocks of tickets (SPEC S4): which policy applies, keeping each ticket's KPI clocks and
//! escalation ladder in step with its stage, priority and team, raising alerts when they are due,
//! and recalculating open clocks when a policy changes.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::lookup::team_leads;
use super::timeline::add_timeline;
use super::notifications::NotificationKind;
use super::{code, decode, from_json, id_list, Conn, Db};
use crate::domain::calendar::Schedule;
use crate::domain::reference;
use crate::domain::sla::{escalation_ladder, format_minutes, Countdown, KpiClock, Rung};
use crate::domain::sla_sync::{reconcile, BusinessCalendar, Outcome, Situation, Terms, TicketClock};
use crate::error::AppError;
use crate::model::{Alert, KpiKind, MessageKind, Priority, StageCategory, TimelineKind};

/// The built-in round-the-clock calendar (migration 0008).
pub const ALWAYS_OPEN_CALENDAR: i64 = 1;

/// A calendar ready for business-time math.
pub(crate) type CalendarRules = BusinessCalendar<Tz>;

/// Calendars loaded once per batch of work.
#[derive(Default)]
pub(crate) struct Calendars(HashMap<i64, CalendarRules>);

impl Calendars {
    pub async fn get(&mut self, conn: &mut Conn, id: i64) -> Result<&CalendarRules, AppError> {
        if !self.0.contains_key(&id) {
            let (zone, always_open, periods, holidays): (String, bool, String, String) =
                sqlx::query_as("SELECT time_zone, always_open, periods, holidays FROM calendars WHERE id = ?").bind(id).fetch_one(&mut *conn).await?;
            let zone: Tz = zone.parse().map_err(|_| AppError::Internal(format!("Calendar {id} has an unknown time zone {zone:?}.")))?;
            let schedule = if always_open { Schedule::AlwaysOpen } else { Schedule::Weekly { periods: from_json(&periods)?, holidays: from_json(&holidays)? } };
            self.0.insert(id, CalendarRules { schedule, zone });
        }
        Ok(&self.0[&id])
    }

    /// A calendar `get` loaded before.
    fn loaded(&self, id: i64) -> &CalendarRules {
        &self.0[&id]
    }
}

/// Reads an IANA time-zone name, refusing unknown ones with a clear message.
pub(crate) fn parse_zone(name: &str) -> Result<Tz, AppError> {
    name.trim().parse().map_err(|_| AppError::Invalid(format!("{} is not a known time zone; use a name like Europe/Berlin.", crate::domain::validate::quoted(name))))
}

#[derive(sqlx::FromRow, Clone)]
struct ClockRow {
    id: i64,
    ticket_id: i64,
    kind: String,
    policy_id: Option<i64>,
    calendar_id: i64,
    started_at: DateTime<Utc>,
    target_secs: i64,
    warn_after_secs: i64,
    follow_up_secs: Option<i64>,
    paused_total_secs: i64,
    paused_since: Option<DateTime<Utc>>,
    met_at: Option<DateTime<Utc>>,
    cancelled_at: Option<DateTime<Utc>>,
    alerts_raised: i64,
}

const CLOCK_SELECT: &str = "SELECT id, ticket_id, kind, policy_id, calendar_id, started_at, target_secs, warn_after_secs, follow_up_secs,
        paused_total_secs, paused_since, met_at, cancelled_at, alerts_raised FROM sla_clocks";

impl ClockRow {
    fn kind(&self) -> Result<KpiKind, AppError> {
        decode(KpiKind::parse, &self.kind)
    }

    fn clock(&self) -> KpiClock {
        KpiClock {
            started_at: self.started_at,
            target: Duration::seconds(self.target_secs),
            warn_after: Duration::seconds(self.warn_after_secs),
            paused_total: Duration::seconds(self.paused_total_secs),
            paused_since: self.paused_since,
            met_at: self.met_at,
            cancelled_at: self.cancelled_at,
        }
    }

    /// Writes the clock back with its cached deadline, warning moment and next alert.
    async fn save(&self, conn: &mut Conn, calendars: &mut Calendars) -> Result<(), AppError> {
        save_all(conn, std::slice::from_ref(self), calendars).await
    }

    fn ticket_clock(&self) -> Result<TicketClock, AppError> {
        let terms = Terms {
            policy_id: self.policy_id,
            calendar_id: self.calendar_id,
            target: Duration::seconds(self.target_secs),
            warn_after: Duration::seconds(self.warn_after_secs),
            follow_up: self.follow_up_secs.map(Duration::seconds),
        };
        Ok(TicketClock { kind: self.kind()?, terms, clock: self.clock() })
    }

    /// Takes over what reconciliation decided for this clock.
    fn take(&mut self, reconciled: &TicketClock) {
        let (terms, clock) = (&reconciled.terms, &reconciled.clock);
        self.policy_id = terms.policy_id;
        self.calendar_id = terms.calendar_id;
        self.target_secs = terms.target.num_seconds();
        self.warn_after_secs = terms.warn_after.num_seconds();
        self.follow_up_secs = terms.follow_up.map(|d| d.num_seconds());
        self.paused_total_secs = clock.paused_total.num_seconds();
        self.paused_since = clock.paused_since;
        self.met_at = clock.met_at;
        self.cancelled_at = clock.cancelled_at;
    }

    fn ladder(&self) -> Vec<Rung> {
        match self.follow_up_secs {
            Some(follow_up) => escalation_ladder(Duration::seconds(follow_up), Duration::seconds(self.warn_after_secs), Duration::seconds(self.target_secs)),
            None => self.clock().kpi_ladder(),
        }
    }

}

/// Clocks written per statement: one statement per row would cost more than the math.
const SAVE_CHUNK: usize = 250;

/// Writes clocks back with their cached moments, a chunk of rows per statement.
async fn save_all(conn: &mut Conn, rows: &[ClockRow], calendars: &mut Calendars) -> Result<(), AppError> {
    for chunk in rows.chunks(SAVE_CHUNK) {
        let mut moments = Vec::with_capacity(chunk.len());
        for row in chunk {
            let rules = calendars.get(conn, row.calendar_id).await?;
            moments.push(row.clock().moments(&rules.schedule, &rules.zone, &row.ladder(), row.alerts_raised as usize));
        }
        let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let statement = format!(
            "WITH v (id, policy_id, calendar_id, target_secs, warn_after_secs, follow_up_secs, paused_total_secs, paused_since, met_at, cancelled_at,
                     due_at, warning_at, alerts_raised, next_alert_at) AS (VALUES {values})
             UPDATE sla_clocks SET policy_id = v.policy_id, calendar_id = v.calendar_id, target_secs = v.target_secs, warn_after_secs = v.warn_after_secs,
                    follow_up_secs = v.follow_up_secs, paused_total_secs = v.paused_total_secs, paused_since = v.paused_since, met_at = v.met_at,
                    cancelled_at = v.cancelled_at, due_at = v.due_at, warning_at = v.warning_at, alerts_raised = v.alerts_raised, next_alert_at = v.next_alert_at
               FROM v WHERE sla_clocks.id = v.id"
        );
        let mut query = sqlx::query(&statement);
        for (row, at) in chunk.iter().zip(&moments) {
            query = query
                .bind(row.id)
                .bind(row.policy_id)
                .bind(row.calendar_id)
                .bind(row.target_secs)
                .bind(row.warn_after_secs)
                .bind(row.follow_up_secs)
                .bind(row.paused_total_secs)
                .bind(row.paused_since)
                .bind(row.met_at)
                .bind(row.cancelled_at)
                .bind(at.due)
                .bind(at.warning)
                .bind(row.alerts_raised)
                .bind(at.next_alert.map(|(_, at)| at));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The facts of a ticket that decide its clocks.
#[derive(sqlx::FromRow)]
struct SlaTicket {
    id: i64,
    team_id: i64,
    priority: String,
    account_id: Option<i64>,
    entitlement_id: Option<i64>,
    created_at: DateTime<Utc>,
    category: String,
    stage_name: String,
    pauses_sla: bool,
    /// Converted to a lead: off the board, nobody works it any more.
    archived: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct PolicyRow {
    pub id: i64,
    pub name: String,
    calendar_id: i64,
    priorities: String,
    account_ids: String,
    requires_entitlement: bool,
    first_response_minutes: i64,
    resolution_minutes: i64,
    next_response_minutes: Option<i64>,
    warning_percent: i64,
}

const POLICY_SELECT: &str = "SELECT p.id, p.name, p.calendar_id, p.priorities, p.account_ids, p.requires_entitlement, p.first_response_minutes,
        p.resolution_minutes, p.next_response_minutes, p.warning_percent FROM sla_policies p";

impl PolicyRow {
    fn matches(&self, ticket: &SlaTicket) -> Result<bool, AppError> {
        let priorities: Vec<Priority> = from_json(&self.priorities)?;
        let accounts: Vec<i64> = from_json(&self.account_ids)?;
        let priority = decode(Priority::parse, &ticket.priority)?;
        Ok((priorities.is_empty() || priorities.contains(&priority))
            && (accounts.is_empty() || ticket.account_id.is_some_and(|a| accounts.contains(&a)))
            && (!self.requires_entitlement || ticket.entitlement_id.is_some()))
    }

    /// Target and warning threshold of one KPI, in seconds; `None` when the policy lacks it.
    fn kpi(&self, kind: KpiKind) -> Option<(i64, i64)> {
        let minutes = match kind {
            KpiKind::FirstResponse => Some(self.first_response_minutes),
            KpiKind::Resolution => Some(self.resolution_minutes),
            KpiKind::NextResponse => self.next_response_minutes,
            KpiKind::Escalation => None,
        }?;
        Some((minutes * 60, minutes * 60 * self.warning_percent / 100))
    }
}

/// The policy a ticket runs under: its entitlement's, else the team's first enabled match.
async fn policy_for(conn: &mut Conn, ticket: &SlaTicket) -> Result<Option<PolicyRow>, AppError> {
    if let Some(entitlement_id) = ticket.entitlement_id {
        let linked: Option<PolicyRow> = sqlx::query_as(&format!("{POLICY_SELECT} JOIN entitlements e ON e.policy_id = p.id WHERE e.id = ? AND p.enabled"))
            .bind(entitlement_id)
            .fetch_optional(&mut *conn)
            .await?;
        if linked.is_some() {
            return Ok(linked);
        }
    }
    let candidates: Vec<PolicyRow> =
        sqlx::query_as(&format!("{POLICY_SELECT} WHERE p.team_id = ? AND p.enabled ORDER BY p.position, p.id")).bind(ticket.team_id).fetch_all(&mut *conn).await?;
    for policy in candidates {
        if policy.matches(ticket)? {
            return Ok(Some(policy));
        }
    }
    Ok(None)
}

/// The escalation ladder of a priority code, on `calendar_id`.
async fn escalation_terms(conn: &mut Conn, priority: &str, calendar_id: i64) -> Result<Option<(String, Terms)>, AppError> {
    let code: Option<(String, i64, i64, i64)> =
        sqlx::query_as("SELECT code, follow_up_minutes, warning_minutes, late_minutes FROM priority_codes WHERE priority = ?").bind(priority).fetch_optional(conn).await?;
    Ok(code.map(|(code, follow_up, warning, late)| {
        let terms = Terms {
            policy_id: None,
            calendar_id,
            target: Duration::minutes(late),
            warn_after: Duration::minutes(warning),
            follow_up: Some(Duration::minutes(follow_up)),
        };
        (code, terms)
    }))
}

/// After any change to a ticket: uses up its entitlement's term when due, then brings its
/// SLA clocks in line with it.
pub(crate) async fn settle(conn: &mut Conn, ticket_id: i64, actor_id: Option<i64>, now: DateTime<Utc>) -> Result<(), AppError> {
    super::entitlements::charge_if_due(conn, ticket_id, actor_id, now).await?;
    sync(conn, ticket_id, actor_id, now).await
}

/// Brings a ticket's clocks in line with the ticket as it is now (`domain::sla_sync::reconcile`
/// decides; this loads the facts and writes back what changed, with a timeline entry).
pub(crate) async fn sync(conn: &mut Conn, ticket_id: i64, actor_id: Option<i64>, now: DateTime<Utc>) -> Result<(), AppError> {
    let mut calendars = Calendars::default();
    sync_with(conn, &mut calendars, ticket_id, actor_id, now).await
}

async fn sync_with(conn: &mut Conn, calendars: &mut Calendars, ticket_id: i64, actor_id: Option<i64>, now: DateTime<Utc>) -> Result<(), AppError> {
    let ticket: SlaTicket = sqlx::query_as(
        "SELECT k.id, k.team_id, k.priority, k.account_id, k.entitlement_id, k.created_at, s.category, s.name AS stage_name, s.pauses_sla,
                k.archived_at IS NOT NULL AS archived
           FROM tickets k JOIN stages s ON s.id = k.stage_id WHERE k.id = ?",
    )
    .bind(ticket_id)
    .fetch_one(&mut *conn)
    .await?;
    let policy = policy_for(conn, &ticket).await?;
    let calendar_id = policy.as_ref().map_or(ALWAYS_OPEN_CALENDAR, |p| p.calendar_id);
    let rows: Vec<ClockRow> = sqlx::query_as(&format!("{CLOCK_SELECT} WHERE ticket_id = ? ORDER BY id")).bind(ticket.id).fetch_all(&mut *conn).await?;

    let mut wanted: Vec<(KpiKind, Terms)> = Vec::new();
    if let Some(policy) = &policy {
        for kind in [KpiKind::FirstResponse, KpiKind::Resolution, KpiKind::NextResponse] {
            if let Some((target_secs, warn_after_secs)) = policy.kpi(kind) {
                let (target, warn_after) = (Duration::seconds(target_secs), Duration::seconds(warn_after_secs));
                wanted.push((kind, Terms { policy_id: Some(policy.id), calendar_id, target, warn_after, follow_up: None }));
            }
        }
    }
    if let Some((_, terms)) = escalation_terms(conn, &ticket.priority, calendar_id).await? {
        wanted.push((KpiKind::Escalation, terms));
    }
    for id in rows.iter().map(|r| r.calendar_id).chain(wanted.iter().map(|(_, t)| t.calendar_id)) {
        calendars.get(conn, id).await?;
    }
    let stored = rows.iter().map(ClockRow::ticket_clock).collect::<Result<Vec<_>, _>>()?;
    let (first_reply_at, unanswered_since) = reply_facts(conn, ticket.id).await?;
    let situation = Situation {
        // An archived ticket's clocks end as a cancelled ticket's do: no breach for work that left.
        category: if ticket.archived { StageCategory::Cancelled } else { decode(StageCategory::parse, &ticket.category)? },
        stage_pauses: ticket.pauses_sla,
        stage_name: &ticket.stage_name,
        created_at: ticket.created_at,
        policy_name: policy.as_ref().map(|p| p.name.as_str()),
        first_reply_at,
        unanswered_since,
    };
    let loaded = &*calendars;
    let reconciled = reconcile(stored, &wanted, &situation, |id| loaded.loaded(id), now);

    let mut rows = rows.into_iter();
    let mut changed = Vec::new();
    for (clock, outcome) in &reconciled.clocks {
        let row = match outcome {
            Outcome::Started => Some(insert_clock(conn, ticket.id, clock).await?),
            Outcome::Changed | Outcome::Unchanged => rows.next(),
        };
        if let Some(mut row) = row.filter(|_| *outcome != Outcome::Unchanged) {
            row.take(clock);
            changed.push(row);
        }
    }
    // Unchanged clocks leave the ticket's cached deadlines as they are.
    if !changed.is_empty() {
        save_all(conn, &changed, calendars).await?;
        refresh_urgency(conn, &[ticket.id]).await?;
    }
    if !reconciled.notes.is_empty() {
        add_timeline(conn, ticket.id, TimelineKind::Sla, actor_id, now, &reconciled.notes.join("\n")).await?;
    }
    Ok(())
}

/// When staff first replied to the customer, and the customer's earliest reply since staff last
/// replied (only once staff have replied at all). Deleted replies count: they were sent.
async fn reply_facts(conn: &mut Conn, ticket_id: i64) -> Result<(Option<DateTime<Utc>>, Option<DateTime<Utc>>), AppError> {
    let reply = code(MessageKind::Reply.as_str());
    Ok(sqlx::query_as(&format!(
        "SELECT (SELECT MIN(created_at) FROM messages WHERE ticket_id = ?1 AND kind = {reply} AND NOT from_customer),
                (SELECT MIN(c.created_at) FROM messages c WHERE c.ticket_id = ?1 AND c.kind = {reply} AND c.from_customer
                    AND c.created_at > (SELECT MAX(a.created_at) FROM messages a WHERE a.ticket_id = ?1 AND a.kind = {reply} AND NOT a.from_customer))"
    ))
    .bind(ticket_id)
    .fetch_one(conn)
    .await?)
}

/// Inserts a started clock; its moments are written by `save_all` with the other changes.
async fn insert_clock(conn: &mut Conn, ticket_id: i64, started: &TicketClock) -> Result<ClockRow, AppError> {
    let terms = &started.terms;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sla_clocks (ticket_id, kind, policy_id, calendar_id, started_at, target_secs, warn_after_secs, follow_up_secs)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(ticket_id)
    .bind(started.kind.as_str())
    .bind(terms.policy_id)
    .bind(terms.calendar_id)
    .bind(started.clock.started_at)
    .bind(terms.target.num_seconds())
    .bind(terms.warn_after.num_seconds())
    .bind(terms.follow_up.map(|d| d.num_seconds()))
    .fetch_one(&mut *conn)
    .await?;
    Ok(ClockRow {
        id,
        ticket_id,
        kind: started.kind.as_str().into(),
        policy_id: terms.policy_id,
        calendar_id: terms.calendar_id,
        started_at: started.clock.started_at,
        target_secs: terms.target.num_seconds(),
        warn_after_secs: terms.warn_after.num_seconds(),
        follow_up_secs: terms.follow_up.map(|d| d.num_seconds()),
        paused_total_secs: 0,
        paused_since: None,
        met_at: None,
        cancelled_at: None,
        alerts_raised: 0,
    })
}

/// The escalation ladder's kind, as an SQL literal: it is no KPI and never decides urgency.
fn escalation_code() -> String {
    super::code(KpiKind::Escalation.as_str())
}

/// Caches on the tickets the earliest deadline and warning moment of their running KPI clocks.
async fn refresh_urgency(conn: &mut Conn, ticket_ids: &[i64]) -> Result<(), AppError> {
    let escalation = escalation_code();
    sqlx::query(&format!(
        "UPDATE tickets SET
            sla_due_at = (SELECT MIN(due_at) FROM sla_clocks c WHERE c.ticket_id = tickets.id AND c.kind <> {escalation}
                            AND c.met_at IS NULL AND c.cancelled_at IS NULL AND c.paused_since IS NULL),
            sla_warning_at = (SELECT MIN(warning_at) FROM sla_clocks c WHERE c.ticket_id = tickets.id AND c.kind <> {escalation}
                            AND c.met_at IS NULL AND c.cancelled_at IS NULL AND c.paused_since IS NULL)
          WHERE id IN ({})",
        id_list(ticket_ids)
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// The countdowns a ticket shows: KPIs first (in order), then the escalation ladder.
pub(crate) async fn countdowns(conn: &mut Conn, ticket_id: i64, now: DateTime<Utc>) -> Result<Vec<Countdown>, AppError> {
    let rows: Vec<ClockRow> = sqlx::query_as(&format!("{CLOCK_SELECT} WHERE ticket_id = ? AND cancelled_at IS NULL ORDER BY id")).bind(ticket_id).fetch_all(&mut *conn).await?;
    let mut calendars = Calendars::default();
    let mut shown = Vec::new();
    for row in rows {
        let rules = calendars.get(conn, row.calendar_id).await?;
        shown.push(Countdown::of(row.kind()?, &row.clock(), &rules.schedule, &rules.zone, now));
    }
    // Of next response's rounds, the latest (rows come oldest first).
    let mut latest: Vec<Countdown> = Vec::new();
    for countdown in shown.into_iter().rev() {
        if !latest.iter().any(|c| c.kind == countdown.kind) {
            latest.push(countdown);
        }
    }
    latest.sort_by_key(|c| KpiKind::ALL.iter().position(|k| *k == c.kind));
    Ok(latest)
}

/// For board cards: the most urgent KPI countdown of each ticket (a running clock with the
/// earliest deadline, else a paused one, else the last finished one).
pub(crate) async fn card_countdowns(conn: &mut Conn, ticket_ids: &[i64], now: DateTime<Utc>) -> Result<HashMap<i64, Countdown>, AppError> {
    if ticket_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<ClockRow> = sqlx::query_as(&format!(
        "{CLOCK_SELECT} WHERE ticket_id IN ({}) AND kind <> {} AND cancelled_at IS NULL",
        id_list(ticket_ids),
        escalation_code()
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut calendars = Calendars::default();
    let mut best: HashMap<i64, (u8, Option<DateTime<Utc>>, Countdown)> = HashMap::new();
    for row in rows {
        let rules = calendars.get(conn, row.calendar_id).await?;
        let countdown = Countdown::of(row.kind()?, &row.clock(), &rules.schedule, &rules.zone, now);
        let rank = countdown.rank();
        let key = (rank, if rank == 2 { None } else { countdown.due });
        match best.get(&row.ticket_id) {
            Some((r, due, _)) if (*r, *due) <= key => {}
            _ => {
                best.insert(row.ticket_id, (key.0, key.1, countdown));
            }
        }
    }
    Ok(best.into_iter().map(|(id, (_, _, countdown))| (id, countdown)).collect())
}

/// The policy name and the escalation level raised last, for the ticket page.
pub(crate) async fn summary(conn: &mut Conn, ticket_id: i64) -> Result<(Option<String>, Option<String>), AppError> {
    let ladder = escalation_code();
    let policy: Option<String> = sqlx::query_scalar(&format!(
        "SELECT p.name FROM sla_clocks c JOIN sla_policies p ON p.id = c.policy_id WHERE c.ticket_id = ? AND c.kind <> {ladder} AND c.cancelled_at IS NULL ORDER BY c.id LIMIT 1",
    ))
    .bind(ticket_id)
    .fetch_optional(&mut *conn)
    .await?;
    let escalation: Option<(i64, String)> = sqlx::query_as(&format!(
        "SELECT c.alerts_raised, p.code FROM sla_clocks c JOIN tickets k ON k.id = c.ticket_id JOIN priority_codes p ON p.priority = k.priority
          WHERE c.ticket_id = ? AND c.kind = {ladder} AND c.alerts_raised > 0",
    ))
    .bind(ticket_id)
    .fetch_optional(&mut *conn)
    .await?;
    let level = escalation.and_then(|(raised, code)| {
        let ladder = [Alert::FollowUp, Alert::Warning, Alert::Late];
        ladder.get(raised as usize - 1).map(|alert| format!("{code} · {}", alert.label()))
    });
    Ok((policy, level))
}

/// An alert the escalation job raised, for live updates.
#[derive(Debug, Clone, PartialEq)]
pub struct Raised {
    pub reference: String,
    pub team_id: i64,
    pub alert: Alert,
    pub kind: KpiKind,
    /// Who was notified in the app.
    pub notified: Vec<i64>,
}

/// Raises every alert due by `now`, earliest moment first, each exactly once: the timeline
/// entry, the notifications to the assignee and the team's leads, and the clock's progress are
/// written in one transaction per alert, guarded by the number of alerts already raised.
pub async fn raise_due_alerts(db: &Db, now: DateTime<Utc>) -> Result<Vec<Raised>, AppError> {
    let mut raised = Vec::new();
    let mut last_skipped = None;
    loop {
        let due: Option<(i64, i64)> = sqlx::query_as("SELECT id, alerts_raised FROM sla_clocks WHERE next_alert_at <= ? ORDER BY next_alert_at, id LIMIT 1")
            .bind(now)
            .fetch_optional(&db.read)
            .await?;
        let Some((clock_id, seen)) = due else { return Ok(raised) };
        let mut tx = db.begin_write().await?;
        let one = raise_one(&mut tx, clock_id, seen, now).await?;
        tx.commit().await?;
        match one {
            Some(one) => raised.push(one),
            // A clock that had nothing to raise was rewritten; seeing it again means it is stuck.
            None if last_skipped == Some((clock_id, seen)) => return Ok(raised),
            None => last_skipped = Some((clock_id, seen)),
        }
    }
}

async fn raise_one(conn: &mut Conn, clock_id: i64, seen: i64, now: DateTime<Utc>) -> Result<Option<Raised>, AppError> {
    let Some(mut row) = sqlx::query_as::<_, ClockRow>(&format!("{CLOCK_SELECT} WHERE id = ? AND alerts_raised = ?")).bind(clock_id).bind(seen).fetch_optional(&mut *conn).await?
    else {
        return Ok(None); // Raised meanwhile by another pass.
    };
    let mut calendars = Calendars::default();
    let rules = calendars.get(conn, row.calendar_id).await?;
    let kind = row.kind()?;
    let Some((alert, at)) = row.clock().next_alert(&rules.schedule, &rules.zone, &row.ladder(), row.alerts_raised as usize) else {
        row.save(conn, &mut calendars).await?;
        return Ok(None);
    };
    if at > now {
        // The clock moved (paused, recalculated) since the moment was cached.
        row.save(conn, &mut calendars).await?;
        return Ok(None);
    }
    let (number, team_id, assignee_id, priority): (i64, i64, Option<i64>, String) =
        sqlx::query_as("SELECT number, team_id, assignee_id, priority FROM tickets WHERE id = ?").bind(row.ticket_id).fetch_one(&mut *conn).await?;
    let code: String = sqlx::query_scalar("SELECT code FROM priority_codes WHERE priority = ?").bind(&priority).fetch_optional(&mut *conn).await?.unwrap_or(priority);
    let reference = reference::format(number);
    let line = match kind {
        KpiKind::Escalation => {
            // The rung's business time since the ticket opened, not wall-clock time.
            let rung = row.ladder()[row.alerts_raised as usize].1;
            format!("Escalation {}: {code} ticket open for {} of business time", alert.label(), format_minutes(rung.num_minutes()))
        }
        _ => format!("{} {}", kind.label(), alert.label()),
    };
    add_timeline(conn, row.ticket_id, TimelineKind::Sla, None, at, &line).await?;
    let mut notified = team_leads(conn, team_id).await?;
    notified.extend(assignee_id);
    notified.sort_unstable();
    notified.dedup();
    let message = format!("{reference}: {line}");
    let mut delivered = Vec::new();
    for user_id in notified {
        if super::notifications::notify(conn, user_id, NotificationKind::Sla, Some(row.ticket_id), &message, now).await? {
            delivered.push(user_id);
        }
    }
    let notified = delivered;
    row.alerts_raised += 1;
    let stamp = match alert {
        Alert::NearingBreach => "warned_at",
        Alert::Breached => "breached_at",
        _ => "",
    };
    if !stamp.is_empty() {
        sqlx::query(&format!("UPDATE sla_clocks SET {stamp} = ? WHERE id = ?")).bind(at).bind(row.id).execute(&mut *conn).await?;
    }
    row.save(conn, &mut calendars).await?;
    Ok(Some(Raised { reference, team_id, alert, kind, notified }))
}

/// When the escalation job must look next; `None` when nothing is due ever.
pub async fn next_alert_at(db: &Db) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(sqlx::query_scalar("SELECT MIN(next_alert_at) FROM sla_clocks WHERE next_alert_at IS NOT NULL").fetch_one(&db.read).await?)
}

/// Clocks recalculated per transaction, so that other writers wait a few milliseconds at most.
const RECALCULATE_BATCH: i64 = 500;

/// Which open clocks a settings change recalculates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Recalculation {
    /// A policy's targets, warning threshold or calendar changed.
    Policy(i64),
    /// A calendar's hours, holidays or time zone changed.
    Calendar(i64),
    /// A priority code's escalation ladder changed.
    PriorityCode(Priority),
}

/// Gives every open clock in scope its current terms and recomputes its deadlines, in small
/// transactions so that other writers never wait long. Returns how many clocks it rewrote.
pub async fn recalculate(db: &Db, scope: Recalculation) -> Result<usize, AppError> {
    let mut conn = db.read.acquire().await?;
    let (filter, policy, ladder) = match scope {
        Recalculation::Policy(id) => {
            let policy: Option<PolicyRow> = sqlx::query_as(&format!("{POLICY_SELECT} WHERE p.id = ?")).bind(id).fetch_optional(&mut *conn).await?;
            (format!("policy_id = {id}"), policy, None)
        }
        Recalculation::Calendar(id) => (format!("calendar_id = {id}"), None, None),
        Recalculation::PriorityCode(priority) => {
            let ladder = escalation_terms(&mut conn, priority.as_str(), ALWAYS_OPEN_CALENDAR).await?.map(|(_, terms)| terms);
            let filter = format!(
                "kind = {} AND ticket_id IN (SELECT id FROM tickets WHERE priority = {})",
                super::code(KpiKind::Escalation.as_str()),
                super::code(priority.as_str())
            );
            (filter, None, ladder)
        }
    };
    drop(conn);
    let mut after_id = 0i64;
    let mut rewritten = 0usize;
    let mut calendars = Calendars::default();
    loop {
        let mut tx = db.begin_write().await?;
        let rows: Vec<ClockRow> = sqlx::query_as(&format!(
            "{CLOCK_SELECT} WHERE {filter} AND met_at IS NULL AND cancelled_at IS NULL AND id > ? ORDER BY id LIMIT ?"
        ))
        .bind(after_id)
        .bind(RECALCULATE_BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last() else { return Ok(rewritten) };
        after_id = last.id;
        let mut changed = Vec::with_capacity(rows.len());
        for mut row in rows {
            if let Some(policy) = &policy {
                let Some((target_secs, warn_after_secs)) = policy.kpi(row.kind()?) else { continue };
                (row.calendar_id, row.target_secs, row.warn_after_secs) = (policy.calendar_id, target_secs, warn_after_secs);
            }
            if let Some(ladder) = &ladder {
                (row.target_secs, row.warn_after_secs, row.follow_up_secs) =
                    (ladder.target.num_seconds(), ladder.warn_after.num_seconds(), ladder.follow_up.map(|d| d.num_seconds()));
            }
            changed.push(row);
        }
        save_all(&mut tx, &changed, &mut calendars).await?;
        rewritten += changed.len();
        let mut tickets: Vec<i64> = changed.iter().map(|row| row.ticket_id).collect();
        tickets.dedup();
        refresh_urgency(&mut tx, &tickets).await?;
        tx.commit().await?;
    }
}

/// After a policy's conditions changed (or it was added, disabled or deleted): re-synchronizes
/// every open ticket of the team, in small transactions.
pub async fn resync_team(db: &Db, team_id: i64, now: DateTime<Utc>) -> Result<usize, AppError> {
    let mut after_id = 0i64;
    let mut touched = 0usize;
    let mut calendars = Calendars::default();
    loop {
        let mut tx = db.begin_write().await?;
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM tickets WHERE team_id = ? AND closed_at IS NULL AND id > ? ORDER BY id LIMIT ?")
            .bind(team_id)
            .bind(after_id)
            .bind(RECALCULATE_BATCH / 5)
            .fetch_all(&mut *tx)
            .await?;
        let Some(last) = ids.last() else { return Ok(touched) };
        after_id = *last;
        for id in &ids {
            sync_with(&mut tx, &mut calendars, *id, None, now).await?;
        }
        touched += ids.len();
        tx.commit().await?;
    }
}

#[cfg(test)]
#[path = "sla_tests.rs"]
mod tests;
