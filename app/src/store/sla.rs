//! SLA clocks of tickets (SPEC S4): which policy applies, keeping each ticket's KPI clocks and
//! escalation ladder in step with its stage, priority and team, raising alerts when they are due,
//! and recalculating open clocks when a policy changes.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sqlx::SqliteConnection;

use super::tickets::add_timeline;
use super::{decode, from_json, id_list, Db};
use crate::domain::calendar::Schedule;
use crate::domain::reference;
use crate::domain::sla::{escalation_ladder, format_minutes, Countdown, KpiClock, Rung};
use crate::error::AppError;
use crate::model::{Alert, KpiKind, Priority, SlaState, StageCategory, TimelineKind};

/// The built-in round-the-clock calendar (migration 0008).
pub const ALWAYS_OPEN_CALENDAR: i64 = 1;

/// A calendar ready for business-time math.
pub(crate) struct CalendarRules {
    pub schedule: Schedule,
    pub zone: Tz,
}

/// Calendars loaded once per batch of work.
#[derive(Default)]
pub(crate) struct Calendars(HashMap<i64, CalendarRules>);

impl Calendars {
    pub async fn get(&mut self, conn: &mut SqliteConnection, id: i64) -> Result<&CalendarRules, AppError> {
        if !self.0.contains_key(&id) {
            let (zone, always_open, periods, holidays): (String, bool, String, String) =
                sqlx::query_as("SELECT time_zone, always_open, periods, holidays FROM calendars WHERE id = ?").bind(id).fetch_one(&mut *conn).await?;
            let zone: Tz = zone.parse().map_err(|_| AppError::Internal(format!("Calendar {id} has an unknown time zone {zone:?}.")))?;
            let schedule = if always_open { Schedule::AlwaysOpen } else { Schedule::Weekly { periods: from_json(&periods)?, holidays: from_json(&holidays)? } };
            self.0.insert(id, CalendarRules { schedule, zone });
        }
        Ok(&self.0[&id])
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
    /// Terms changed or freshly inserted: the cached moments must be written.
    #[sqlx(skip)]
    dirty: bool,
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

    fn take(&mut self, clock: &KpiClock) {
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

    fn open(&self) -> bool {
        self.met_at.is_none() && self.cancelled_at.is_none()
    }

    /// Writes the clock back with its cached deadline, warning moment and next alert.
    async fn save(&self, conn: &mut SqliteConnection, calendars: &mut Calendars) -> Result<(), AppError> {
        save_all(conn, std::slice::from_ref(self), calendars).await
    }
}

/// Clocks written per statement: one statement per row would cost more than the math.
const SAVE_CHUNK: usize = 250;

/// Writes clocks back with their cached moments, a chunk of rows per statement.
async fn save_all(conn: &mut SqliteConnection, rows: &[ClockRow], calendars: &mut Calendars) -> Result<(), AppError> {
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
async fn policy_for(conn: &mut SqliteConnection, ticket: &SlaTicket) -> Result<Option<PolicyRow>, AppError> {
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

/// What a clock should measure now: its policy, calendar, target, warning and follow-up.
#[derive(PartialEq)]
struct Terms {
    policy_id: Option<i64>,
    calendar_id: i64,
    target_secs: i64,
    warn_after_secs: i64,
    follow_up_secs: Option<i64>,
}

async fn escalation_terms(conn: &mut SqliteConnection, priority: &str, calendar_id: i64) -> Result<Option<(String, Terms)>, AppError> {
    let code: Option<(String, i64, i64, i64)> =
        sqlx::query_as("SELECT code, follow_up_minutes, warning_minutes, late_minutes FROM priority_codes WHERE priority = ?").bind(priority).fetch_optional(conn).await?;
    Ok(code.map(|(code, follow_up, warning, late)| {
        (code, Terms { policy_id: None, calendar_id, target_secs: late * 60, warn_after_secs: warning * 60, follow_up_secs: Some(follow_up * 60) })
    }))
}

/// After any change to a ticket: uses up its entitlement's term when due, then brings its
/// SLA clocks in line with it.
pub(crate) async fn settle(conn: &mut SqliteConnection, ticket_id: i64, actor_id: Option<i64>, now: DateTime<Utc>) -> Result<(), AppError> {
    super::entitlements::charge_if_due(conn, ticket_id, actor_id, now).await?;
    sync(conn, ticket_id, actor_id, now).await
}

/// Brings a ticket's clocks in line with the ticket as it is now: starts the clocks of the
/// policy that applies (and the priority code's escalation ladder), recalculates them when
/// priority, team or policy changed, pauses and resumes them with the stage, meets first
/// response when the ticket leaves *new* and resolution when it closes, cancels them when no
/// policy applies any more or the ticket is cancelled. Each change goes on the timeline.
pub(crate) async fn sync(conn: &mut SqliteConnection, ticket_id: i64, actor_id: Option<i64>, now: DateTime<Utc>) -> Result<(), AppError> {
    let mut calendars = Calendars::default();
    sync_with(conn, &mut calendars, ticket_id, actor_id, now).await
}

async fn sync_with(conn: &mut SqliteConnection, calendars: &mut Calendars, ticket_id: i64, actor_id: Option<i64>, now: DateTime<Utc>) -> Result<(), AppError> {
    let ticket: SlaTicket = sqlx::query_as(
        "SELECT k.id, k.team_id, k.priority, k.account_id, k.entitlement_id, k.created_at, s.category, s.name AS stage_name, s.pauses_sla
           FROM tickets k JOIN stages s ON s.id = k.stage_id WHERE k.id = ?",
    )
    .bind(ticket_id)
    .fetch_one(&mut *conn)
    .await?;
    let category = decode(StageCategory::parse, &ticket.category)?;
    let policy = policy_for(conn, &ticket).await?;
    let calendar_id = policy.as_ref().map_or(ALWAYS_OPEN_CALENDAR, |p| p.calendar_id);
    let mut clocks: Vec<ClockRow> = sqlx::query_as(&format!("{CLOCK_SELECT} WHERE ticket_id = ? ORDER BY id")).bind(ticket.id).fetch_all(&mut *conn).await?;
    let mut notes: Vec<String> = Vec::new();

    // Which clocks should run, and on which terms.
    let mut wanted: Vec<(KpiKind, Terms)> = Vec::new();
    if let Some(policy) = &policy {
        for kind in [KpiKind::FirstResponse, KpiKind::Resolution, KpiKind::NextResponse] {
            // Next response only runs once a customer reply started it: conversations (S5) insert
            // its row when a customer writes, and a customer-visible reply meets it.
            let started = kind != KpiKind::NextResponse || clocks.iter().any(|c| c.kind == kind.as_str());
            if let Some((target_secs, warn_after_secs)) = policy.kpi(kind).filter(|_| started) {
                wanted.push((kind, Terms { policy_id: Some(policy.id), calendar_id, target_secs, warn_after_secs, follow_up_secs: None }));
            }
        }
    }
    let escalation = escalation_terms(conn, &ticket.priority, calendar_id).await?;
    if let Some((_, terms)) = escalation {
        wanted.push((KpiKind::Escalation, terms));
    }

    let mut recalculated = false;
    for (kind, terms) in wanted.iter() {
        match clocks.iter_mut().find(|c| c.kind == kind.as_str()) {
            Some(row) if row.open() || row.cancelled_at.is_some() => {
                let current = Terms {
                    policy_id: row.policy_id,
                    calendar_id: row.calendar_id,
                    target_secs: row.target_secs,
                    warn_after_secs: row.warn_after_secs,
                    follow_up_secs: row.follow_up_secs,
                };
                if current != *terms || row.cancelled_at.is_some() {
                    recalculated |= row.open() && *kind != KpiKind::Escalation;
                    row.policy_id = terms.policy_id;
                    row.calendar_id = terms.calendar_id;
                    row.target_secs = terms.target_secs;
                    row.warn_after_secs = terms.warn_after_secs;
                    row.follow_up_secs = terms.follow_up_secs;
                    row.cancelled_at = None;
                    row.dirty = true;
                }
            }
            Some(_) => {}
            None => {
                let id = sqlx::query(
                    "INSERT INTO sla_clocks (ticket_id, kind, policy_id, calendar_id, started_at, target_secs, warn_after_secs, follow_up_secs)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(ticket.id)
                .bind(kind.as_str())
                .bind(terms.policy_id)
                .bind(terms.calendar_id)
                .bind(ticket.created_at)
                .bind(terms.target_secs)
                .bind(terms.warn_after_secs)
                .bind(terms.follow_up_secs)
                .execute(&mut *conn)
                .await?
                .last_insert_rowid();
                clocks.push(ClockRow {
                    id,
                    ticket_id: ticket.id,
                    kind: kind.as_str().into(),
                    policy_id: terms.policy_id,
                    calendar_id: terms.calendar_id,
                    started_at: ticket.created_at,
                    target_secs: terms.target_secs,
                    warn_after_secs: terms.warn_after_secs,
                    follow_up_secs: terms.follow_up_secs,
                    paused_total_secs: 0,
                    paused_since: None,
                    met_at: None,
                    cancelled_at: None,
                    alerts_raised: 0,
                    dirty: true,
                });
                if *kind != KpiKind::Escalation {
                    notes.push(format!("{} clock started", kind.label()));
                }
            }
        }
    }
    if recalculated {
        notes.push(match &policy {
            Some(p) => format!("SLA recalculated under policy \"{}\"", p.name),
            None => "SLA recalculated".into(),
        });
    }

    let mut paused = false;
    let mut resumed = false;
    for row in clocks.iter_mut() {
        let kind = row.kind()?;
        let rules = calendars.get(conn, row.calendar_id).await?;
        let mut clock = row.clock();
        let was_open = row.open();
        if was_open && !wanted.iter().any(|(k, _)| *k == kind) {
            clock.cancel(now);
            notes.push(format!("{} cancelled: no SLA policy applies", kind.label()));
        } else if was_open && category == StageCategory::Cancelled {
            clock.cancel(now);
            notes.push(format!("{} cancelled with the ticket", kind.label()));
        } else if was_open {
            let met = match kind {
                KpiKind::FirstResponse => category != StageCategory::New,
                KpiKind::Resolution | KpiKind::Escalation | KpiKind::NextResponse => category.is_closing(),
            };
            if met {
                clock.meet(&rules.schedule, &rules.zone, now);
                if kind != KpiKind::Escalation {
                    let state = clock.state(&rules.schedule, &rules.zone, now);
                    notes.push(format!("{} {}", kind.label(), if state == SlaState::Met { "met" } else { "met late (breached)" }));
                }
            } else if ticket.pauses_sla && clock.paused_since.is_none() {
                clock.pause(now);
                paused = true;
            } else if !ticket.pauses_sla && clock.paused_since.is_some() {
                clock.resume(&rules.schedule, &rules.zone, now);
                resumed = true;
            }
        }
        if row.clock() != clock || row.dirty {
            row.take(&clock);
            row.save(conn, calendars).await?;
        }
    }
    if paused {
        notes.push(format!("SLA clocks paused (stage {})", ticket.stage_name));
    }
    if resumed {
        notes.push("SLA clocks resumed; deadlines moved by the paused business time".into());
    }
    refresh_urgency(conn, &[ticket.id]).await?;
    if !notes.is_empty() {
        add_timeline(conn, ticket.id, TimelineKind::Sla, actor_id, now, &notes.join("\n")).await?;
    }
    Ok(())
}

/// Caches on the tickets the earliest deadline and warning moment of their running KPI clocks.
async fn refresh_urgency(conn: &mut SqliteConnection, ticket_ids: &[i64]) -> Result<(), AppError> {
    sqlx::query(&format!(
        "UPDATE tickets SET
            sla_due_at = (SELECT MIN(due_at) FROM sla_clocks c WHERE c.ticket_id = tickets.id AND c.kind <> 'escalation'
                            AND c.met_at IS NULL AND c.cancelled_at IS NULL AND c.paused_since IS NULL),
            sla_warning_at = (SELECT MIN(warning_at) FROM sla_clocks c WHERE c.ticket_id = tickets.id AND c.kind <> 'escalation'
                            AND c.met_at IS NULL AND c.cancelled_at IS NULL AND c.paused_since IS NULL)
          WHERE id IN ({})",
        id_list(ticket_ids)
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// The countdowns a ticket shows: KPIs first (in order), then the escalation ladder.
pub(crate) async fn countdowns(conn: &mut SqliteConnection, ticket_id: i64, now: DateTime<Utc>) -> Result<Vec<Countdown>, AppError> {
    let rows: Vec<ClockRow> = sqlx::query_as(&format!("{CLOCK_SELECT} WHERE ticket_id = ? AND cancelled_at IS NULL ORDER BY id")).bind(ticket_id).fetch_all(&mut *conn).await?;
    let mut calendars = Calendars::default();
    let mut shown = Vec::new();
    for row in rows {
        let rules = calendars.get(conn, row.calendar_id).await?;
        shown.push(Countdown::of(row.kind()?, &row.clock(), &rules.schedule, &rules.zone, now));
    }
    shown.sort_by_key(|c| KpiKind::ALL.iter().position(|k| *k == c.kind));
    Ok(shown)
}

/// For board cards: the most urgent KPI countdown of each ticket (a running clock with the
/// earliest deadline, else a paused one, else the last finished one).
pub(crate) async fn card_countdowns(conn: &mut SqliteConnection, ticket_ids: &[i64], now: DateTime<Utc>) -> Result<HashMap<i64, Countdown>, AppError> {
    if ticket_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<ClockRow> = sqlx::query_as(&format!(
        "{CLOCK_SELECT} WHERE ticket_id IN ({}) AND kind <> 'escalation' AND cancelled_at IS NULL",
        id_list(ticket_ids)
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
pub(crate) async fn summary(conn: &mut SqliteConnection, ticket_id: i64) -> Result<(Option<String>, Option<String>), AppError> {
    let policy: Option<String> = sqlx::query_scalar(
        "SELECT p.name FROM sla_clocks c JOIN sla_policies p ON p.id = c.policy_id WHERE c.ticket_id = ? AND c.kind <> 'escalation' AND c.cancelled_at IS NULL ORDER BY c.id LIMIT 1",
    )
    .bind(ticket_id)
    .fetch_optional(&mut *conn)
    .await?;
    let escalation: Option<(i64, String)> = sqlx::query_as(
        "SELECT c.alerts_raised, p.code FROM sla_clocks c JOIN tickets k ON k.id = c.ticket_id JOIN priority_codes p ON p.priority = k.priority
          WHERE c.ticket_id = ? AND c.kind = 'escalation' AND c.alerts_raised > 0",
    )
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
        let mut tx = db.write.begin().await?;
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

async fn raise_one(conn: &mut SqliteConnection, clock_id: i64, seen: i64, now: DateTime<Utc>) -> Result<Option<Raised>, AppError> {
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
    let mut notified: Vec<i64> = sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN team_members m ON m.user_id = u.id WHERE m.team_id = ? AND u.role = 'lead'
         UNION SELECT u.id FROM users u JOIN team_followers f ON f.user_id = u.id WHERE f.team_id = ? AND u.role = 'lead'",
    )
    .bind(team_id)
    .bind(team_id)
    .fetch_all(&mut *conn)
    .await?;
    notified.extend(assignee_id);
    notified.sort_unstable();
    notified.dedup();
    for user_id in &notified {
        super::notifications::notify(conn, *user_id, Some(row.ticket_id), &format!("{reference}: {line}"), now).await?;
    }
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
            (format!("kind = 'escalation' AND ticket_id IN (SELECT id FROM tickets WHERE priority = '{}')", priority.as_str()), None, ladder)
        }
    };
    drop(conn);
    let mut after_id = 0i64;
    let mut rewritten = 0usize;
    let mut calendars = Calendars::default();
    loop {
        let mut tx = db.write.begin().await?;
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
                (row.target_secs, row.warn_after_secs, row.follow_up_secs) = (ladder.target_secs, ladder.warn_after_secs, ladder.follow_up_secs);
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
        let mut tx = db.write.begin().await?;
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
mod tests {
    use super::*;
    use crate::model::{BoardView, CurrentUser, SlaFilter, TicketInput};
    use crate::store::fixtures::Demo;
    use crate::store::{teams, tickets};
    use chrono::Duration;

    async fn stage_named(d: &Demo, team: &str, name: &str) -> i64 {
        let mut conn = d.db.read.acquire().await.unwrap();
        teams::stages_of(&mut conn, d.team(team).await).await.unwrap().into_iter().find(|s| s.name == name).unwrap().id
    }

    async fn sla_lines(d: &Demo, agent: &CurrentUser, reference: &str, now: DateTime<Utc>) -> Vec<String> {
        let detail = tickets::get(&d.db, agent, reference, now).await.unwrap();
        detail.timeline.iter().rev().filter(|e| e.kind == TimelineKind::Sla).map(|e| e.summary.clone()).collect()
    }

    fn clock<'a>(detail: &'a crate::model::TicketDetail, kind: KpiKind) -> &'a Countdown {
        detail.sla.iter().find(|c| c.kind == kind).unwrap()
    }

    #[tokio::test]
    async fn clocks_start_pause_in_a_waiting_stage_resume_with_the_deadline_moved_and_meet_on_moves() {
        let d = Demo::new().await;
        let agent = d.user("agent1@demo.test").await;
        let support = d.team("Support").await;
        // Urgent: the 24×7 "Urgent and high" policy (first response 2 h, resolution 24 h, warning at 75 %).
        let t0 = d.now;
        let input = TicketInput { priority: Priority::Urgent, ..TicketInput::quick(support, "Payment terminal down") };
        let card = tickets::create(&d.db, &agent, &input, t0).await.unwrap();
        let created = tickets::get(&d.db, &agent, &card.reference, t0).await.unwrap();
        assert_eq!(created.sla_policy.as_deref(), Some("Urgent and high"));
        assert_eq!(clock(&created, KpiKind::FirstResponse).due, Some(t0 + Duration::hours(2)));
        assert_eq!(clock(&created, KpiKind::Resolution).due, Some(t0 + Duration::hours(24)));
        assert_eq!(clock(&created, KpiKind::Escalation).due, Some(t0 + Duration::minutes(120)), "P1 is late after 2 h");
        let sla = card.sla.clone().expect("the card shows its most urgent clock");
        assert_eq!((sla.kind, sla.state(t0 + Duration::minutes(100))), (KpiKind::FirstResponse, SlaState::Warning));

        // Leaving "New" answers the customer: first response met. Waiting on the customer pauses the rest.
        let waiting = stage_named(&d, "Support", "Waiting on Customer").await;
        let t1 = t0 + Duration::minutes(30);
        let moved = tickets::move_to_stage(&d.db, &agent, &card.reference, card.version, waiting, None, t1).await.unwrap();
        let paused = tickets::get(&d.db, &agent, &card.reference, t1 + Duration::hours(30)).await.unwrap();
        assert_eq!(clock(&paused, KpiKind::FirstResponse).frozen, Some(SlaState::Met));
        assert_eq!(clock(&paused, KpiKind::Resolution).frozen, Some(SlaState::Paused), "past the old deadline, but paused");
        assert_eq!(clock(&paused, KpiKind::Resolution).left_secs, Duration::minutes(23 * 60 + 30).num_seconds());

        // Back to work 3 hours later: the resolution deadline moves by exactly those 3 hours.
        let progress = stage_named(&d, "Support", "In Progress").await;
        let t2 = t1 + Duration::hours(3);
        let resumed = tickets::move_to_stage(&d.db, &agent, &card.reference, moved.card.version, progress, None, t2).await.unwrap();
        let running = tickets::get(&d.db, &agent, &card.reference, t2).await.unwrap();
        assert_eq!(clock(&running, KpiKind::Resolution).due, Some(t0 + Duration::hours(27)));
        assert_eq!(clock(&running, KpiKind::Resolution).frozen, None);

        let solved = stage_named(&d, "Support", "Solved").await;
        tickets::move_to_stage(&d.db, &agent, &card.reference, resumed.card.version, solved, None, t2 + Duration::hours(1)).await.unwrap();
        let done = tickets::get(&d.db, &agent, &card.reference, t2 + Duration::days(3)).await.unwrap();
        assert_eq!(clock(&done, KpiKind::Resolution).frozen, Some(SlaState::Met));
        assert_eq!(
            sla_lines(&d, &agent, &card.reference, t2).await,
            vec![
                "First response clock started\nResolution clock started",
                "First response met\nSLA clocks paused (stage Waiting on Customer)",
                "SLA clocks resumed; deadlines moved by the paused business time",
                "Resolution met",
            ]
        );
    }

    #[tokio::test]
    async fn a_priority_change_recalculates_and_a_ticket_without_policy_only_climbs_the_ladder() {
        let d = Demo::new().await;
        let agent = d.user("agent1@demo.test").await;
        let support = d.team("Support").await;
        let t0 = d.now;
        let card = tickets::create(&d.db, &agent, &TicketInput::quick(support, "Printer jams"), t0).await.unwrap();
        let normal = tickets::get(&d.db, &agent, &card.reference, t0).await.unwrap();
        assert_eq!(normal.sla_policy.as_deref(), Some("Standard"), "normal priority: office hours Berlin");
        let edit = TicketInput { priority: Priority::High, ..TicketInput::quick(support, "Printer jams") };
        let updated = tickets::update(&d.db, &agent, &card.reference, normal.version, &edit, false, t0 + Duration::minutes(5)).await.unwrap();
        assert_eq!(updated.detail.sla_policy.as_deref(), Some("Urgent and high"));
        assert_eq!(clock(&updated.detail, KpiKind::FirstResponse).due, Some(t0 + Duration::hours(2)), "still measured from creation");
        assert!(sla_lines(&d, &agent, &card.reference, t0).await.iter().any(|l| l == "SLA recalculated under policy \"Urgent and high\""));

        // Finance has no policy: no KPI clocks, but the priority code's ladder still runs.
        let finance_admin = d.user("admin@demo.test").await;
        let finance = d.team("Finance").await;
        let bare = tickets::create(&d.db, &finance_admin, &TicketInput::quick(finance, "Invoice question"), t0).await.unwrap();
        let detail = tickets::get(&d.db, &finance_admin, &bare.reference, t0).await.unwrap();
        assert_eq!(detail.sla.iter().map(|c| c.kind).collect::<Vec<_>>(), vec![KpiKind::Escalation]);
        assert!(bare.sla.is_none(), "cards show KPIs only");
    }

    #[tokio::test]
    async fn the_escalation_ladder_fires_in_order_exactly_once_each_also_across_a_restart() {
        let mut d = Demo::new().await;
        let agent = d.user("agent1@demo.test").await;
        let lead = d.user("lead@demo.test").await;
        let support = d.team("Support").await;
        let t0 = d.now;
        let input = TicketInput { priority: Priority::Urgent, assignee_id: Some(agent.id), ..TicketInput::quick(support, "Core switch down") };
        let card = tickets::create(&d.db, &agent, &input, t0).await.unwrap();
        let ours = |raised: Vec<Raised>| raised.into_iter().filter(|r| r.reference == card.reference).map(|r| (r.kind, r.alert)).collect::<Vec<_>>();

        assert_eq!(ours(raise_due_alerts(&d.db, t0 + Duration::minutes(29)).await.unwrap()), vec![]);
        assert_eq!(ours(raise_due_alerts(&d.db, t0 + Duration::minutes(30)).await.unwrap()), vec![(KpiKind::Escalation, Alert::FollowUp)]);
        assert_eq!(ours(raise_due_alerts(&d.db, t0 + Duration::minutes(30)).await.unwrap()), vec![], "never twice");

        d.restart().await;
        assert_eq!(ours(raise_due_alerts(&d.db, t0 + Duration::minutes(45)).await.unwrap()), vec![], "nothing re-fired after a restart");
        assert_eq!(next_alert_at(&d.db).await.unwrap().map(|at| at <= t0 + Duration::minutes(60)), Some(true));
        assert_eq!(ours(raise_due_alerts(&d.db, t0 + Duration::minutes(60)).await.unwrap()), vec![(KpiKind::Escalation, Alert::Warning)]);
        // Everything overdue comes in the order of its moments: warning at 90 min, then breach and Late at 120 min.
        assert_eq!(
            ours(raise_due_alerts(&d.db, t0 + Duration::minutes(200)).await.unwrap()),
            vec![(KpiKind::FirstResponse, Alert::NearingBreach), (KpiKind::FirstResponse, Alert::Breached), (KpiKind::Escalation, Alert::Late)]
        );
        d.restart().await;
        assert_eq!(ours(raise_due_alerts(&d.db, t0 + Duration::days(2)).await.unwrap()).len(), 2, "only the resolution clock's own alerts remain");
        assert_eq!(ours(raise_due_alerts(&d.db, t0 + Duration::days(3)).await.unwrap()), vec![]);

        let lines = sla_lines(&d, &agent, &card.reference, t0).await;
        assert_eq!(lines.iter().filter(|l| l.starts_with("Escalation")).cloned().collect::<Vec<_>>(), vec![
            "Escalation Follow-up: P1 ticket open for 30m of business time",
            "Escalation Warning: P1 ticket open for 1h of business time",
            "Escalation Late: P1 ticket open for 2h of business time",
        ]);
        // Assignee and lead were told once per alert: 7 alerts each, nobody else.
        let told: Vec<(i64, i64)> = sqlx::query_as("SELECT user_id, COUNT(*) FROM notifications WHERE ticket_id = (SELECT id FROM tickets WHERE number = ?) GROUP BY user_id ORDER BY user_id")
            .bind(crate::domain::reference::parse(&card.reference))
            .fetch_all(&d.db.read)
            .await
            .unwrap();
        let mut expected = vec![(agent.id, 7), (lead.id, 7)];
        expected.sort();
        assert_eq!(told, expected);
    }

    #[tokio::test]
    async fn a_policy_edit_recalculates_open_clocks_and_the_board_sorts_and_filters_by_urgency() {
        let d = Demo::new().await;
        let agent = d.user("agent1@demo.test").await;
        let support = d.team("Support").await;
        let t0 = d.now;
        let urgent = TicketInput { priority: Priority::Urgent, ..TicketInput::quick(support, "Slow one") };
        let slow = tickets::create(&d.db, &agent, &urgent, t0).await.unwrap();
        let fast = tickets::create(&d.db, &agent, &TicketInput { title: "Fast one".into(), ..urgent.clone() }, t0 + Duration::minutes(10)).await.unwrap();
        let policy: i64 = sqlx::query_scalar("SELECT id FROM sla_policies WHERE name = 'Urgent and high'").fetch_one(&d.db.read).await.unwrap();
        sqlx::query("UPDATE sla_policies SET first_response_minutes = 30 WHERE id = ?").bind(policy).execute(&d.db.write).await.unwrap();
        assert!(recalculate(&d.db, Recalculation::Policy(policy)).await.unwrap() >= 4);
        let detail = tickets::get(&d.db, &agent, &slow.reference, t0).await.unwrap();
        assert_eq!(clock(&detail, KpiKind::FirstResponse).due, Some(t0 + Duration::minutes(30)));

        let view = BoardView { by_urgency: true, filter: SlaFilter::All };
        let board = tickets::board(&d.db, &agent, support, &[], view, t0).await.unwrap();
        let new = board.columns.iter().find(|c| c.stage.name == "New").unwrap();
        let order: Vec<&str> = new.cards.iter().map(|c| c.reference.as_str()).filter(|r| [slow.reference.as_str(), fast.reference.as_str()].contains(r)).collect();
        assert_eq!(order, vec![slow.reference.as_str(), fast.reference.as_str()], "the earlier deadline first");
        let at_risk = BoardView { by_urgency: true, filter: SlaFilter::Breached };
        let later = tickets::board(&d.db, &agent, support, &[], at_risk, t0 + Duration::minutes(35)).await.unwrap();
        let breached: Vec<String> = later.columns.iter().flat_map(|c| c.cards.iter().map(|k| k.reference.clone())).collect();
        assert!(breached.contains(&slow.reference) && !breached.contains(&fast.reference));
        assert!(later.columns.iter().flat_map(|c| &c.cards).all(|k| k.sla.as_ref().is_some_and(|s| s.state(t0 + Duration::minutes(35)) == SlaState::Breached)));
    }
}
