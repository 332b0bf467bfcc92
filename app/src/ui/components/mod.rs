//! Building blocks shared by the pages.

mod conversation;
mod child_tickets;
mod convert_lead;
mod attachments;
mod kb_links;
mod customer_card;
mod resolution;
mod duplicates;
mod rules;
mod sla;
mod ticket_events;
mod ticket_form;
mod timeline;
mod work_log;

pub use conversation::{listen_to_ticket, Composer, ComposerState, ConversationContext, FollowersPanel, MessageBody, PresenceHint};
pub use child_tickets::ChildTickets;
pub use convert_lead::{ConvertToLead, LeadBanner};
pub use attachments::{AttachmentList, AttachmentsPanel, FileDrop};
pub use kb_links::{ArticlePicker, KbLinksPanel};
pub use customer_card::{CustomerCardPanel, EntitlementList, UnitList};
pub use resolution::{ResolutionDialog, ResolutionPanel, StageSelect};
pub use duplicates::{DuplicatesPanel, MergedNotice};
pub use sla::{provide_clock, SlaTimer};
pub use rules::{describe_ticket_conditions, names, with_codes, with_ids, ConditionState, TicketConditionFields};
pub use ticket_form::{IdSelect, TicketFields, TicketFormState};
pub use ticket_events::{AddAsEventOffer, TicketEventsPanel};
pub use timeline::Timeline;
pub use work_log::WorkLogPanel;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::use_navigate;

use crate::api::tickets::pull_next;
use crate::api::work_log::get_running_timer;
use crate::api::notifications::load_notifications;
use crate::api::auth::{logout, logout_everywhere, signed_in_user};
use crate::error::AppError;
use crate::model::{Notification, Priority, PullSource, Role, RunningTimer, TicketStatus, UserRef};

/// The admins' screens, folded into one menu so that the top bar stays one line.
#[component]
fn AdminMenu() -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <details class="nav-menu" prop:open=move || open.get()>
            <summary on:click=move |ev| {
                ev.prevent_default();
                open.update(|o| *o = !*o);
            }>"Admin"</summary>
            <div class="menu" on:click=move |_| open.set(false)>
                <A href="/admin/users">"Users"</A>
                <A href="/admin/teams">"Teams"</A>
                <A href="/admin/catalogs">"Catalogs"</A>
                <A href="/setup">"Organisation"</A>
                <A href="/admin/audit">"Audit log"</A>
            </div>
        </details>
    }
}

/// The frame of every signed-in page: top bar with navigation and the user.
#[component]
pub fn Layout() -> impl IntoView {
    let me = Resource::new(|| (), |_| signed_in_user());
    let bell = Bell(Resource::new(|| (), |_| load_notifications()));
    provide_context(bell);
    provide_clock();
    work_log::provide_timer_changes();
    // Loaded with the user and the bell, in the bar's one suspense: a resource made inside it
    // would hydrate out of step with the server's render.
    let timer_changes = work_log::use_timer_changes();
    let running = Resource::new(move || timer_changes.track(), |_| get_running_timer());
    // Notifications raised elsewhere (SLA escalations) light up the bell without a reload.
    listen("/api/notices".into(), Callback::new(move |_| bell.0.refetch()));
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = logout().await;
            let _ = window().location().set_href("/login");
        })
    };
    // Ends the sessions on every device too; stays on the page if that failed, so that nobody
    // believes a lost or shared device is signed out when it is not.
    let toasts = use_toasts();
    let sign_out_everywhere = move |_| {
        spawn_local(async move {
            match logout_everywhere().await {
                Ok(()) => {
                    let _ = window().location().set_href("/login");
                }
                Err(error) => toasts.error(error.to_string()),
            }
        })
    };
    let staff_links = || {
        view! {
            <A href="/" exact=true>"Teams"</A>
            <A href="/tickets/new">"New ticket"</A>
            <A href="/time-off">"Time off"</A>
            <A href="/leads">"Leads"</A>
            <A href="/kb">"Knowledge base"</A>
        }
    };
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Help"<span>"desk"</span></a>
            // One suspense for the whole bar: the signed-in user decides the links and the bell.
            <Suspense fallback=move || view! { <nav aria-label="Main">{staff_links()}</nav> }>
                {move || Suspend::new(async move {
                    let user = me.await.ok().flatten();
                    let unread = bell.0.await.map(|(_, unread)| unread).unwrap_or(0);
                    let staff = user.as_ref().is_some_and(|u| u.role.is_internal());
                    let timer = if staff { running.await.ok().flatten() } else { None };
                    let admin = user.as_ref().is_some_and(|u| u.role == Role::Admin);
                    view! {
                        <nav aria-label="Main">
                            {if staff { staff_links().into_any() } else { view! { <A href="/my/tickets">"My tickets"</A> <A href="/kb">"Help articles"</A> }.into_any() }}
                            {staff.then(|| view! {
                                <A href="/queues">"Queues"</A>
                                <A href="/customers">"Customers"</A>
                                <A href="/timesheets">"Timesheets"</A>
                                <A href="/admin/qualifications">"Qualifications"</A>
                                <A href="/admin/routing">"Routing"</A>
                                <A href="/admin/automation">"Automation"</A>
                                <A href="/admin/sla">"SLA"</A>
                                <A href="/admin/entitlements">"Entitlements"</A>
                            })}
                            {admin.then(|| view! { <AdminMenu/> })}
                        </nav>
                        {user.map(|user| view! {
                            <div class="who">
                                {timer.map(|timer| view! { <RunningTimerBadge timer/> })}
                                <a class="bell" href="/notifications" aria-label=format!("Notifications, {unread} unread") data-testid="bell">
                                    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                                        <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9"/>
                                        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0"/>
                                    </svg>
                                    {(unread > 0).then(|| view! { <span class="count" data-testid="unread-count">{unread}</span> })}
                                </a>
                                <span class="avatar">{UserRef { id: user.id, name: user.name.clone() }.initials()}</span>
                                <a class="profile-link" href="/profile" title="Your profile" data-testid="profile-link">{user.name.clone()} " " <span class="role">"(" {user.role.label()} ")"</span></a>
                                <button class="ghost" on:click=sign_out>"Log out"</button>
                                <button class="ghost" on:click=sign_out_everywhere title="End your sessions on all devices" data-testid="logout-everywhere">"Sign out everywhere"</button>
                            </div>
                        })}
                    }
                })}
            </Suspense>
        </header>
        <Outlet/>
    }
}

/// The caller's running timer on every page: the ticket it runs on, the time ticking, and Stop.
#[component]
fn RunningTimerBadge(timer: RunningTimer) -> impl IntoView {
    let toasts = use_toasts();
    let changes = work_log::use_timer_changes();
    let stop = move |_| {
        spawn_local(async move {
            work_log::stop_and_tell(toasts).await;
            changes.changed();
        })
    };
    let elapsed = work_log::elapsed_since(timer.started_at);
    view! {
        <span class="running-timer" data-testid="running-timer" data-ticket-ref=timer.reference.clone()>
            <a href=format!("/tickets/{}", timer.reference) title=format!("Timer running on {}: {}", timer.reference, timer.title)>
                <span class="pulse" aria-hidden="true"></span>
                {timer.reference.clone()} " "
                <span class="elapsed" role="timer" data-testid="running-timer-elapsed">{elapsed}</span>
            </a>
            <button class="small" on:click=stop data-testid="running-timer-stop">"Stop"</button>
        </span>
    }
}

/// The badge class of a ticket status: closed ones read differently at a glance.
pub fn status_class(status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::Resolved => "status resolved",
        TicketStatus::Cancelled => "status cancelled",
        TicketStatus::ActiveNew | TicketStatus::ActiveAssigned => "status",
    }
}

/// The signed-in user's notifications, shared by the top bar's bell and the notifications page.
#[derive(Clone, Copy)]
pub struct Bell(pub Resource<Result<(Vec<Notification>, i64), AppError>>);

pub fn use_bell() -> Option<Bell> {
    use_context::<Bell>()
}

/// Short-lived messages in the corner; errors are announced to screen readers.
#[derive(Clone, Copy)]
pub struct Toasts(RwSignal<Vec<Toast>>);

#[derive(Clone, PartialEq)]
pub struct Toast {
    id: u64,
    message: String,
    error: bool,
}

const TOAST_SECONDS: u64 = 6;

impl Toasts {
    pub fn new() -> Self {
        Toasts(RwSignal::new(Vec::new()))
    }

    pub fn error(&self, message: impl Into<String>) {
        self.push(message.into(), true);
    }

    pub fn info(&self, message: impl Into<String>) {
        self.push(message.into(), false);
    }

    fn push(&self, message: String, error: bool) {
        let list = self.0;
        let id = list.with_untracked(|toasts| toasts.iter().map(|t| t.id).max().unwrap_or(0) + 1);
        list.update(|toasts| toasts.push(Toast { id, message, error }));
        set_timeout(
            move || {
                list.try_update(|toasts| toasts.retain(|t| t.id != id));
            },
            std::time::Duration::from_secs(TOAST_SECONDS),
        );
    }
}

pub fn use_toasts() -> Toasts {
    use_context::<Toasts>().unwrap_or_else(Toasts::new)
}

#[component]
pub fn ToastList() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts">
            <For each=move || toasts.0.get() key=|toast| toast.id let(toast)>
                <div class="toast" class:error=toast.error role={if toast.error { "alert" } else { "status" }}>
                    {toast.message}
                </div>
            </For>
        </div>
    }
}

/// A titled page whose content is loaded from the server (again after `reload`), with a loading
/// message and a clear error.
#[component]
pub fn LoadedPage<T, Fut, V>(title: &'static str, load: fn() -> Fut, render: fn(T, Callback<()>) -> V) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let data = Resource::new(|| (), move |_| load());
    let reload = Callback::new(move |_: ()| data.refetch());
    view! {
        <main>
            <div class="page-head"><h1>{title}</h1></div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(value) => render(value, reload).into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
pub fn ErrorAlert(error: AppError) -> impl IntoView {
    let sign_in = matches!(error, AppError::Unauthorized).then(|| view! { " " <a href="/login">"Sign in"</a> });
    view! { <div class="alert error" role="alert">{error.to_string()} {sign_in}</div> }
}

#[component]
pub fn Avatar(user: Option<UserRef>) -> impl IntoView {
    match user {
        Some(user) => view! { <span class="avatar" title=user.name.clone()>{user.initials()}</span> }.into_any(),
        None => view! { <span class="avatar none" title="Unassigned">"?"</span> }.into_any(),
    }
}

#[component]
pub fn PriorityPill(priority: Priority) -> impl IntoView {
    view! { <span class=format!("priority {}", priority.as_str())>{priority.label()}</span> }
}

/// "Pick up next ticket": claims the best waiting ticket for this agent from `source` and opens it.
#[component]
pub fn PullNextButton(source: PullSource, #[prop(optional)] label: Option<&'static str>) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let pull = move |_| {
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match pull_next(Some(source)).await {
                Ok(Some(card)) => navigate(&format!("/tickets/{}", card.reference), Default::default()),
                Ok(None) => toasts.info(match source {
                    PullSource::MyTeams => "No waiting ticket in your teams matches your qualifications.",
                    PullSource::Team(_) => "No waiting ticket in this team matches your qualifications.",
                    PullSource::Queue(_) => "No waiting ticket in this queue matches your qualifications.",
                }),
                Err(error) => toasts.error(error.to_string()),
            }
            busy.try_set(false);
        });
    };
    view! {
        <button class="primary" data-testid="pull-next" on:click=pull disabled=move || busy.get()>{label.unwrap_or("Pick up next ticket")}</button>
    }
}

/// A group of checkboxes choosing any number of `options`.
#[component]
pub fn CheckList<T>(legend: &'static str, #[prop(into)] prefix: String, options: Vec<(T, String)>, chosen: RwSignal<Vec<T>>) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    view! {
        <fieldset class="checklist">
            <legend>{legend}</legend>
            <div class="member-grid">
                {options.into_iter().enumerate().map(|(index, (value, label))| {
                    let id = format!("{prefix}-{index}");
                    let checked = chosen.with_untracked(|c| c.contains(&value));
                    view! {
                        <label class="check" for=id>
                            <input type="checkbox" id=id.clone() checked=checked on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                let value = value.clone();
                                chosen.update(|c| {
                                    c.retain(|v| *v != value);
                                    if on {
                                        c.push(value);
                                    }
                                });
                            }/>
                            {label}
                        </label>
                    }
                }).collect_view()}
            </div>
        </fieldset>
    }
}

/// Calls `on_message` for every server-sent event from `url`, and once more after a dropped
/// connection comes back, to catch up on what was missed (browser only).
pub fn listen(url: String, on_message: Callback<()>) {
    listen_data(url, Callback::new(move |_| on_message.run(())));
}

/// Like `listen`, with each event's data (`None` after a reconnection).
pub fn listen_data(url: String, on_message: Callback<Option<String>>) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;

        let Ok(source) = web_sys::EventSource::new(&url) else { return };
        let on_event = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| on_message.run(event.data().as_string()));
        source.set_onmessage(Some(on_event.as_ref().unchecked_ref()));
        let mut opened_before = false;
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if opened_before {
                on_message.run(None);
            }
            opened_before = true;
        });
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        let source = send_wrapper::SendWrapper::new((source, on_event, on_open));
        on_cleanup(move || source.0.close());
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, on_message);
}
