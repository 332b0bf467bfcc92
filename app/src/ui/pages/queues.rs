//! Named queues: their members pull the best waiting ticket from them.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use crate::api::queues::{change_queue, create_queue, load_queues, queue_tickets, save_queue_members};
use crate::error::AppError;
use crate::model::*;
use crate::ui::components::{use_toasts, Avatar, CheckList, ErrorAlert, LoadedPage, PriorityPill, PullNextButton};

#[component]
pub fn QueuesPage() -> impl IntoView {
    view! {
        <LoadedPage title="Queues" load=load_queues render=|overview, reload| {
            let (can_manage, people) = (overview.can_manage, overview.people.clone());
            view! {
                {can_manage.then(|| view! { <NewQueue reload/> })}
                {overview.queues.is_empty().then(|| view! { <p class="muted">"No queues yet."</p> })}
                <div class="queue-grid">
                    {overview.queues.into_iter().map(|queue| view! { <QueueTile queue people=people.clone() can_manage reload/> }).collect_view()}
                </div>
            }
        }/>
    }
}

#[component]
fn NewQueue(reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            match create_queue(name.get_untracked(), description.get_untracked()).await {
                Ok(queue) => {
                    toasts.info(format!("Queue {} created.", queue.name));
                    reload.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="panel new-queue" on:submit=submit>
            <h2>"New queue"</h2>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field-row">
                <div class="field">
                    <label for="queue-name">"Queue name"</label>
                    <input id="queue-name" maxlength="60" placeholder="e.g. VIP customers" bind:value=name/>
                </div>
                <div class="field">
                    <label for="queue-description">"Queue description"</label>
                    <input id="queue-description" placeholder="What belongs here" bind:value=description/>
                </div>
            </div>
            <div class="form-actions"><button class="primary" type="submit">"Create queue"</button></div>
        </form>
    }
}

#[component]
fn QueueTile(queue: QueueSummary, people: Vec<Named>, can_manage: bool, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let editing = RwSignal::new(false);
    let members = RwSignal::new(queue.members.iter().map(|m| m.id).collect::<Vec<_>>());
    let (queue_id, version) = (queue.id, queue.version);
    let save = move |_| {
        spawn_local(async move {
            match save_queue_members(queue_id, version, members.get_untracked()).await {
                Ok(()) => toasts.info("Queue members saved."),
                Err(e) => toasts.error(e.to_string()),
            }
            reload.run(());
        });
    };
    let member_names = if queue.members.is_empty() {
        "No members yet".to_string()
    } else {
        queue.members.iter().map(|m| m.name.clone()).collect::<Vec<_>>().join(", ")
    };
    view! {
        <section class="panel queue-tile" data-testid="queue" data-queue-name=queue.name.clone()>
            <div class="queue-head">
                <h2><a href=format!("/queues/{queue_id}")>{queue.name.clone()}</a></h2>
                <span class="badge" title="Unassigned tickets waiting to be picked up">{queue.waiting} " waiting"</span>
                <span class="muted">{queue.open} " open"</span>
            </div>
            <p class="muted">{queue.description.clone()}</p>
            <p><span class="muted">"Members: "</span>{member_names}</p>
            <div class="actions">
                {queue.is_member.then(|| view! { <PullNextButton source=PullSource::Queue(queue_id) label="Pick up next from this queue"/> })}
                {can_manage.then(|| view! {
                    <button on:click=move |_| editing.update(|e| *e = !*e) aria-expanded=move || editing.get().to_string()>"Choose members"</button>
                })}
            </div>
            <Show when=move || editing.get()>
                <div class="queue-members">
                    <CheckList legend="Members" prefix=format!("queue-{queue_id}-member") options=people.iter().map(|p| (p.id, p.name.clone())).collect() chosen=members/>
                    <div class="form-actions"><button class="primary" on:click=save>"Save members"</button></div>
                </div>
            </Show>
        </section>
    }
}

/// One queue's open tickets, best first, with a way to take tickets out.
#[component]
pub fn QueuePage() -> impl IntoView {
    let toasts = use_toasts();
    let params = use_params_map();
    let queue_id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let listing = Resource::new(queue_id, |id| async move {
        match id {
            Some(id) => queue_tickets(id).await,
            None => Err(AppError::Invalid("That is not a queue address.".into())),
        }
    });
    let remove = move |queue_id: i64, reference: String| {
        spawn_local(async move {
            match change_queue(queue_id, vec![reference.clone()], false).await {
                Ok(_) => toasts.info(format!("{reference} removed from the queue.")),
                Err(e) => toasts.error(e.to_string()),
            }
            listing.refetch();
        });
    };
    view! {
        <main>
            <Transition fallback=|| view! { <p class="muted">"Loading queue…"</p> }>
                {move || Suspend::new(async move {
                    match listing.await {
                        Ok((queue, cards)) => view! {
                            <div class="page-head">
                                <h1>{queue.name.clone()}</h1>
                                <div class="actions">
                                    <PullNextButton source=PullSource::Queue(queue.id) label="Pick up next from this queue"/>
                                    <a class="button" href="/queues">"All queues"</a>
                                </div>
                            </div>
                            {if cards.is_empty() {
                                view! { <p class="muted">"No open tickets in this queue."</p> }.into_any()
                            } else {
                                view! {
                                    <section class="panel">
                                        <table class="grid" data-testid="queue-tickets">
                                            <thead><tr><th>"Ticket"</th><th>"Title"</th><th>"Priority"</th><th>"Assignee"</th><th></th></tr></thead>
                                            <tbody>
                                                {cards.into_iter().map(|card| {
                                                    let reference = card.reference.clone();
                                                    let queue_id = queue.id;
                                                    view! {
                                                        <tr data-ticket-ref=card.reference.clone()>
                                                            <td><a href=format!("/tickets/{}", card.reference)>{card.reference.clone()}</a></td>
                                                            <td>{card.title.clone()}</td>
                                                            <td><PriorityPill priority=card.priority/></td>
                                                            <td><Avatar user=card.assignee.clone()/></td>
                                                            <td><button class="small" on:click=move |_| remove(queue_id, reference.clone())>"Remove from queue"</button></td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </section>
                                }.into_any()
                            }}
                        }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}
