//! The customer portal: the tickets a customer follows and each one as they see it.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::portal::{load_portal_ticket, my_tickets};
use crate::domain::age;
use crate::model::MessageKind;
use crate::ui::components::{listen_to_ticket, status_class, AttachmentsPanel, Composer, ComposerState, ErrorAlert, Timeline};

#[component]
pub fn MyTicketsPage() -> impl IntoView {
    let tickets = Resource::new(|| (), |_| my_tickets());
    view! {
        <main>
            <div class="page-head">
                <h1>"My tickets"</h1>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading your tickets…"</p> }>
                {move || Suspend::new(async move {
                    match tickets.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"You have no tickets yet."</p> }.into_any(),
                        Ok(list) => {
                            let now = chrono::Utc::now();
                            view! {
                                <table class="grid panel portal-list">
                                    <thead>
                                        <tr><th scope="col">"Ticket"</th><th scope="col">"Title"</th><th scope="col">"Status"</th><th scope="col">"Updated"</th></tr>
                                    </thead>
                                    <tbody>
                                        {list.into_iter().map(|row| view! {
                                            <tr data-testid="portal-ticket" data-ticket-ref=row.reference.clone()>
                                                <td><a class="card-ref" href=format!("/my/tickets/{}", row.reference)>{row.reference.clone()}</a></td>
                                                <td>{row.title.clone()}</td>
                                                <td><span class=status_class(row.status)>{row.status.label()}</span></td>
                                                <td class="muted" title=row.updated_at.to_rfc3339()>{age::compact(row.updated_at, now)} " ago"</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
pub fn PortalTicketPage() -> impl IntoView {
    let params = use_params_map();
    let reference = move || params.read().get("reference").unwrap_or_default();
    let ticket = Resource::new(reference, load_portal_ticket);
    let reload = Callback::new(move |_: ()| ticket.refetch());
    let composer = ComposerState::new(MessageKind::Reply);
    Effect::new(move |_| listen_to_ticket(reference(), reload, None));
    view! {
        <main>
            <Transition fallback=|| view! { <p class="muted">"Loading ticket…"</p> }>
                {move || Suspend::new(async move {
                    let ticket = match ticket.await {
                        Ok(ticket) => ticket,
                        Err(error) => return view! { <ErrorAlert error/> }.into_any(),
                    };
                    let now = chrono::Utc::now();
                    view! {
                        <div class="page-head">
                            <div>
                                <span class="card-ref">{ticket.reference.clone()}</span>
                                <h1>{ticket.title.clone()}</h1>
                            </div>
                            <a class="button" href="/my/tickets">"All my tickets"</a>
                        </div>
                        <div class="ticket-meta">
                            <span class=status_class(ticket.status) data-testid="ticket-status">{ticket.status.label()}</span>
                            <span class="badge">{ticket.team_name.clone()} " › " {ticket.stage_name.clone()}</span>
                            <span class="muted">"Opened " {age::compact(ticket.created_at, now)} " ago"</span>
                        </div>
                        <div class="ticket-layout">
                            <section class="panel" aria-labelledby="description-title">
                                <h2 id="description-title">"Your request"</h2>
                                <p class="portal-description">{ticket.description.clone()}</p>
                            </section>
                            <div class="conversation-column">
                                <Composer reference=ticket.reference.clone() state=composer staff=false on_sent=reload/>
                                <Timeline entries=ticket.timeline.clone() title="History" unnamed="Support" kinds=false/>
                            </div>
                        </div>
                        <AttachmentsPanel reference=ticket.reference.clone()/>
                    }
                    .into_any()
                })}
            </Transition>
        </main>
    }
}
