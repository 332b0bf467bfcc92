//! SLA settings: policies per team, priority codes with their escalation ladder, calendars.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::sla::{delete_sla_policy, load_sla_setup, save_calendar, save_priority_code, save_sla_policy};
use crate::domain::calendar::{format_day, WEEKDAYS};
use crate::domain::sla::format_minutes;
use crate::error::AppError;
use crate::model::*;
use crate::ui::components::{use_toasts, CheckList, IdSelect, LoadedPage};

#[component]
pub fn SlaPage() -> impl IntoView {
    view! {
        <LoadedPage title="SLA policies" load=load_sla_setup render=|setup, reload| view! { <SlaSettings setup reload/> }/>
    }
}

#[component]
fn SlaSettings(setup: SlaSetup, reload: Callback<()>) -> impl IntoView {
    let editing = RwSignal::new(None::<SlaPolicy>);
    let setup = StoredValue::new(setup);
    let can_edit = setup.with_value(|s| s.can_edit);
    view! {
        <p class="muted">"Each ticket runs under the first enabled policy of its team whose conditions match (an entitlement's own policy comes first). Times are business time of the policy's calendar."</p>
        <PolicyList setup=setup.get_value() editing reload/>
        {can_edit.then(|| view! {
            {move || {
                let policy = editing.get();
                view! { <PolicyForm setup=setup.get_value() policy editing reload/> }
            }}
        })}
        <PriorityCodes setup=setup.get_value() reload/>
        <Calendars setup=setup.get_value() reload/>
    }
}

fn describe_conditions(policy: &SlaPolicy) -> String {
    let mut parts = Vec::new();
    if !policy.priorities.is_empty() {
        parts.push(format!("priority {}", policy.priorities.iter().map(|p| p.label()).collect::<Vec<_>>().join(" or ")));
    }
    if !policy.accounts.is_empty() {
        parts.push(format!("account {}", policy.accounts.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(" or ")));
    }
    if policy.requires_entitlement {
        parts.push("with an entitlement".into());
    }
    if parts.is_empty() { "every ticket".into() } else { parts.join(", ") }
}

#[component]
fn PolicyList(setup: SlaSetup, editing: RwSignal<Option<SlaPolicy>>, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    if setup.policies.is_empty() {
        return view! { <section class="panel"><h2>"Policies"</h2><p class="muted">"No SLA policies yet: tickets only climb their priority's escalation ladder."</p></section> }.into_any();
    }
    let can_edit = setup.can_edit;
    view! {
        <section class="panel" aria-labelledby="policies-title">
            <h2 id="policies-title">"Policies"</h2>
            <table class="grid" data-testid="sla-policies">
                <thead><tr>
                    <th>"Team"</th><th>"Policy"</th><th>"Applies to"</th><th>"First response"</th><th>"Resolution"</th>
                    <th>"Next response"</th><th>"Warning at"</th><th>"Calendar"</th><th></th>
                </tr></thead>
                <tbody>
                    {setup.policies.into_iter().map(|policy| {
                        let shown = policy.clone();
                        let (id, version, name) = (policy.id, policy.version, policy.name.clone());
                        let remove = move |_| {
                            let name = name.clone();
                            spawn_local(async move {
                                match delete_sla_policy(id, version).await {
                                    Ok(()) => {
                                        toasts.info(format!("Policy \"{name}\" deleted; its tickets are recalculated."));
                                        reload.run(());
                                    }
                                    Err(e) => toasts.error(e.to_string()),
                                }
                            });
                        };
                        view! {
                            <tr data-testid="sla-policy" class:disabled=!policy.enabled>
                                <td>{policy.team.name.clone()}</td>
                                <td><strong>{policy.name.clone()}</strong>{(!policy.enabled).then(|| view! { " " <span class="badge">"disabled"</span> })}</td>
                                <td>{describe_conditions(&policy)}</td>
                                <td>{format_minutes(policy.first_response_minutes)}</td>
                                <td>{format_minutes(policy.resolution_minutes)}</td>
                                <td>{policy.next_response_minutes.map(format_minutes).unwrap_or_else(|| "—".into())}</td>
                                <td>{policy.warning_percent} " %"</td>
                                <td>{policy.calendar.name.clone()}</td>
                                <td class="row-actions">
                                    {can_edit.then(|| view! {
                                        <button class="small" on:click=move |_| editing.set(Some(shown.clone()))>"Edit"</button>
                                        <button class="small danger" on:click=remove.clone()>"Delete"</button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn PolicyForm(setup: SlaSetup, policy: Option<SlaPolicy>, editing: RwSignal<Option<SlaPolicy>>, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let existing = policy.as_ref().map(|p| (p.id, p.version));
    let team_id = RwSignal::new(policy.as_ref().map(|p| p.team.id).or(setup.teams.first().map(|t| t.id)));
    let calendar_id = RwSignal::new(Some(policy.as_ref().map_or(setup.calendars.first().map_or(1, |c| c.id), |p| p.calendar.id)));
    let name = RwSignal::new(policy.as_ref().map(|p| p.name.clone()).unwrap_or_default());
    let enabled = RwSignal::new(policy.as_ref().is_none_or(|p| p.enabled));
    let priorities = RwSignal::new(policy.as_ref().map(|p| p.priorities.clone()).unwrap_or_default());
    let accounts = RwSignal::new(policy.as_ref().map(|p| p.accounts.iter().map(|a| a.id).collect::<Vec<_>>()).unwrap_or_default());
    let requires_entitlement = RwSignal::new(policy.as_ref().is_some_and(|p| p.requires_entitlement));
    let first_response = RwSignal::new(policy.as_ref().map(|p| format_minutes(p.first_response_minutes)).unwrap_or_else(|| "4h".into()));
    let resolution = RwSignal::new(policy.as_ref().map(|p| format_minutes(p.resolution_minutes)).unwrap_or_else(|| "16h".into()));
    let next_response = RwSignal::new(policy.as_ref().and_then(|p| p.next_response_minutes).map(format_minutes).unwrap_or_default());
    let warning = RwSignal::new(policy.as_ref().map_or(80, |p| p.warning_percent).to_string());
    let error = RwSignal::new(None::<String>);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(team_id) = team_id.get_untracked() else { return error.set(Some("Choose a team.".into())) };
        let Ok(warning_percent) = warning.get_untracked().trim().parse::<i64>() else {
            return error.set(Some("The warning threshold must be a whole number of percent.".into()));
        };
        let input = SlaPolicyInput {
            team_id,
            name: name.get_untracked(),
            enabled: enabled.get_untracked(),
            calendar_id: calendar_id.get_untracked().unwrap_or(1),
            priorities: priorities.get_untracked(),
            account_ids: accounts.get_untracked(),
            requires_entitlement: requires_entitlement.get_untracked(),
            first_response: first_response.get_untracked(),
            resolution: resolution.get_untracked(),
            next_response: next_response.get_untracked(),
            warning_percent,
        };
        spawn_local(async move {
            match save_sla_policy(existing.map(|e| e.0), existing.map(|e| e.1), input).await {
                Ok(()) => {
                    toasts.info("Policy saved; open tickets are recalculated.");
                    editing.set(None);
                    reload.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let calendars: Vec<Named> = setup.calendars.iter().map(|c| Named { id: c.id, name: format!("{} ({})", c.name, c.time_zone) }).collect();
    let priority_options: Vec<(Priority, String)> = Priority::ALL.iter().map(|p| (*p, p.label().to_string())).collect();
    let account_options: Vec<(i64, String)> = setup.accounts.iter().map(|a| (a.id, a.name.clone())).collect();
    view! {
        <form class="panel" on:submit=save aria-labelledby="policy-form-title" data-testid="sla-policy-form">
            <h2 id="policy-form-title">{if existing.is_some() { "Edit policy" } else { "New policy" }}</h2>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field-row">
                <IdSelect id="policy-team" label="Team" empty="Choose a team…" choices=setup.teams.clone() value=team_id/>
                <div class="field">
                    <label for="policy-name">"Name"</label>
                    <input id="policy-name" maxlength="80" placeholder="e.g. Standard, Premium" bind:value=name/>
                </div>
                <IdSelect id="policy-calendar" label="Calendar" empty="24×7" choices=calendars value=calendar_id/>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="policy-first-response">"First response within"</label>
                    <input id="policy-first-response" placeholder="e.g. 30m, 4h, 1h 30m" bind:value=first_response/>
                </div>
                <div class="field">
                    <label for="policy-resolution">"Resolution within"</label>
                    <input id="policy-resolution" bind:value=resolution/>
                </div>
                <div class="field">
                    <label for="policy-next-response">"Next response within (optional)"</label>
                    <input id="policy-next-response" placeholder="empty: not measured" bind:value=next_response/>
                </div>
                <div class="field">
                    <label for="policy-warning">"Warn when used (%)"</label>
                    <input id="policy-warning" type="number" min="1" max="99" bind:value=warning/>
                </div>
            </div>
            <CheckList legend="Priorities (none ticked: all)" prefix="policy-priority" options=priority_options chosen=priorities/>
            <CheckList legend="Accounts (none ticked: all)" prefix="policy-account" options=account_options chosen=accounts/>
            <div class="field-row">
                <label class="check"><input type="checkbox" id="policy-requires-entitlement" bind:checked=requires_entitlement/> " Only tickets with an entitlement"</label>
                <label class="check"><input type="checkbox" id="policy-enabled" bind:checked=enabled/> " Enabled"</label>
            </div>
            <div class="form-actions">
                {existing.is_some().then(|| view! { <button type="button" on:click=move |_| editing.set(None)>"Cancel"</button> })}
                <button class="primary" type="submit">"Save policy"</button>
            </div>
        </form>
    }
}

/// One row per priority: its code and the business time after which each escalation level is raised.
#[component]
pub(crate) fn PriorityCodes(setup: SlaSetup, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let editable = setup.can_edit_shared;
    view! {
        <section class="panel" aria-labelledby="codes-title">
            <h2 id="codes-title">"Priority codes and escalation"</h2>
            <p class="muted">"Each level alerts the assignee and the team lead and is written on the timeline, once, when the ticket has been open that long in business time."
                {(!editable).then(|| " Only admins change priority codes and calendars.")}</p>
            <table class="grid" data-testid="priority-codes">
                <thead><tr><th>"Priority"</th><th>"Code"</th><th>"Follow-up"</th><th>"Warning"</th><th>"Late"</th><th></th></tr></thead>
                <tbody>
                    {setup.priority_codes.into_iter().map(|code| {
                        let priority = code.priority;
                        let version = code.version;
                        let fields = [
                            RwSignal::new(code.code.clone()),
                            RwSignal::new(format_minutes(code.follow_up_minutes)),
                            RwSignal::new(format_minutes(code.warning_minutes)),
                            RwSignal::new(format_minutes(code.late_minutes)),
                        ];
                        let save = move |_| {
                            let input = PriorityCodeInput {
                                code: fields[0].get_untracked(),
                                follow_up: fields[1].get_untracked(),
                                warning: fields[2].get_untracked(),
                                late: fields[3].get_untracked(),
                            };
                            spawn_local(async move {
                                match save_priority_code(priority, version, input).await {
                                    Ok(()) => {
                                        toasts.info(format!("{} priority saved.", priority.label()));
                                        reload.run(());
                                    }
                                    Err(e) => toasts.error(e.to_string()),
                                }
                            });
                        };
                        let labels = ["code", "follow-up", "warning", "late"];
                        view! {
                            <tr>
                                <th scope="row">{priority.label()}</th>
                                {fields.into_iter().zip(labels).map(|(value, what)| view! {
                                    <td><input class="compact" aria-label=format!("{} {what}", priority.label()) bind:value=value disabled=!editable/></td>
                                }).collect_view()}
                                <td>{editable.then(|| view! { <button class="small" on:click=save>"Save"</button> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn Calendars(setup: SlaSetup, reload: Callback<()>) -> impl IntoView {
    let editing = RwSignal::new(None::<Calendar>);
    let editable = setup.can_edit_shared;
    view! {
        <section class="panel" aria-labelledby="calendars-title">
            <h2 id="calendars-title">"Calendars"</h2>
            <table class="grid" data-testid="calendars">
                <thead><tr><th>"Calendar"</th><th>"Time zone"</th><th>"Working hours"</th><th>"Holidays"</th><th></th></tr></thead>
                <tbody>
                    {setup.calendars.into_iter().map(|calendar| {
                        let hours = if calendar.always_open {
                            "Round the clock".to_string()
                        } else {
                            WEEKDAYS.iter().filter_map(|d| {
                                let day = format_day(&calendar.periods, *d);
                                (!day.is_empty()).then(|| format!("{d} {day}"))
                            }).collect::<Vec<_>>().join(" · ")
                        };
                        let shown = calendar.clone();
                        view! {
                            <tr>
                                <td><strong>{calendar.name.clone()}</strong></td>
                                <td>{calendar.time_zone.clone()}</td>
                                <td>{hours}</td>
                                <td>{calendar.holidays.len()}</td>
                                <td>{(editable && !calendar.always_open).then(|| view! {
                                    <button class="small" on:click=move |_| editing.set(Some(shown.clone()))>"Edit"</button>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {editable.then(|| view! { {move || view! { <CalendarForm calendar=editing.get() editing reload/> }} })}
        </section>
    }
}

#[component]
fn CalendarForm(calendar: Option<Calendar>, editing: RwSignal<Option<Calendar>>, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let existing = calendar.as_ref().map(|c| (c.id, c.version));
    let name = RwSignal::new(calendar.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let zone = RwSignal::new(calendar.as_ref().map(|c| c.time_zone.clone()).unwrap_or_else(|| "Europe/Berlin".into()));
    let days: Vec<RwSignal<String>> = WEEKDAYS
        .iter()
        .enumerate()
        .map(|(index, day)| {
            RwSignal::new(match &calendar {
                Some(c) => format_day(&c.periods, *day),
                None if index < 5 => "09:00-17:00".into(),
                None => String::new(),
            })
        })
        .collect();
    let holidays = RwSignal::new(calendar.as_ref().map(|c| c.holidays.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n")).unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let hours = days.clone();
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = CalendarInput {
            name: name.get_untracked(),
            time_zone: zone.get_untracked(),
            hours: hours.iter().map(|d| d.get_untracked()).collect(),
            holidays: holidays.get_untracked(),
        };
        spawn_local(async move {
            let saved: Result<Calendar, AppError> = save_calendar(existing.map(|e| e.0), existing.map(|e| e.1), input).await;
            match saved {
                Ok(calendar) => {
                    toasts.info(format!("Calendar \"{}\" saved.", calendar.name));
                    editing.set(None);
                    reload.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="calendar-form" on:submit=save data-testid="calendar-form">
            <h3>{if existing.is_some() { "Edit calendar" } else { "New calendar" }}</h3>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field-row">
                <div class="field">
                    <label for="calendar-name">"Name"</label>
                    <input id="calendar-name" maxlength="80" placeholder="e.g. Office hours Berlin" bind:value=name/>
                </div>
                <div class="field">
                    <label for="calendar-zone">"Time zone (IANA)"</label>
                    <input id="calendar-zone" placeholder="Europe/Berlin" bind:value=zone/>
                </div>
            </div>
            <div class="week-grid">
                {WEEKDAYS.iter().zip(days).map(|(day, value)| {
                    let id = format!("calendar-{}", day.to_string().to_lowercase());
                    view! {
                        <div class="field">
                            <label for=id.clone()>{day.to_string()}</label>
                            <input id=id placeholder="day off" bind:value=value/>
                        </div>
                    }
                }).collect_view()}
            </div>
            <div class="hint">"Periods like 08:00-12:00, 13:00-17:00; leave a day empty when closed."</div>
            <div class="field">
                <label for="calendar-holidays">"Holidays"</label>
                <textarea id="calendar-holidays" placeholder="2026-12-25" bind:value=holidays></textarea>
                <div class="hint">"One date per line (YYYY-MM-DD)."</div>
            </div>
            <div class="form-actions">
                {existing.is_some().then(|| view! { <button type="button" on:click=move |_| editing.set(None)>"Cancel"</button> })}
                <button class="primary" type="submit">"Save calendar"</button>
            </div>
        </form>
    }
}
