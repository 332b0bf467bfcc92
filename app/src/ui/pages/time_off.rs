//! "My time off": whole days away, during which no ticket is assigned to you automatically. The
//! same panels serve the admins' user form for someone else's time off.

use chrono::{Duration, NaiveDate};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::time_off::{add_time_off, add_user_time_off, my_time_off, remove_time_off, user_time_off};
use crate::model::TimeOff;
use crate::ui::components::{use_toasts, ErrorAlert};

fn days(entry: &TimeOff) -> String {
    let first = entry.from.date_naive();
    let last = (entry.until - Duration::seconds(1)).date_naive();
    if first == last {
        first.format("%a %d %b %Y").to_string()
    } else {
        format!("{} – {}", first.format("%a %d %b %Y"), last.format("%a %d %b %Y"))
    }
}

#[component]
pub fn TimeOffPage() -> impl IntoView {
    view! {
        <main>
            <div class="page-head"><h1>"My time off"</h1></div>
            <TimeOffPanels user_id=None/>
        </main>
    }
}

/// Adding and listing time off: one's own (`user_id` is `None`) or, for admins, someone else's.
#[component]
pub fn TimeOffPanels(user_id: Option<i64>) -> impl IntoView {
    let toasts = use_toasts();
    let entries = Resource::new(|| (), move |_| async move {
        match user_id {
            Some(user_id) => user_time_off(user_id).await,
            None => my_time_off().await,
        }
    });
    let first_day = RwSignal::new(String::new());
    let last_day = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let parse = |text: String| text.parse::<NaiveDate>().ok();
        let (Some(first), Some(last)) = (parse(first_day.get_untracked()), parse(last_day.get_untracked())) else {
            return error.set(Some("Choose the first and the last day.".into()));
        };
        spawn_local(async move {
            let added = match user_id {
                Some(user_id) => add_user_time_off(user_id, first, last).await,
                None => add_time_off(first, last).await,
            };
            match added {
                Ok(_) => {
                    error.set(None);
                    entries.refetch();
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let remove = move |id: i64| {
        spawn_local(async move {
            match remove_time_off(id).await {
                Ok(()) => entries.refetch(),
                Err(e) => toasts.error(e.to_string()),
            }
        })
    };
    let hint = if user_id.is_some() {
        "Whole days (UTC). While away, nobody assigns them tickets automatically."
    } else {
        "Whole days (UTC). While you are away no ticket is assigned to you automatically; waiting tickets go to colleagues."
    };
    view! {
        <div class="ticket-layout">
            <form class="panel" on:submit=add>
                <h2>"Add time off"</h2>
                {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
                <div class="field-row">
                    <div class="field">
                        <label for="first-day">"First day"</label>
                        <input id="first-day" type="date" bind:value=first_day/>
                    </div>
                    <div class="field">
                        <label for="last-day">"Last day"</label>
                        <input id="last-day" type="date" bind:value=last_day/>
                    </div>
                </div>
                <p class="hint muted">{hint}</p>
                <div class="form-actions"><button class="primary" type="submit">"Add time off"</button></div>
            </form>
            <section class="panel">
                <h2>"Planned"</h2>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match entries.await {
                            Ok(list) if list.is_empty() => view! { <p class="muted">"No time off planned."</p> }.into_any(),
                            Ok(list) => view! {
                                <ul class="time-off" data-testid="time-off-list">
                                    {list.into_iter().map(|entry| {
                                        let id = entry.id;
                                        view! {
                                            <li>
                                                <span>{days(&entry)}</span>
                                                <button class="small" on:click=move |_| remove(id)>"Remove"</button>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(error) => view! { <ErrorAlert error/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}
