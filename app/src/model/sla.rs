//! SLA: calendars, priority codes, policies, clocks as shown, and entitlements.

use chrono::{DateTime, Utc, Weekday};

use serde::{Deserialize, Serialize};

use super::*;

/// Working hours and holidays of a calendar (SPEC S4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    /// The built-in round-the-clock calendar; not editable.
    pub always_open: bool,
    pub periods: Vec<WorkingPeriod>,
    pub holidays: Vec<chrono::NaiveDate>,
    pub version: i64,
}

/// A calendar as typed: one line of hours per weekday (Monday first), holidays one per line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CalendarInput {
    pub name: String,
    pub time_zone: String,
    /// Seven entries such as "09:00-12:00, 13:00-17:00"; empty for a day off.
    pub hours: Vec<String>,
    /// Dates as YYYY-MM-DD, separated by lines or commas.
    pub holidays: String,
}

/// A priority's code, expected times and escalation ladder, in business minutes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorityCode {
    pub priority: Priority,
    pub code: String,
    pub follow_up_minutes: i64,
    pub warning_minutes: i64,
    pub late_minutes: i64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorityCodeInput {
    pub code: String,
    /// Durations as typed ("30m", "4h", "1h 30m").
    pub follow_up: String,
    pub warning: String,
    pub late: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub id: i64,
    pub team: Named,
    pub name: String,
    pub enabled: bool,
    pub calendar: Named,
    pub priorities: Vec<Priority>,
    pub accounts: Vec<Named>,
    pub requires_entitlement: bool,
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
    pub next_response_minutes: Option<i64>,
    pub warning_percent: i64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPolicyInput {
    pub team_id: i64,
    pub name: String,
    pub enabled: bool,
    pub calendar_id: i64,
    pub priorities: Vec<Priority>,
    pub account_ids: Vec<i64>,
    pub requires_entitlement: bool,
    pub first_response: String,
    pub resolution: String,
    /// Empty when the policy has no next-response KPI.
    pub next_response: String,
    pub warning_percent: i64,
}

/// Everything the SLA admin screen shows and offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaSetup {
    pub calendars: Vec<Calendar>,
    pub priority_codes: Vec<PriorityCode>,
    pub policies: Vec<SlaPolicy>,
    pub teams: Vec<Named>,
    pub accounts: Vec<Named>,
    /// Admins and leads edit policies.
    pub can_edit: bool,
    /// Only admins edit calendars and priority codes.
    pub can_edit_shared: bool,
}

/// A customer's entitlement (SPEC S2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entitlement {
    pub id: i64,
    pub account: Named,
    pub contact: Option<Named>,
    pub name: String,
    pub kind: EntitlementKind,
    pub total_terms: i64,
    pub remaining_terms: i64,
    pub valid_from: chrono::NaiveDate,
    pub valid_to: chrono::NaiveDate,
    pub policy: Option<Named>,
    pub decrement_on: DecrementOn,
    pub active: bool,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitlementInput {
    pub account_id: i64,
    pub contact_id: Option<i64>,
    pub name: String,
    pub kind: EntitlementKind,
    pub total_terms: i64,
    pub remaining_terms: i64,
    pub valid_from: chrono::NaiveDate,
    pub valid_to: chrono::NaiveDate,
    pub policy_id: Option<i64>,
    pub decrement_on: DecrementOn,
    pub active: bool,
}

/// An entitlement as the ticket form offers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitlementChoice {
    pub id: i64,
    pub account_id: i64,
    pub contact_id: Option<i64>,
    pub name: String,
    /// e.g. "Premium support · 7 of 10 cases left · until 2027-06-30".
    pub label: String,
}

impl EntitlementChoice {
    /// Whether a ticket of this customer may draw on the entitlement.
    pub fn fits(&self, account_id: Option<i64>, contact_id: Option<i64>) -> bool {
        account_id == Some(self.account_id) && self.contact_id.is_none_or(|c| contact_id == Some(c))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitlementsSetup {
    pub entitlements: Vec<Entitlement>,
    pub accounts: Vec<Named>,
    /// Contacts as "name · account", with their account.
    pub contacts: Vec<(Named, Option<i64>)>,
    pub policies: Vec<Named>,
    pub can_edit: bool,
}

/// One stretch of working time on a weekday, in minutes after local midnight (end up to 1440).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingPeriod {
    pub weekday: Weekday,
    pub start_minute: u16,
    pub end_minute: u16,
}

/// A UTC stretch of working time, `start` inclusive, `end` exclusive.
pub type Interval = (DateTime<Utc>, DateTime<Utc>);

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

/// A KPI clock as the browser shows it: the business time left at one moment, and the working
/// time after it, so that the countdown ticks without a time-zone database in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Countdown {
    pub kind: KpiKind,
    pub due: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
    /// Business seconds left at `at`; negative after breach.
    pub left_secs: i64,
    /// The KPI is nearing breach once this little is left.
    pub warn_left_secs: i64,
    /// Set when the clock does not tick (paused, met, cancelled).
    pub frozen: Option<SlaState>,
    /// Working time from `at` on; `None` round the clock.
    pub working: Option<Vec<Interval>>,
}
