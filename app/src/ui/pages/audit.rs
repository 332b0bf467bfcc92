//! The audit log: who changed the setup (users, teams, customers, catalogs), newest first.

use leptos::prelude::*;

use crate::api::organisation::audit_log;
use crate::ui::components::ErrorAlert;

/// The areas the log can be narrowed to, with their labels.
const AREAS: &[(&str, &str)] = &[("", "Everything"), ("organisation", "Organisation"), ("team", "Teams"), ("user", "Users"), ("account", "Accounts"), ("contact", "Contacts")];

#[component]
pub fn AuditPage() -> impl IntoView {
    let area = RwSignal::new(String::new());
    let entries = Resource::new(move || area.get(), audit_log);
    view! {
        <main>
            <div class="page-head">
                <h1>"Audit log"</h1>
                <select aria-label="Show changes to" on:change=move |ev| area.set(event_target_value(&ev))>
                    {AREAS.iter().map(|(code, label)| view! { <option value=*code>{*label}</option> }).collect_view()}
                </select>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(entries) if entries.is_empty() => view! { <p class="muted">"No changes recorded yet."</p> }.into_any(),
                        Ok(entries) => view! {
                            <div class="panel table-scroll">
                                <table class="grid">
                                    <thead><tr><th>"When (UTC)"</th><th>"Who"</th><th>"What"</th><th>"Change"</th></tr></thead>
                                    <tbody>
                                        {entries.into_iter().map(|entry| view! {
                                            <tr data-testid="audit-entry">
                                                <td>{entry.at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                                <td>{entry.actor.unwrap_or_else(|| "—".into())}</td>
                                                <td>{entry.area}</td>
                                                <td style="white-space:normal">{entry.summary}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}
