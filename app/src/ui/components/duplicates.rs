//! On the ticket page: where a merged ticket went, and the open tickets that look like this one.

use leptos::prelude::*;

use crate::api::merge::possible_duplicates;
use crate::domain::similarity;

/// "Merged into HD-…" on a ticket closed by a merge.
#[component]
pub fn MergedNotice(into: String) -> impl IntoView {
    view! {
        <div class="alert info" role="status" data-testid="merged-into">
            "Merged into " <a href=format!("/tickets/{into}")>{into.clone()}</a>
            ". Its conversation, followers and history continue there."
        </div>
    }
}

/// Up to five open look-alikes, best first, each with its score and a way to merge it.
#[component]
pub fn DuplicatesPanel(reference: String) -> impl IntoView {
    let this = reference.clone();
    let found = Resource::new(move || reference.clone(), possible_duplicates);
    view! {
        <Transition fallback=|| ()>
            {move || {
                let this = this.clone();
                Suspend::new(async move {
                    // A failed lookup is no reason to spoil the ticket page: the panel stays away.
                    let duplicates = found.await.unwrap_or_default();
                    (!duplicates.is_empty()).then(|| view! {
                        <section class="panel duplicates" aria-labelledby="duplicates-title">
                            <h2 id="duplicates-title">"Possible duplicates"</h2>
                            <ul class="duplicate-list">
                                {duplicates.into_iter().map(|d| view! {
                                    <li data-testid="possible-duplicate" data-ticket-ref=d.reference.clone()>
                                        <span class="badge" title="Similarity (title, description, customer)">{similarity::percent(d.score)}</span>
                                        <a class="card-ref" href=format!("/tickets/{}", d.reference)>{d.reference.clone()}</a>
                                        <span class="duplicate-title">{d.title.clone()}</span>
                                        <span class="muted">{d.customer.clone().unwrap_or_default()} " · " {d.stage.clone()}</span>
                                        <a class="button small" href=format!("/tickets/merge?refs={},{}", this, d.reference)>"Merge…"</a>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    })
                })
            }}
        </Transition>
    }
}
