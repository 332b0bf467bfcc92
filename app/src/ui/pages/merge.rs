//! Merging tickets: the tickets side by side with their similarity, the survivor chosen by a
//! radio, one confirm. Reached from the board's selection (`?refs=HD-1,HD-2`) or a ticket's
//! "Merge…" (one reference; more are added here).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::merge::{merge_candidates, MergeTickets};
use crate::domain::{age, similarity};
use crate::error::AppError;
use crate::model::{MergeCandidate, MergePreview};
use crate::ui::components::{status_class, use_toasts, ErrorAlert};

/// The merge page's address for these tickets.
pub fn merge_href(references: &[String]) -> String {
    format!("/tickets/merge?refs={}", references.join(","))
}

#[component]
pub fn MergePage() -> impl IntoView {
    let query = use_query_map();
    let references = Memo::new(move |_| {
        let text = query.with(|q| q.get("refs")).unwrap_or_default();
        let mut found: Vec<String> = Vec::new();
        for reference in text.split(',').map(|r| r.trim().to_uppercase()).filter(|r| !r.is_empty()) {
            if !found.contains(&reference) {
                found.push(reference);
            }
        }
        found
    });
    let preview = Resource::new(move || references.get(), |references| async move {
        if references.len() < 2 {
            return Ok(None);
        }
        merge_candidates(references).await.map(Some)
    });
    view! {
        <main>
            <div class="page-head">
                <div>
                    <h1>"Merge tickets"</h1>
                    <span class="muted">
                        "The survivor keeps its number. The others are closed as merged and point to it; their conversation, "
                        "attachments, followers, tags, time and timeline move to the survivor."
                    </span>
                </div>
            </div>
            <AddTicket references/>
            <Transition fallback=|| view! { <p class="muted">"Loading tickets…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(Some(preview)) => view! { <MergeForm preview/> }.into_any(),
                        Ok(None) => view! { <p class="muted">"Add at least one more ticket to merge."</p> }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// Adds a ticket by its reference (e.g. when starting from one ticket's "Merge…").
#[component]
fn AddTicket(references: Memo<Vec<String>>) -> impl IntoView {
    let navigate = use_navigate();
    let draft = RwSignal::new(String::new());
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let added = draft.get_untracked().trim().to_uppercase();
        if added.is_empty() {
            return;
        }
        let mut all = references.get_untracked();
        if !all.contains(&added) {
            all.push(added);
        }
        draft.set(String::new());
        navigate(&merge_href(&all), Default::default());
    };
    view! {
        <form class="panel inline-form merge-add" on:submit=add>
            <label for="merge-add">"Add a ticket"</label>
            <input id="merge-add" data-testid="merge-add" placeholder="HD-1042" bind:value=draft/>
            <button type="submit">"Add"</button>
        </form>
    }
}

#[component]
fn MergeForm(preview: MergePreview) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    // The oldest ticket survives unless chosen otherwise: it carries the longest history.
    let oldest = preview.tickets.iter().min_by_key(|t| t.created_at).map(|t| t.reference.clone()).unwrap_or_default();
    let survivor = RwSignal::new(oldest);
    let scores = StoredValue::new(preview.scores.clone());
    let score_to_survivor = move |reference: &str| {
        let chosen = survivor.get();
        scores.with_value(|scores| {
            scores
                .iter()
                .find(|s| (s.first == reference && s.second == chosen) || (s.second == reference && s.first == chosen))
                .map(|s| s.score)
        })
    };
    let tickets = StoredValue::new(preview.tickets.clone());
    let merge = ServerAction::<MergeTickets>::new();
    let confirm = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (references, versions) = tickets.with_value(|t| (t.iter().map(|c| c.reference.clone()).collect(), t.iter().map(|c| c.version).collect()));
        merge.dispatch(MergeTickets { survivor: survivor.get_untracked(), references, versions });
    };
    Effect::new(move |_| match merge.value().get() {
        Some(Ok(outcome)) => {
            toasts.info(format!("Merged {} into {}.", outcome.merged.join(", "), outcome.survivor));
            navigate(&format!("/tickets/{}", outcome.survivor), Default::default());
        }
        Some(Err(error)) => toasts.error(error.to_string()),
        None => {}
    });
    let error = move || match merge.value().get() {
        Some(Err(error @ AppError::Conflict(_))) => Some(format!("{error} Reload the page to merge the latest versions.")),
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    };
    view! {
        <form on:submit=confirm>
            {move || error().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <fieldset class="merge-grid">
                <legend class="muted">"Choose the ticket that survives"</legend>
                {preview.tickets.into_iter().map(|ticket| {
                    let reference = ticket.reference.clone();
                    let score = {
                        let reference = reference.clone();
                        move || score_to_survivor(&reference)
                    };
                    view! { <CandidatePanel ticket survivor score=Signal::derive(score)/> }
                }).collect_view()}
            </fieldset>
            <div class="form-actions">
                <a class="button" href=format!("/tickets/{}", survivor.get_untracked())>"Cancel"</a>
                <button class="primary" type="submit" data-testid="merge-confirm" disabled=move || merge.pending().get()>
                    {move || format!("Merge into {}", survivor.get())}
                </button>
            </div>
        </form>
    }
}

/// One ticket of the merge, its radio and its similarity to the chosen survivor.
#[component]
fn CandidatePanel(ticket: MergeCandidate, survivor: RwSignal<String>, score: Signal<Option<f64>>) -> impl IntoView {
    let reference = StoredValue::new(ticket.reference.clone());
    let chosen = move || reference.with_value(|r| survivor.get() == *r);
    let id = format!("survivor-{}", ticket.reference);
    let now = chrono::Utc::now();
    view! {
        <label class="panel merge-candidate" class:survivor=chosen data-testid="merge-candidate" data-ticket-ref=ticket.reference.clone()>
            <div class="merge-candidate-head">
                <input type="radio" name="survivor" id=id value=ticket.reference.clone() prop:checked=chosen
                    on:change=move |_| survivor.set(reference.get_value())/>
                <span class="card-ref">{ticket.reference.clone()}</span>
                <span class=status_class(ticket.status)>{ticket.status.label()}</span>
                {move || if chosen() {
                    view! { <span class="badge survivor-badge">"Survivor"</span> }.into_any()
                } else {
                    let shown = score.get().map(similarity::percent).unwrap_or_default();
                    view! { <span class="badge" data-testid="merge-score" title="Similarity to the survivor">{shown} " alike"</span> }.into_any()
                }}
            </div>
            <a class="merge-title" href=format!("/tickets/{}", ticket.reference)>{ticket.title.clone()}</a>
            <dl class="merge-facts">
                <dt>"Customer"</dt><dd>{ticket.customer.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Stage"</dt><dd>{ticket.team.clone()} " › " {ticket.stage.clone()}</dd>
                <dt>"Assignee"</dt><dd>{ticket.assignee.clone().unwrap_or_else(|| "Unassigned".into())}</dd>
                <dt>"Created"</dt><dd title=ticket.created_at.to_rfc3339()>{age::compact(ticket.created_at, now)} " ago"</dd>
            </dl>
            <p class="merge-excerpt muted">{if ticket.excerpt.is_empty() { "No description.".to_string() } else { ticket.excerpt.clone() }}</p>
        </label>
    }
}
