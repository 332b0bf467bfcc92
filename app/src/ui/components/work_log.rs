//! The ticket's work log: its time entries and totals, the Start/Stop timer button, and time
//! logged (or corrected) by hand.

use chrono::{Duration, NaiveDate, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::sla::use_now;
use super::{use_toasts, ErrorAlert, Toasts};
use crate::api::work_log::{delete_time_entry, get_work_log, log_time, start_timer, stop_timer, update_time_entry};
use crate::domain::sla::{format_left, format_minutes};
use crate::model::{TicketWorkLog, TimeEntry, TimeEntryInput, TimeTotals};

/// Tells every view of the caller's timer (the top bar, the ticket page) that it started or
/// stopped, so that they load it again.
#[derive(Clone, Copy)]
pub struct TimerChanges(RwSignal<u64>);

impl TimerChanges {
    /// Read inside a resource's source to load again after every change.
    pub fn track(&self) -> u64 {
        self.0.get()
    }

    pub fn changed(&self) {
        self.0.update(|n| *n += 1);
    }
}

pub fn provide_timer_changes() {
    provide_context(TimerChanges(RwSignal::new(0)));
}

pub fn use_timer_changes() -> TimerChanges {
    use_context::<TimerChanges>().unwrap_or_else(|| TimerChanges(RwSignal::new(0)))
}

/// Time since `started_at`, ticking with the page's clock: "0:25:07".
pub fn elapsed_since(started_at: chrono::DateTime<Utc>) -> impl Fn() -> String + Send + Sync + Copy + 'static {
    let now = use_now();
    move || format_left((now.get() - started_at).max(Duration::zero()))
}

/// "1h 30m", or "0m" for nothing.
fn duration_text(minutes: i64) -> String {
    if minutes == 0 {
        "0m".into()
    } else {
        format_minutes(minutes)
    }
}

fn totals_text(totals: TimeTotals) -> String {
    format!("Total {} · billable {}", duration_text(totals.minutes), duration_text(totals.billable_minutes))
}

/// Stops the caller's timer and says what it logged.
pub async fn stop_and_tell(toasts: Toasts) {
    match stop_timer().await {
        Ok(Some((reference, minutes))) => toasts.info(format!("Timer stopped: {} logged on {reference}.", duration_text(minutes))),
        Ok(None) => toasts.info("No timer was running."),
        Err(error) => toasts.error(error.to_string()),
    }
}

#[component]
pub fn WorkLogPanel(reference: String) -> impl IntoView {
    let timer = use_timer_changes();
    let reloads = RwSignal::new(0u64);
    let log = {
        let reference = reference.clone();
        Resource::new(move || (reference.clone(), timer.track(), reloads.get()), |(reference, _, _)| get_work_log(reference))
    };
    let reference = StoredValue::new(reference);
    view! {
        <section class="panel work-log" aria-labelledby="work-log-title" data-testid="work-log">
            <Transition fallback=|| view! { <p class="muted">"Loading time…"</p> }>
                {move || Suspend::new(async move {
                    match log.await {
                        Ok(log) => view! { <WorkLogBody log reference=reference.get_value() reloads/> }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn WorkLogBody(log: TicketWorkLog, reference: String, reloads: RwSignal<u64>) -> impl IntoView {
    let toasts = use_toasts();
    let timer = use_timer_changes();
    let busy = RwSignal::new(false);
    let reload = move || reloads.update(|n| *n += 1);
    let start = {
        let reference = reference.clone();
        move |_| {
            busy.set(true);
            let reference = reference.clone();
            spawn_local(async move {
                match start_timer(reference.clone()).await {
                    Ok(started) => {
                        if let Some((stopped, minutes)) = started.stopped {
                            toasts.info(format!("Your timer on {stopped} was stopped ({} logged); it now runs on {reference}.", duration_text(minutes)));
                        }
                        timer.changed();
                    }
                    Err(error) => toasts.error(error.to_string()),
                }
                busy.try_set(false);
            });
        }
    };
    let stop = move |_| {
        busy.set(true);
        spawn_local(async move {
            stop_and_tell(toasts).await;
            timer.changed();
            busy.try_set(false);
        });
    };
    let timer_button = match &log.running {
        Some(running) => {
            let elapsed = elapsed_since(running.started_at);
            view! {
                <button class="primary timer-button running" data-testid="timer-stop" on:click=stop disabled=move || busy.get()>
                    "Stop timer " <span class="elapsed" role="timer">{elapsed}</span>
                </button>
            }
            .into_any()
        }
        None => view! { <button class="timer-button" data-testid="timer-start" on:click=start disabled=move || busy.get()>"Start timer"</button> }.into_any(),
    };
    let editing = RwSignal::new(None::<TimeEntry>);
    view! {
        <div class="work-log-head">
            <h2 id="work-log-title">"Time"</h2>
            <span class="muted" data-testid="time-total" data-minutes=log.totals.minutes data-billable-minutes=log.totals.billable_minutes>
                {totals_text(log.totals)}
            </span>
            {timer_button}
        </div>
        {if log.entries.is_empty() {
            view! { <p class="muted">"No time logged yet."</p> }.into_any()
        } else {
            view! {
                <ul class="time-entries">
                    {log.entries.into_iter().map(|entry| view! { <EntryItem entry editing reload/> }).collect_view()}
                </ul>
            }.into_any()
        }}
        <TimeEntryForm reference editing reload/>
    }
}

#[component]
fn EntryItem(entry: TimeEntry, editing: RwSignal<Option<TimeEntry>>, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let toasts = use_toasts();
    let timer = use_timer_changes();
    let (id, version) = (entry.id, entry.version);
    let delete = move |_| {
        spawn_local(async move {
            match delete_time_entry(id, version).await {
                Ok(()) => {
                    timer.changed();
                    reload();
                }
                Err(error) => toasts.error(error.to_string()),
            }
        })
    };
    let running = entry.ended_at.is_none();
    let amount = if running {
        let elapsed = elapsed_since(entry.started_at);
        view! { <span class="badge running" role="timer">"Running " {elapsed}</span> }.into_any()
    } else {
        view! { <strong>{duration_text(entry.minutes)}</strong> }.into_any()
    };
    let edit_entry = entry.clone();
    view! {
        <li data-testid="time-entry" data-minutes=entry.minutes data-billable=entry.billable.to_string()>
            <div class="time-entry-line">
                {amount}
                <span class="muted">{entry.started_at.format("%d %b %Y").to_string()} " · " {entry.user.name.clone()}</span>
                {(!running).then(|| if entry.billable {
                    view! { <span class="badge billable">"Billable"</span> }.into_any()
                } else {
                    view! { <span class="badge">"Non-billable"</span> }.into_any()
                })}
                {entry.can_change.then(|| view! {
                    <span class="entry-actions">
                        {(!running).then(|| view! {
                            <button type="button" class="small" on:click=move |_| editing.set(Some(edit_entry.clone()))>"Edit"</button>
                        })}
                        <button type="button" class="small" on:click=delete aria-label=if running { "Discard the running timer" } else { "Delete this entry" }>
                            {if running { "Discard" } else { "Delete" }}
                        </button>
                    </span>
                })}
            </div>
            {(!entry.note.is_empty()).then(|| view! { <p class="time-entry-note">{entry.note.clone()}</p> })}
        </li>
    }
}

/// Logs time by hand, or corrects the entry being edited.
#[component]
fn TimeEntryForm(reference: String, editing: RwSignal<Option<TimeEntry>>, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let today = || Utc::now().date_naive().to_string();
    let date = RwSignal::new(today());
    let duration = RwSignal::new(String::new());
    let billable = RwSignal::new(true);
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let clear = move || {
        editing.set(None);
        date.set(today());
        duration.set(String::new());
        billable.set(true);
        note.set(String::new());
        error.set(None);
    };
    // Editing an entry fills the form with it.
    Effect::new(move |_| {
        if let Some(entry) = editing.get() {
            date.set(entry.started_at.date_naive().to_string());
            duration.set(format_minutes(entry.minutes));
            billable.set(entry.billable);
            note.set(entry.note.clone());
        }
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Ok(day) = date.get_untracked().parse::<NaiveDate>() else {
            return error.set(Some("Choose the day the work was done.".into()));
        };
        let input = TimeEntryInput { date: day, duration: duration.get_untracked(), billable: billable.get_untracked(), note: note.get_untracked() };
        let reference = reference.clone();
        busy.set(true);
        spawn_local(async move {
            let saved = match editing.get_untracked() {
                Some(entry) => update_time_entry(entry.id, entry.version, input).await,
                None => log_time(reference, input).await,
            };
            busy.try_set(false);
            match saved {
                Ok(_) => {
                    clear();
                    reload();
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="time-entry-form" on:submit=submit novalidate data-testid="time-entry-form">
            <h3>{move || if editing.get().is_some() { "Change entry" } else { "Log time by hand" }}</h3>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field-row">
                <div class="field">
                    <label for="time-date">"Day"</label>
                    <input id="time-date" name="date" type="date" bind:value=date/>
                </div>
                <div class="field">
                    <label for="time-duration">"Duration"</label>
                    <input id="time-duration" name="duration" placeholder="1h 30m" bind:value=duration/>
                </div>
            </div>
            <div class="field">
                <label for="time-note">"Note"</label>
                <input id="time-note" name="note" placeholder="What was done" bind:value=note/>
            </div>
            <label class="check" for="time-billable">
                <input id="time-billable" name="billable" type="checkbox" bind:checked=billable/>
                "Billable"
            </label>
            <div class="form-actions">
                {move || editing.get().is_some().then(|| view! { <button type="button" on:click=move |_| clear()>"Cancel"</button> })}
                <button class="primary" type="submit" data-testid="log-time" disabled=move || busy.get()>
                    {move || if editing.get().is_some() { "Save entry" } else { "Log time" }}
                </button>
            </div>
        </form>
    }
}
