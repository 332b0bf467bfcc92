//! The work log: the timer, time logged by hand, and timesheets.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{RunningTimer, TicketWorkLog, TimeEntry, TimeEntryInput, TimerStarted, Timesheet, TimesheetQuery};

/// The caller's running timer, for the top bar.
#[server(prefix = "/api", endpoint = "running_timer", input = Json)]
pub async fn get_running_timer() -> Result<Option<RunningTimer>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::work_log::running_timer(&state.db, &user).await
}

/// Starts the caller's timer on the ticket, stopping the one running elsewhere.
#[server(prefix = "/api", endpoint = "start_timer", input = Json)]
pub async fn start_timer(reference: String) -> Result<TimerStarted, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::work_log::start_timer(&state.db, &user, &reference, chrono::Utc::now()).await
}

/// Stops the caller's running timer; answers the ticket and the minutes logged, if one ran.
#[server(prefix = "/api", endpoint = "stop_timer", input = Json)]
pub async fn stop_timer() -> Result<Option<(String, i64)>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::work_log::stop_timer(&state.db, &user, chrono::Utc::now()).await
}

#[server(prefix = "/api", endpoint = "work_log", input = Json)]
pub async fn get_work_log(reference: String) -> Result<TicketWorkLog, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::work_log::ticket_log(&state.db, &user, &reference).await
}

#[server(prefix = "/api", endpoint = "log_time", input = Json)]
pub async fn log_time(reference: String, entry: TimeEntryInput) -> Result<TimeEntry, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::work_log::log_time(&state.db, &user, &reference, &entry, chrono::Utc::now()).await
}

#[server(prefix = "/api", endpoint = "update_time_entry", input = Json)]
pub async fn update_time_entry(id: i64, version: i64, entry: TimeEntryInput) -> Result<TimeEntry, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::work_log::update_entry(&state.db, &user, id, version, &entry, chrono::Utc::now()).await
}

#[server(prefix = "/api", endpoint = "delete_time_entry", input = Json)]
pub async fn delete_time_entry(id: i64, version: i64) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::work_log::delete_entry(&state.db, &user, id, version).await
}

#[server(prefix = "/api", endpoint = "timesheet", input = Json)]
pub async fn get_timesheet(query: TimesheetQuery) -> Result<Timesheet, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::work_log::timesheet(&state.db, &user, &query).await
}
