//! Timesheets: finished time in a date range, per agent or per customer account, billable and
//! non-billable, with the entries behind the totals. Agents see their own time; admins and
//! leads everyone's on the teams they see.

use chrono::{Duration, NaiveDate, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::work_log::get_timesheet;
use crate::domain::sla::format_minutes;
use crate::model::{TimeTotals, Timesheet, TimesheetBy, TimesheetQuery};
use crate::ui::components::ErrorAlert;

fn hours(minutes: i64) -> String {
    if minutes == 0 {
        "—".into()
    } else {
        format_minutes(minutes)
    }
}

fn total_cells(totals: TimeTotals) -> impl IntoView {
    view! {
        <td class="number">{hours(totals.billable_minutes)}</td>
        <td class="number">{hours(totals.minutes - totals.billable_minutes)}</td>
        <td class="number"><strong>{hours(totals.minutes)}</strong></td>
    }
}

#[component]
pub fn TimesheetsPage() -> impl IntoView {
    let today = Utc::now().date_naive();
    // The last seven days, by agent, until the form asks for another range.
    let shown = RwSignal::new(TimesheetQuery { from: today - Duration::days(6), to: today, by: TimesheetBy::Agent });
    let sheet = Resource::new(move || shown.get(), get_timesheet);
    let from = RwSignal::new(shown.get_untracked().from.to_string());
    let to = RwSignal::new(today.to_string());
    let by = RwSignal::new("agent".to_string());
    let error = RwSignal::new(None::<String>);
    let show = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Ok(from), Ok(to)) = (from.get_untracked().parse::<NaiveDate>(), to.get_untracked().parse::<NaiveDate>()) else {
            return error.set(Some("Choose the first and the last day.".into()));
        };
        error.set(None);
        let by = if by.get_untracked() == "customer" { TimesheetBy::Customer } else { TimesheetBy::Agent };
        shown.set(TimesheetQuery { from, to, by });
    };
    view! {
        <main>
            <div class="page-head"><h1>"Timesheets"</h1></div>
            <form class="panel timesheet-filter" on:submit=show novalidate>
                {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
                <div class="field-row">
                    <div class="field">
                        <label for="sheet-from">"From"</label>
                        <input id="sheet-from" name="from" type="date" bind:value=from/>
                    </div>
                    <div class="field">
                        <label for="sheet-to">"To"</label>
                        <input id="sheet-to" name="to" type="date" bind:value=to/>
                    </div>
                    <div class="field">
                        <label for="sheet-by">"Per"</label>
                        <select id="sheet-by" name="by" on:change=move |ev| by.set(event_target_value(&ev))>
                            <option value="agent">"Agent"</option>
                            <option value="customer">"Customer"</option>
                        </select>
                    </div>
                </div>
                <div class="form-actions"><button class="primary" type="submit" data-testid="timesheet-show">"Show"</button></div>
            </form>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sheet.await {
                        Ok(sheet) => view! { <SheetView sheet/> }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn SheetView(sheet: Timesheet) -> impl IntoView {
    let group = match sheet.query.by {
        TimesheetBy::Agent => "Agent",
        TimesheetBy::Customer => "Customer",
    };
    let whose = if sheet.everyone { "Everyone's time on the teams you see" } else { "Your time" };
    let range = format!("{whose}, {} to {} (UTC days). A running timer counts once it is stopped.", sheet.query.from.format("%d %b %Y"), sheet.query.to.format("%d %b %Y"));
    if sheet.entries.is_empty() {
        return view! { <p class="muted" data-testid="timesheet-empty">{range} " No time logged in this range."</p> }.into_any();
    }
    view! {
        <p class="muted">{range}</p>
        <section class="panel table-scroll">
            <h2>"Per " {group.to_lowercase()}</h2>
            <table class="grid" data-testid="timesheet">
                <thead>
                    <tr><th scope="col">{group}</th><th scope="col" class="number">"Entries"</th><th scope="col" class="number">"Billable"</th>
                        <th scope="col" class="number">"Non-billable"</th><th scope="col" class="number">"Total"</th></tr>
                </thead>
                <tbody>
                    {sheet.rows.into_iter().map(|row| view! {
                        <tr data-testid="timesheet-row" data-minutes=row.totals.minutes>
                            <th scope="row">{row.name}</th>
                            <td class="number">{row.entries}</td>
                            {total_cells(row.totals)}
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr data-testid="timesheet-total" data-minutes=sheet.totals.minutes data-billable-minutes=sheet.totals.billable_minutes>
                        <th scope="row">"Total"</th><td></td>{total_cells(sheet.totals)}
                    </tr>
                </tfoot>
            </table>
        </section>
        <section class="panel table-scroll timesheet-entries">
            <h2>"Entries"</h2>
            <table class="grid">
                <thead>
                    <tr><th scope="col">"Day"</th><th scope="col">"Ticket"</th><th scope="col">"Agent"</th><th scope="col">"Customer"</th>
                        <th scope="col" class="number">"Time"</th><th scope="col">"Billable"</th><th scope="col">"Note"</th></tr>
                </thead>
                <tbody>
                    {sheet.entries.into_iter().map(|entry| view! {
                        <tr data-testid="timesheet-entry" data-ticket-ref=entry.reference.clone()>
                            <td>{entry.day.format("%a %d %b").to_string()}</td>
                            <td><a href=format!("/tickets/{}", entry.reference)>{entry.reference.clone()}</a> " " <span class="muted">{entry.title}</span></td>
                            <td>{entry.agent}</td>
                            <td>{entry.customer.unwrap_or_else(|| "—".into())}</td>
                            <td class="number">{format_minutes(entry.minutes)}</td>
                            <td>{if entry.billable { "Yes" } else { "No" }}</td>
                            <td style="white-space:normal">{entry.note}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}
