//! The work log of a ticket (SPEC S5): time entries, the running timer, timesheets, and the
//! events (calls, mails, appointments) logged on it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::*;

/// Time one agent spent on one ticket; `ended_at` is `None` while its timer runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeEntry {
    pub id: i64,
    pub user: UserRef,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Whole minutes worked (0 while running).
    pub minutes: i64,
    pub billable: bool,
    pub note: String,
    /// The caller may change or delete it: their own entry, or any as an admin or lead.
    pub can_change: bool,
    pub version: i64,
}

/// Worked minutes, all and billable only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeTotals {
    pub minutes: i64,
    pub billable_minutes: i64,
}

/// The work log panel of a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketWorkLog {
    pub entries: Vec<TimeEntry>,
    /// Finished entries only; a running timer counts once stopped.
    pub totals: TimeTotals,
    /// The caller's running timer on this ticket, if any.
    pub running: Option<TimeEntry>,
}

/// The caller's running timer, as the top bar shows it on every page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunningTimer {
    pub entry_id: i64,
    pub reference: String,
    pub title: String,
    pub started_at: DateTime<Utc>,
}

/// What starting a timer did: the new timer, and the one it stopped (another ticket's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimerStarted {
    pub running: RunningTimer,
    /// The ticket whose timer was stopped to start this one, with the minutes it logged.
    pub stopped: Option<(String, i64)>,
}

/// Time logged by hand, or an entry's new values. `duration` is typed like "1h 30m".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeEntryInput {
    pub date: NaiveDate,
    pub duration: String,
    pub billable: bool,
    pub note: String,
}

/// How a timesheet groups its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimesheetBy {
    Agent,
    Customer,
}

/// Which time a timesheet covers: days `from` to `to`, both included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimesheetQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: TimesheetBy,
}

/// One row: an agent's or a customer account's time in the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimesheetRow {
    /// The agent or account; `None` for tickets without a customer account.
    pub id: Option<i64>,
    pub name: String,
    pub entries: i64,
    pub totals: TimeTotals,
}

/// One finished time entry as the timesheet lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimesheetEntry {
    pub reference: String,
    pub title: String,
    pub agent: String,
    pub customer: Option<String>,
    pub day: NaiveDate,
    pub minutes: i64,
    pub billable: bool,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timesheet {
    pub query: TimesheetQuery,
    pub rows: Vec<TimesheetRow>,
    pub entries: Vec<TimesheetEntry>,
    pub totals: TimeTotals,
    /// Agents see only their own time; admins and leads everyone's on the teams they see.
    pub everyone: bool,
}

/// An event logged on a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketEvent {
    pub id: i64,
    pub event_type: String,
    pub note: String,
    pub happened_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub author: Option<String>,
}

/// The events panel of a ticket: what was logged, and the types offered for a new event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketEvents {
    pub events: Vec<TicketEvent>,
    pub types: Vec<Named>,
}

/// A new event; `duration` is typed like "15m", empty for none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketEventInput {
    pub event_type_id: i64,
    pub note: String,
    pub happened_at: DateTime<Utc>,
    pub duration: String,
}

/// An open ticket of the customer chosen on the new-ticket form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenTicketRef {
    pub reference: String,
    pub title: String,
    pub stage: String,
}

/// The customer chosen on the new-ticket form: a contact, an account, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerChoice {
    pub contact_id: Option<i64>,
    pub account_id: Option<i64>,
}

/// A returning customer's request, added to an open ticket as an event instead of a new ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestAsEvent {
    pub title: String,
    pub description: String,
    /// The channel it came in through picks the event type (a call is a CallIn).
    pub origin: Origin,
}
