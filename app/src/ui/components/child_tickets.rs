//! Child tickets on the ticket page: the parent a child belongs to, the children of a parent with
//! their stage and assignee, and "Create child ticket" (same team and customer, linked back).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{status_class, use_toasts};
use crate::api::tickets::create_child_ticket;
use crate::model::*;

#[component]
pub fn ChildTickets(reference: String, relations: TicketRelations, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let adding = RwSignal::new(false);
    let title = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (parent, text) = (reference.clone(), title.get_untracked());
        busy.set(true);
        spawn_local(async move {
            match create_child_ticket(parent, text).await {
                Ok(card) => {
                    toasts.info(format!("Created child ticket {}.", card.reference));
                    reload.run(());
                }
                Err(e) => {
                    error.set(Some(e.to_string()));
                    busy.set(false);
                }
            }
        });
    };
    let TicketRelations { parent, children, .. } = relations;
    view! {
        <section class="panel child-tickets" aria-labelledby="children-title" data-testid="child-tickets">
            <div class="section-head">
                <h2 id="children-title">"Child tickets"</h2>
                <button type="button" class="small" data-testid="create-child" on:click=move |_| adding.update(|a| *a = !*a)>"Create child ticket"</button>
            </div>
            {parent.map(|p| view! {
                <p data-testid="parent-ticket">"Child of " <a href=format!("/tickets/{}", p.reference)>{p.reference.clone()} " · " {p.title}</a></p>
            })}
            <Show when=move || adding.get()>
                <form class="inline-form" on:submit=create.clone()>
                    <div class="field" style="flex:1">
                        <label for="child-title">"Title of the child ticket"</label>
                        <input id="child-title" name="child_title" maxlength="200" required bind:value=title/>
                    </div>
                    <div class="field">
                        <button class="primary" type="submit" data-testid="create-child-confirm" disabled=move || busy.get() || title.get().trim().is_empty()>"Create"</button>
                    </div>
                </form>
                {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            </Show>
            {if children.is_empty() {
                view! { <p class="muted">"No child tickets. Split work off into a child ticket: it keeps this ticket's team and customer."</p> }.into_any()
            } else {
                view! {
                    <table class="grid">
                        <thead><tr><th scope="col">"Ticket"</th><th scope="col">"Stage"</th><th scope="col">"Status"</th><th scope="col">"Assignee"</th></tr></thead>
                        <tbody>
                            {children.into_iter().map(|child| view! {
                                <tr data-testid="child-ticket" data-ticket-ref=child.reference.clone()>
                                    <th scope="row"><a href=format!("/tickets/{}", child.reference)>{child.reference.clone()} " · " {child.title}</a></th>
                                    <td>{child.stage_name}</td>
                                    <td><span class=status_class(child.status)>{child.status.label()}</span></td>
                                    <td>{child.assignee.map(|a| a.name).unwrap_or_else(|| "Unassigned".into())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
