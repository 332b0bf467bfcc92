//! The signed-in user's notifications, newest first.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::notifications::mark_notifications_read;
use crate::domain::age;
use crate::ui::components::{use_bell, use_toasts, ErrorAlert};

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let toasts = use_toasts();
    let Some(bell) = use_bell() else { return view! { <main/> }.into_any() };
    let mark_read = move |_| {
        spawn_local(async move {
            match mark_notifications_read().await {
                Ok(()) => bell.0.refetch(),
                Err(e) => toasts.error(e.to_string()),
            }
        })
    };
    view! {
        <main>
            <div class="page-head">
                <h1>"Notifications"</h1>
                <button on:click=mark_read>"Mark all as read"</button>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match bell.0.await {
                        Ok((list, _)) if list.is_empty() => view! { <p class="muted">"Nothing yet."</p> }.into_any(),
                        Ok((list, _)) => {
                            let now = chrono::Utc::now();
                            view! {
                                <ul class="panel notifications" data-testid="notifications">
                                    {list.into_iter().map(|n| view! {
                                        <li class:unread=!n.read>
                                            <div>{n.message.clone()}</div>
                                            <div class="muted">
                                                {n.reference.clone().map(|r| view! { <a href=format!("/tickets/{r}")>{r.clone()}</a> " · " })}
                                                {age::compact(n.at, now)} " ago"
                                            </div>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
    .into_any()
}
