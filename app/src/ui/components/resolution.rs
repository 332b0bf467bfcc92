//! Resolving a ticket: the dialog that asks for a resolution code and note when a person moves a
//! ticket into a solved stage (board and ticket page), the ticket page's stage picker that opens
//! it, and the resolution as the ticket page shows it.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::tickets::{load_resolution_prompt, move_ticket};
use crate::domain::resolution::{open_children_warning, resolves};
use crate::error::AppError;
use crate::model::*;

/// Asks for the resolution of `reference`: a specific code (grouped under its general code), a
/// note, and, for a parent with open child tickets, a deliberate confirmation.
#[component]
pub fn ResolutionDialog(reference: String, on_confirm: Callback<ResolutionInput>, on_cancel: Callback<()>) -> impl IntoView {
    let prompt = LocalResource::new({
        let reference = reference.clone();
        move || load_resolution_prompt(reference.clone())
    });
    let code_id = RwSignal::new(None::<i64>);
    let note = RwSignal::new(String::new());
    let anyway = RwSignal::new(false);
    let open_children = move || prompt.get().and_then(Result::ok).map_or(0, |p| p.open_children);
    let ready = move || code_id.get().is_some() && !note.get().trim().is_empty() && (open_children() == 0 || anyway.get());
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(code_id) = code_id.get_untracked() else { return };
        if ready() {
            on_confirm.run(ResolutionInput { code_id, note: note.get_untracked(), close_with_open_children: anyway.get_untracked() });
        }
    };
    let groups = move || {
        let codes = prompt.get().and_then(Result::ok).map(|p| p.codes).unwrap_or_default();
        let mut grouped: Vec<(String, Vec<ResolutionChoice>)> = Vec::new();
        for code in codes {
            match grouped.iter_mut().find(|(general, _)| *general == code.general) {
                Some((_, list)) => list.push(code),
                None => grouped.push((code.general.clone(), vec![code])),
            }
        }
        grouped
    };
    view! {
        <div class="modal-backdrop" on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <form class="panel modal" role="dialog" aria-modal="true" aria-labelledby="resolution-title" data-testid="resolution-dialog" on:submit=confirm>
                <h2 id="resolution-title">"Resolve " {reference.clone()}</h2>
                <p class="muted">"How was this ticket resolved? The code and note stay on the ticket and its timeline."</p>
                {move || prompt.get().and_then(Result::err).map(|error| view! { <div class="alert error" role="alert">{error.to_string()}</div> })}
                <div class="field">
                    <label for="resolution-code">"Resolution code"</label>
                    <select id="resolution-code" name="resolution_code" required
                        on:change=move |ev| code_id.set(event_target_value(&ev).parse::<i64>().ok())>
                        <option value="" selected>"Choose a resolution…"</option>
                        {move || groups().into_iter().map(|(general, codes)| {
                            let options = codes.into_iter().map(|c| view! { <option value=c.id>{c.name}</option> }).collect_view();
                            let label = if general.is_empty() { "Other".to_string() } else { general };
                            view! { <optgroup label=label>{options}</optgroup> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="resolution-note">"Resolution note"</label>
                    <textarea id="resolution-note" name="resolution_note" rows="4" required maxlength="5000"
                        placeholder="What was done, or why the ticket is closed" bind:value=note></textarea>
                </div>
                {move || (open_children() > 0).then(|| view! {
                    <div class="alert info" data-testid="open-children-warning">
                        <strong>{open_children_warning(open_children())} "."</strong>
                        <label class="check">
                            <input type="checkbox" name="close_with_open_children" bind:checked=anyway/>
                            " Solve this parent ticket anyway"
                        </label>
                    </div>
                })}
                <div class="form-actions">
                    <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                    <button class="primary" type="submit" data-testid="resolve-confirm" disabled=move || !ready()>"Resolve ticket"</button>
                </div>
            </form>
        </div>
    }
}

/// The ticket page's stage picker: a move into a solved stage asks for the resolution first;
/// cancelling leaves the ticket (and the picker) where it was.
#[component]
pub fn StageSelect(detail: TicketDetail, on_done: Callback<Result<(), AppError>>) -> impl IntoView {
    let (reference, version, current) = (detail.reference.clone(), detail.version, detail.stage.clone());
    let stages = StoredValue::new(detail.stages.clone());
    let select = NodeRef::<leptos::html::Select>::new();
    let pending = RwSignal::new(None::<i64>);
    let send = {
        let reference = reference.clone();
        move |stage_id: i64, resolution: Option<ResolutionInput>| {
            let reference = reference.clone();
            spawn_local(async move { on_done.run(move_ticket(reference, version, stage_id, None, resolution).await.map(|_| ())) });
        }
    };
    let change = {
        let send = send.clone();
        move |ev: leptos::ev::Event| {
            let Ok(stage_id) = event_target_value(&ev).parse::<i64>() else { return };
            let target = stages.with_value(|all| all.iter().find(|s| s.id == stage_id).map(|s| s.category));
            match target {
                Some(to) if resolves(current.category, to) => pending.set(Some(stage_id)),
                _ => send(stage_id, None),
            }
        }
    };
    let cancel = Callback::new(move |_: ()| {
        pending.set(None);
        if let Some(select) = select.get_untracked() {
            select.set_value(&current.id.to_string());
        }
    });
    view! {
        <div class="field">
            <label for="stage">"Stage"</label>
            <select id="stage" node_ref=select on:change=change>
                {detail.stages.iter().map(|s| view! {
                    <option value=s.id selected={s.id == detail.stage.id}>{s.name.clone()}</option>
                }).collect_view()}
            </select>
        </div>
        {move || pending.get().map(|stage_id| {
            let send = send.clone();
            let confirm = Callback::new(move |resolution: ResolutionInput| {
                pending.set(None);
                send(stage_id, Some(resolution));
            });
            view! { <ResolutionDialog reference=reference.clone() on_confirm=confirm on_cancel=cancel/> }
        })}
    }
}

/// The ticket's resolution and service order, when it has either.
#[component]
pub fn ResolutionPanel(resolution: Option<TicketResolution>, service_order: String) -> impl IntoView {
    if resolution.is_none() && service_order.is_empty() {
        return None;
    }
    Some(view! {
        <section class="panel resolution-panel" aria-label="Resolution">
            {resolution.map(|r| view! {
                <div data-testid="ticket-resolution" data-current=r.current.to_string()>
                    <span class="badge">{if r.current { "Resolution" } else { "Last resolution (reopened)" }}</span>
                    " " <strong data-testid="resolution-code">{r.code}</strong>
                    <p class="resolution-note" data-testid="resolution-note">{r.note}</p>
                </div>
            })}
            {(!service_order.is_empty()).then(|| view! {
                <div class="muted" data-testid="service-order">"Service order: " <strong>{service_order}</strong></div>
            })}
        </section>
    })
}
