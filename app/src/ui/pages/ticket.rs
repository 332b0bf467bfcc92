//! Creating a ticket, and one ticket with all its fields and its timeline.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::tickets::{create_ticket, form_choices, get_ticket, save_and_route, update_ticket};
use crate::domain::age;
use crate::error::AppError;
use crate::model::*;
use crate::ui::components::{
    listen_to_ticket, status_class, use_toasts, AddAsEventOffer, ChildTickets, Composer, ComposerState, ConversationContext, ConvertToLead, CustomerCardPanel, AttachmentsPanel, KbLinksPanel, DuplicatesPanel, MergedNotice,
    ErrorAlert, FollowersPanel, LeadBanner, PresenceHint, PriorityPill, ResolutionPanel, SlaTimer, StageSelect, TicketEventsPanel, TicketFields,
    TicketFormState, Timeline, WorkLogPanel,
};

#[component]
pub fn NewTicketPage() -> impl IntoView {
    let options = Resource::new(|| (), |_| form_choices());
    view! {
        <main>
            <div class="page-head"><h1>"New ticket"</h1></div>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match options.await {
                        Ok(options) => view! { <NewTicketForm options/> }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn NewTicketForm(options: TicketFormOptions) -> impl IntoView {
    let state = TicketFormState::blank(options.teams.first().map(|t| t.id));
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = match state.to_input() {
            Ok(input) => input,
            Err(e) => return error.set(Some(e.to_string())),
        };
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match create_ticket(input).await {
                Ok(card) => navigate(&format!("/tickets/{}", card.reference), Default::default()),
                Err(e) => {
                    error.set(Some(e.to_string()));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <form class="panel" style="max-width:860px" on:submit=submit novalidate>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <TicketFields state options/>
            <AddAsEventOffer state/>
            <div class="form-actions">
                <a class="button" href="/">"Cancel"</a>
                <button class="primary" type="submit" disabled=move || busy.get()>"Create ticket"</button>
            </div>
        </form>
    }
}

#[component]
pub fn TicketPage() -> impl IntoView {
    let params = use_params_map();
    let reference = move || params.read().get("reference").unwrap_or_default();
    let ticket = Resource::new(reference, get_ticket);
    let options = Resource::new(|| (), |_| form_choices());
    let reload = Callback::new(move |_: ()| ticket.refetch());
    // Kept here, above the redrawn view, so that a live reload keeps the draft and who is here.
    let composer = ComposerState::new(MessageKind::Reply);
    let viewers = RwSignal::new(Vec::new());
    Effect::new(move |_| listen_to_ticket(reference(), reload, Some(viewers)));
    view! {
        <main>
            <Transition fallback=|| view! { <p class="muted">"Loading ticket…"</p> }>
                {move || Suspend::new(async move {
                    match (ticket.await, options.await) {
                        (Ok(detail), Ok(options)) => view! { <TicketView detail options reload composer viewers/> }.into_any(),
                        (Err(error), _) | (_, Err(error)) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn TicketView(detail: TicketDetail, mut options: TicketFormOptions, reload: Callback<()>, composer: ComposerState, viewers: RwSignal<Vec<Viewer>>) -> impl IntoView {
    let toasts = use_toasts();
    // The ticket keeps showing its entitlement even once that is used up or expired.
    if let Some(current) = detail.entitlement.clone().filter(|e| options.entitlements.iter().all(|c| c.id != e.id)) {
        options.entitlements.push(current);
    }
    // Likewise the catalog values it carries that were deactivated since.
    for kept in &detail.kept_choices {
        options.keep(kept);
    }
    let state = TicketFormState::from_detail(&detail);
    provide_context(ConversationContext { reference: detail.reference.clone(), reload });
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let (reference, version) = (detail.reference.clone(), detail.version);

    // A stale save is not an input problem: tell, then show the latest state.
    let finish = move |result: Result<(), AppError>, saved: &'static str| match result {
        Ok(()) => {
            toasts.info(saved);
            reload.run(());
        }
        Err(e @ AppError::Conflict(_)) => {
            toasts.error(e.to_string());
            reload.run(());
        }
        Err(e) => {
            error.set(Some(e.to_string()));
            busy.set(false);
        }
    };
    // "Save" keeps the ticket where it is; "Save & route" then lets the routing rules decide.
    let submit = {
        let reference = reference.clone();
        move |route: bool| {
            let input = match state.to_input() {
                Ok(input) => input,
                Err(e) => return error.set(Some(e.to_string())),
            };
            busy.set(true);
            let reference = reference.clone();
            spawn_local(async move {
                if !route {
                    return finish(update_ticket(reference, version, input).await.map(|_| ()), "Ticket saved.");
                }
                match save_and_route(reference, version, input).await {
                    Ok((_, Some(rule))) => {
                        toasts.info(format!("Saved and routed by rule \"{rule}\"."));
                        reload.run(());
                    }
                    other => finish(other.map(|_| ()), "Saved; no routing rule applies to this ticket."),
                }
            });
        }
    };
    let save = {
        let submit = submit.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            submit(false);
        }
    };
    let stage_changed = Callback::new(move |result| finish(result, "Stage changed."));
    let now = chrono::Utc::now();
    let created = format!(
        "Created {} ago{}",
        age::compact(detail.created_at, now),
        detail.created_by.as_ref().map(|u| format!(" by {}", u.name)).unwrap_or_default()
    );
    view! {
        <div class="page-head">
            <div>
                <span class="card-ref">{reference.clone()}</span>
                <h1>{detail.title.clone()}</h1>
            </div>
            <div class="actions">
                <ConvertToLead detail=detail.clone() reload/>
                {detail.merged_into.is_none().then(|| view! { <a class="button" data-testid="merge-ticket" href=format!("/tickets/merge?refs={reference}")>"Merge…"</a> })}
                <a class="button" href=format!("/teams/{}/board", detail.team.id)>"Back to board"</a>
            </div>
        </div>
        <LeadBanner relations=detail.relations.clone()/>
        {detail.merged_into.clone().map(|into| view! { <MergedNotice into/> })}
        <div class="ticket-meta">
            <span class=status_class(detail.status) data-testid="ticket-status">{detail.status.label()}</span>
            <PriorityPill priority=detail.priority/>
            <span class="badge">{detail.team.name.clone()} " › " {detail.stage.name.clone()}</span>
            {detail.queues.iter().map(|q| view! {
                <a class="badge queue" href=format!("/queues/{}", q.id) data-testid="ticket-queue">"Queue: " {q.name.clone()}</a>
            }).collect_view()}
            <span class="muted">{created}</span>
        </div>
        {detail.unit.clone().map(|unit| {
            let warranty = match unit.warranty_until {
                Some(until) if until >= now.date_naive() => format!("under warranty until {}", until.format("%d %b %Y")),
                Some(until) => format!("warranty ended {}", until.format("%d %b %Y")),
                None => "no warranty".to_string(),
            };
            let contract = if unit.contract.is_empty() { "no service contract".to_string() } else { format!("contract: {}", unit.contract) };
            view! {
                <div class="unit-info" data-testid="unit-info">
                    <strong>{unit.serial.clone()}</strong> " · " {unit.item.clone()}
                    {unit.unit_type.clone().map(|t| view! { " (" {t} ")" })}
                    " — " {warranty} " · " {contract}
                </div>
            }
        })}
        <SlaPanel detail=detail.clone()/>
        <ResolutionPanel resolution=detail.resolution.clone() service_order=detail.service_order.clone()/>
        // The conversation is the work: it gets the wide column; what describes the ticket sits beside it.
        <div class="ticket-layout">
            <div class="conversation-column">
                <PresenceHint viewers/>
                <Composer reference=reference.clone() state=composer staff=true on_sent=reload/>
                <Timeline entries=detail.timeline.clone() title="Timeline" unnamed="System" kinds=true/>
                <ChildTickets reference=reference.clone() relations=detail.relations.clone() reload/>
                <div class="work-panels"><WorkLogPanel reference=reference.clone()/><TicketEventsPanel reference=reference.clone() logged=reload/></div>
                <div class="ticket-panels"><AttachmentsPanel reference=reference.clone()/> <KbLinksPanel reference=reference.clone()/></div>
            </div>
            <aside class="details-column" aria-label="Ticket details">
                <form class="panel" on:submit=save novalidate>
                    {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
                    <StageSelect detail=detail.clone() on_done=stage_changed/>
                    <TicketFields state options/>
                    <div class="form-actions">
                        <button type="button" on:click=move |_| submit(true) disabled=move || busy.get()>"Save & route"</button>
                        <button class="primary" type="submit" disabled=move || busy.get()>"Save"</button>
                    </div>
                </form>
                {(detail.customer.contact_id.is_some() || detail.customer.account_id.is_some())
                    .then(|| view! { <CustomerCardPanel reference=reference.clone()/> })}
                <FollowersPanel reference=reference.clone()/>
                <DuplicatesPanel reference=reference.clone()/>
            </aside>
        </div>
    }
}

/// The ticket's SLA: its policy, each KPI counting down live, and the escalation level reached.
#[component]
fn SlaPanel(detail: TicketDetail) -> impl IntoView {
    if detail.sla.is_empty() {
        return None;
    }
    // The timer tests and people look at first: the most urgent KPI still ticking.
    let primary = detail
        .sla
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind != KpiKind::Escalation)
        .min_by_key(|(_, c)| (c.rank(), c.due))
        .map(|(index, _)| index);
    let policy = detail.sla_policy.clone().unwrap_or_else(|| "No SLA policy applies; escalation ladder only".into());
    Some(view! {
        <section class="panel sla-panel" aria-labelledby="sla-title">
            <div class="sla-head">
                <h2 id="sla-title">"SLA"</h2>
                <span class="muted">{policy}</span>
                {detail.entitlement.clone().map(|e| view! { <span class="badge">"Entitlement: " {e.label}</span> })}
                {detail.escalation.clone().map(|level| view! { <span class="badge escalation" data-testid="escalation-level">"Escalated: " {level}</span> })}
            </div>
            <ul class="sla-list">
                {detail.sla.iter().cloned().enumerate().map(|(index, countdown)| {
                    let testid = if Some(index) == primary { "sla-timer" } else { "sla-kpi" };
                    view! { <li><SlaTimer countdown testid long=true/></li> }
                }).collect_view()}
            </ul>
        </section>
    })
}
