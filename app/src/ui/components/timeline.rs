//! A ticket's history, newest first: the staff timeline and the customer's portal history.

use leptos::prelude::*;

use crate::domain::age;
use crate::model::{TimelineEntry, TimelineKind};
use crate::ui::components::MessageBody;

/// `unnamed` stands for entries without a named actor (the system, or staff the customer does
/// not see); `kinds` shows what kind of change each entry is.
#[component]
pub fn Timeline(entries: Vec<TimelineEntry>, title: &'static str, unnamed: &'static str, kinds: bool) -> impl IntoView {
    let now = chrono::Utc::now();
    view! {
        <section class="panel" aria-labelledby="timeline-title">
            <h2 id="timeline-title">{title}</h2>
            <ol class="timeline" data-testid="timeline">
                {entries.into_iter().map(|entry| view! {
                    <li data-testid="timeline-entry" data-kind=entry.kind.as_str()>
                        <div class="when" title=entry.at.to_rfc3339()>
                            <strong>{entry.actor.unwrap_or_else(|| unnamed.into())}</strong>
                            {kinds.then(|| view! { " · " {entry.kind.label()} })}
                            " · " {age::compact(entry.at, now)} " ago"
                        </div>
                        {match entry.message {
                            Some(message) => view! { <MessageBody message note={entry.kind == TimelineKind::Note}/> }.into_any(),
                            None => view! { <div class="what">{entry.summary}</div> }.into_any(),
                        }}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
