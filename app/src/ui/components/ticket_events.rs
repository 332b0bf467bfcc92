//! Events on a ticket (calls, mails, appointments, notes): the list and the form to log one; and
//! on the new-ticket form, the offer to add a returning customer's request to their open ticket.

use chrono::{NaiveDateTime, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use super::{use_toasts, ErrorAlert, TicketFormState};
use crate::api::ticket_events::{add_as_event, customer_open_tickets, get_ticket_events, log_ticket_event};
use crate::domain::sla::format_minutes;
use crate::model::{CustomerChoice, RequestAsEvent, TicketEvent, TicketEventInput, TicketEvents};

/// The value a `datetime-local` input takes for a time (minutes, UTC).
const LOCAL_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// The ticket's events and the form to log one; `logged` runs after a new event (its line is
/// on the timeline).
#[component]
pub fn TicketEventsPanel(reference: String, logged: Callback<()>) -> impl IntoView {
    let events = {
        let reference = reference.clone();
        Resource::new(move || reference.clone(), get_ticket_events)
    };
    let reference = StoredValue::new(reference);
    view! {
        <section class="panel ticket-events" aria-labelledby="events-title" data-testid="ticket-events">
            <h2 id="events-title">"Events"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading events…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(panel) => view! { <EventsBody panel reference=reference.get_value() logged/> }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn event_item(event: TicketEvent) -> impl IntoView {
    let duration = (event.duration_minutes > 0).then(|| format!(" · {}", format_minutes(event.duration_minutes)));
    view! {
        <li data-testid="ticket-event">
            <div class="event-line">
                <span class="badge">{event.event_type}</span>
                <span class="muted">
                    {event.happened_at.format("%d %b %Y %H:%M UTC").to_string()} {duration}
                    {event.author.map(|name| format!(" · {name}"))}
                </span>
            </div>
            {(!event.note.is_empty()).then(|| view! { <p class="event-note">{event.note}</p> })}
        </li>
    }
}

#[component]
fn EventsBody(panel: TicketEvents, reference: String, logged: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let type_id = RwSignal::new(panel.types.first().map(|t| t.id.to_string()).unwrap_or_default());
    let happened = RwSignal::new(Utc::now().format(LOCAL_FORMAT).to_string());
    let duration = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Ok(event_type_id) = type_id.get_untracked().parse::<i64>() else {
            return error.set(Some("Choose the kind of event.".into()));
        };
        let Ok(at) = NaiveDateTime::parse_from_str(&happened.get_untracked(), LOCAL_FORMAT) else {
            return error.set(Some("Give the date and time of the event.".into()));
        };
        let input = TicketEventInput { event_type_id, note: note.get_untracked(), happened_at: at.and_utc(), duration: duration.get_untracked() };
        let reference = reference.clone();
        busy.set(true);
        spawn_local(async move {
            match log_ticket_event(reference, input).await {
                Ok(event) => {
                    toasts.info(format!("{} logged.", event.event_type));
                    logged.run(());
                }
                Err(e) => {
                    error.set(Some(e.to_string()));
                    busy.try_set(false);
                }
            }
        });
    };
    view! {
        {if panel.events.is_empty() {
            view! { <p class="muted">"No events logged yet."</p> }.into_any()
        } else {
            view! { <ul class="event-list">{panel.events.into_iter().map(event_item).collect_view()}</ul> }.into_any()
        }}
        <form class="event-form" on:submit=submit novalidate data-testid="event-form">
            <h3>"Log an event"</h3>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field-row">
                <div class="field">
                    <label for="event-type">"Type"</label>
                    <select id="event-type" name="event_type" on:change=move |ev| type_id.set(event_target_value(&ev))>
                        {panel.types.into_iter().map(|t| {
                            let selected = type_id.get_untracked() == t.id.to_string();
                            view! { <option value=t.id selected=selected>{t.name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="event-when">"When (UTC)"</label>
                    <input id="event-when" name="happened_at" type="datetime-local" bind:value=happened/>
                </div>
                <div class="field">
                    <label for="event-duration">"Duration"</label>
                    <input id="event-duration" name="event_duration" placeholder="15m" bind:value=duration/>
                </div>
            </div>
            <div class="field">
                <label for="event-note">"Note"</label>
                <textarea id="event-note" name="event_note" rows="3" bind:value=note></textarea>
            </div>
            <div class="form-actions">
                <button class="primary" type="submit" data-testid="log-event" disabled=move || busy.get()>"Log event"</button>
            </div>
        </form>
    }
}

/// On the new-ticket form: when the chosen customer has open tickets, offers to add this request
/// to one of them as an event (title and description as its note) instead of a duplicate.
#[component]
pub fn AddAsEventOffer(state: TicketFormState) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let open = Resource::new(
        move || {
            let creating = state.creating_customer.get();
            (!creating).then(|| CustomerChoice { contact_id: state.contact_id.get(), account_id: state.account_id.get() })
        },
        |customer| async move {
            match customer {
                Some(customer) if customer != CustomerChoice::default() => customer_open_tickets(customer).await,
                _ => Ok(Vec::new()),
            }
        },
    );
    let busy = RwSignal::new(false);
    let add = move |reference: String| {
        let request = RequestAsEvent { title: state.title.get_untracked(), description: state.description.get_untracked(), origin: state.origin.get_untracked() };
        let navigate = navigate.clone();
        busy.set(true);
        spawn_local(async move {
            match add_as_event(reference.clone(), request).await {
                Ok(_) => navigate(&format!("/tickets/{reference}"), Default::default()),
                Err(error) => {
                    toasts.error(error.to_string());
                    busy.try_set(false);
                }
            }
        });
    };
    view! {
        <Transition fallback=|| ()>
            {move || {
                let add = add.clone();
                Suspend::new(async move {
                    let tickets = open.await.unwrap_or_default();
                    (!tickets.is_empty()).then(|| view! {
                        <div class="alert info open-tickets" data-testid="open-tickets-offer">
                            <p>"This customer already has open tickets. If this is the same matter, add the request to one of them instead of creating a duplicate:"</p>
                            <ul>
                                {tickets.into_iter().map(|ticket| {
                                    let add = add.clone();
                                    let reference = ticket.reference.clone();
                                    view! {
                                        <li>
                                            <a href=format!("/tickets/{}", ticket.reference)>{ticket.reference.clone()}</a>
                                            " " {ticket.title} " " <span class="badge">{ticket.stage}</span> " "
                                            <button type="button" class="small" data-testid="add-as-event" data-ticket-ref=ticket.reference.clone()
                                                disabled=move || busy.get() on:click=move |_| add(reference.clone())>
                                                "Add as an event to " {ticket.reference.clone()}
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </div>
                    })
                })
            }}
        </Transition>
    }
}
