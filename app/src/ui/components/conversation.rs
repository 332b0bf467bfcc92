//! Talking to the customer on the ticket page: the composer (reply or internal note), messages
//! on the timeline with their edits, followers, and who else is on the ticket right now.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::conversation::{add_follower, delete_message, edit_message, load_followers, mute_ticket, post_message, remove_follower, typing};
use crate::api::customers::search_customers;
use crate::model::{Attachment, FollowerRef, MessageKind, MessageView, NewMessage, TicketLive, Viewer};
use crate::ui::components::{listen_data, use_toasts, ArticlePicker, AttachmentList, FileDrop};

/// What the composer holds; kept by the page so that a live reload of the ticket keeps the draft.
#[derive(Clone, Copy)]
pub struct ComposerState {
    pub mode: RwSignal<MessageKind>,
    pub text: RwSignal<String>,
    /// Files uploaded for this message, sent with it.
    pub files: RwSignal<Vec<Attachment>>,
    /// The textarea had the focus before the page was redrawn: give it back.
    focused: RwSignal<bool>,
}

impl ComposerState {
    pub fn new(mode: MessageKind) -> Self {
        ComposerState { mode: RwSignal::new(mode), text: RwSignal::new(String::new()), files: RwSignal::new(Vec::new()), focused: RwSignal::new(false) }
    }
}

/// The ticket whose messages the timeline may offer to edit, and how to show the result.
#[derive(Clone)]
pub struct ConversationContext {
    pub reference: String,
    pub reload: Callback<()>,
}

/// Calls `typing` at most every few seconds while the user types.
fn typing_reporter(reference: String) -> impl Fn() + Clone {
    let last = StoredValue::new(None::<f64>);
    move || {
        let now = js_sys::Date::now();
        if last.get_value().is_some_and(|at| now - at < 3_000.0) {
            return;
        }
        last.set_value(Some(now));
        let reference = reference.clone();
        spawn_local(async move {
            let _ = typing(reference).await;
        });
    }
}

/// Reply to the customer or write an internal note. `staff`: both modes; otherwise replies only.
#[component]
pub fn Composer(reference: String, state: ComposerState, staff: bool, on_sent: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let area = NodeRef::<leptos::html::Textarea>::new();
    // Give the focus back after a redraw (another agent's reply reloads the ticket).
    Effect::new(move |_| {
        if let Some(area) = area.get() {
            if state.focused.get_untracked() {
                let _ = area.focus();
            }
        }
    });
    let report_typing = typing_reporter(reference.clone());
    let send = {
        let reference = reference.clone();
        move || {
            if busy.get_untracked() {
                return;
            }
            let message = NewMessage { kind: state.mode.get_untracked(), body: state.text.get_untracked(), attachment_ids: state.files.get_untracked().iter().map(|f| f.id).collect() };
            busy.set(true);
            error.set(None);
            let reference = reference.clone();
            spawn_local(async move {
                match post_message(reference, message.clone()).await {
                    Ok(()) => {
                        state.text.set(String::new());
                        state.files.set(Vec::new());
                        toasts.info(if message.kind == MessageKind::Note { "Internal note added." } else { "Reply sent." });
                        on_sent.run(());
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
                busy.set(false);
            });
        }
    };
    let on_submit = {
        let send = send.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            send();
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            send();
        }
    };
    let is_note = move || state.mode.get() == MessageKind::Note;
    let mode_button = move |kind: MessageKind, testid: &'static str, label: &'static str| {
        view! {
            <button type="button" class="mode" data-testid=testid aria-pressed=move || (state.mode.get() == kind).to_string()
                on:click=move |_| state.mode.set(kind)>
                {label}
            </button>
        }
    };
    view! {
        <form class="panel composer" class:note=is_note data-testid="composer" on:submit=on_submit>
            {staff.then(|| view! {
                <div class="composer-modes" role="group" aria-label="Message type">
                    {mode_button(MessageKind::Reply, "mode-reply", "Reply to customer")}
                    {mode_button(MessageKind::Note, "mode-note", "Internal note")}
                </div>
            })}
            {move || is_note().then(|| view! { <p class="note-hint">"🔒 Only staff see internal notes. The customer is never sent this."</p> })}
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <label class="sr-only" for="composer-text">{move || if is_note() { "Internal note" } else { "Reply to the customer" }}</label>
            <textarea id="composer-text" name="message" rows="5" node_ref=area maxlength="20000"
                placeholder=move || if is_note() { "Write an internal note (Markdown)…" } else { "Write your reply (Markdown)…" }
                prop:value=move || state.text.get()
                on:input=move |ev| {
                    state.text.set(event_target_value(&ev));
                    report_typing();
                }
                on:focus=move |_| state.focused.set(true)
                on:blur=move |_| state.focused.set(false)
                on:keydown=on_key></textarea>
            {move || {
                let files = state.files.get();
                (!files.is_empty()).then(|| view! {
                    <AttachmentList items=files on_removed=Callback::new(move |id: i64| state.files.update(|f| f.retain(|a| a.id != id)))/>
                })
            }}
            <div class="composer-actions">
                <FileDrop reference=reference.clone() id_prefix="composer-file"
                    on_uploaded=Callback::new(move |added: Vec<Attachment>| state.files.update(|f| f.extend(added)))/>
                {staff.then(|| view! {
                    <ArticlePicker on_insert=Callback::new(move |text: String| state.text.update(|t| {
                        if !t.is_empty() && !t.ends_with('\n') {
                            t.push('\n');
                        }
                        t.push_str(&text);
                    }))/>
                })}
                <span class="muted small">"Markdown · Ctrl+Enter sends"</span>
                <button class="primary" type="submit" data-testid="send-message" disabled=move || busy.get()>
                    {move || if is_note() { "Add note" } else { "Send reply" }}
                </button>
            </div>
        </form>
    }
}

/// A message on the timeline: its text, and for its author the means to edit or delete it.
#[component]
pub fn MessageBody(message: MessageView, note: bool) -> impl IntoView {
    let context = use_context::<ConversationContext>();
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(message.source.clone().unwrap_or_default());
    let toasts = use_toasts();
    let (id, version) = (message.id, message.version);
    let actions = context.filter(|_| message.source.is_some()).map(|context| {
        let save = {
            let context = context.clone();
            move |_| {
                let (reference, reload) = (context.reference.clone(), context.reload);
                spawn_local(async move {
                    match edit_message(reference, id, version, draft.get_untracked()).await {
                        Ok(()) => reload.run(()),
                        Err(e) => toasts.error(e.to_string()),
                    }
                });
            }
        };
        let remove = move |_| {
            let (reference, reload) = (context.reference.clone(), context.reload);
            spawn_local(async move {
                match delete_message(reference, id, version).await {
                    Ok(()) => reload.run(()),
                    Err(e) => toasts.error(e.to_string()),
                }
            });
        };
        view! {
            <div class="message-actions">
                <button type="button" class="link" on:click=move |_| editing.set(true) data-testid="edit-message">"Edit"</button>
                <button type="button" class="link danger" on:click=remove data-testid="delete-message">"Delete"</button>
            </div>
            <Show when=move || editing.get()>
                <div class="message-edit">
                    <label class="sr-only" for=format!("edit-{id}")>"Message"</label>
                    <textarea id=format!("edit-{id}") rows="4" bind:value=draft></textarea>
                    <div class="form-actions">
                        <button type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                        <button type="button" class="primary" on:click=save.clone()>"Save message"</button>
                    </div>
                </div>
            </Show>
        }
    });
    let revisions = message.revisions.clone();
    view! {
        <div class="message" class:note=note class:customer=message.from_customer>
            {note.then(|| view! { <span class="note-tag">"🔒 Internal note"</span> })}
            {if message.deleted {
                view! { <p class="muted"><em>"This message was deleted."</em></p> }.into_any()
            } else {
                view! { <div class="message-text" inner_html=message.html.clone()></div> }.into_any()
            }}
            {(!message.attachments.is_empty()).then(|| view! {
                <div class="message-files" data-testid="message-files"><AttachmentList items=message.attachments.clone()/></div>
            })}
            {message.edited_at.map(|at| view! { <span class="muted small" title=at.to_rfc3339()>"(edited)"</span> })}
            {(!revisions.is_empty()).then(|| view! {
                <details class="revisions">
                    <summary>{format!("Earlier versions ({})", revisions.len())}</summary>
                    <ol>
                        {revisions.into_iter().map(|r| view! {
                            <li>
                                <div class="muted small">{r.replaced_by.unwrap_or_default()} " · " {r.replaced_at.format("%d %b %Y %H:%M").to_string()}</div>
                                <pre>{r.body}</pre>
                            </li>
                        }).collect_view()}
                    </ol>
                </details>
            })}
            {actions}
        </div>
    }
}

/// Who else has the ticket open, and who is typing: so that two agents do not answer at once.
#[component]
pub fn PresenceHint(viewers: RwSignal<Vec<Viewer>>) -> impl IntoView {
    view! {
        <div class="presence" data-testid="presence" aria-live="polite">
            {move || {
                let viewers = viewers.get();
                let typing: Vec<String> = viewers.iter().filter(|v| v.typing).map(|v| v.name.clone()).collect();
                let viewing: Vec<String> = viewers.iter().filter(|v| !v.typing).map(|v| v.name.clone()).collect();
                view! {
                    {(!typing.is_empty()).then(|| view! {
                        <span class="badge warning" data-testid="typing-hint">{format!("✍ {} {} typing a reply…", typing.join(", "), if typing.len() == 1 { "is" } else { "are" })}</span>
                    })}
                    {(!viewing.is_empty()).then(|| view! {
                        <span class="badge" data-testid="viewing-hint">{format!("👁 {} also {} this ticket open", viewing.join(", "), if viewing.len() == 1 { "has" } else { "have" })}</span>
                    })}
                }
            }}
        </div>
    }
}

/// Listens to the ticket's live stream: reloads on changes, keeps `viewers` current.
pub fn listen_to_ticket(reference: String, reload: Callback<()>, viewers: Option<RwSignal<Vec<Viewer>>>) {
    let url = format!("/api/ticket_events?ticket={reference}");
    listen_data(
        url,
        Callback::new(move |data: Option<String>| match data.as_deref().and_then(|d| serde_json::from_str::<TicketLive>(d).ok()) {
            Some(TicketLive::Presence { viewers: now }) => {
                if let Some(viewers) = viewers {
                    viewers.set(now);
                }
            }
            Some(TicketLive::Changed) | None => reload.run(()),
        }),
    );
}

/// The ticket's followers: the requester, staff and customer contacts; add, remove, mute.
#[component]
pub fn FollowersPanel(reference: String) -> impl IntoView {
    let toasts = use_toasts();
    let followers = Resource::new({
        let reference = reference.clone();
        move || reference.clone()
    }, load_followers);
    let chosen_user = RwSignal::new(String::new());
    let contact_query = RwSignal::new(String::new());
    let contact_hits = Resource::new(move || contact_query.get(), |query| async move {
        if query.trim().len() < 2 {
            return Ok(Vec::new());
        }
        search_customers(query).await
    });
    let run = {
        let reference = reference.clone();
        move |change: FollowerChange| {
            let reference = reference.clone();
            spawn_local(async move {
                let result = match change {
                    FollowerChange::Add(follower) => add_follower(reference, follower).await,
                    FollowerChange::Remove(follower) => remove_follower(reference, follower).await,
                    FollowerChange::Mute(muted) => mute_ticket(reference, muted).await,
                };
                match result {
                    Ok(()) => followers.refetch(),
                    Err(e) => toasts.error(e.to_string()),
                }
            });
        }
    };
    view! {
        <section class="panel followers" aria-labelledby="followers-title" data-testid="followers">
            <h2 id="followers-title">"Followers"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let run = run.clone();
                    Suspend::new(async move {
                        let list = match followers.await {
                            Ok(list) => list,
                            Err(e) => return view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                        };
                        let muted = list.muted;
                        let candidates = list.candidates.clone();
                        let add_user = {
                            let run = run.clone();
                            move |_| {
                                if let Ok(id) = chosen_user.get_untracked().parse::<i64>() {
                                    run(FollowerChange::Add(FollowerRef::User(id)));
                                    chosen_user.set(String::new());
                                }
                            }
                        };
                        let run_hits = run.clone();
                        view! {
                            <ul class="follower-list">
                                {list.followers.into_iter().map(|f| {
                                    let run = run.clone();
                                    let follower = f.follower;
                                    view! {
                                        <li data-testid="follower">
                                            <span>{f.name.clone()}</span>
                                            <span class="muted small">{f.detail.clone()}</span>
                                            {f.requester.then(|| view! { <span class="badge">"Requester"</span> })}
                                            {(!f.internal && !f.requester).then(|| view! { <span class="badge">"Customer"</span> })}
                                            {(!f.requester).then(|| view! {
                                                <button type="button" class="link" aria-label=format!("Remove {} from the followers", f.name)
                                                    on:click=move |_| run(FollowerChange::Remove(follower))>"Remove"</button>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <div class="inline-form">
                                <label class="sr-only" for="add-follower-user">"Add a colleague"</label>
                                <select id="add-follower-user" bind:value=chosen_user>
                                    <option value="">"Add a colleague…"</option>
                                    {candidates.into_iter().map(|u| view! { <option value=u.id>{u.name}</option> }).collect_view()}
                                </select>
                                <button type="button" on:click=add_user>"Add"</button>
                            </div>
                            <div class="inline-form">
                                <label class="sr-only" for="add-follower-contact">"Add a customer contact"</label>
                                <input id="add-follower-contact" type="search" placeholder="Add a customer contact…" maxlength="200" bind:value=contact_query/>
                            </div>
                            <Transition fallback=|| ()>
                                {move || {
                                    let run = run_hits.clone();
                                    Suspend::new(async move {
                                        let hits = contact_hits.await.unwrap_or_default();
                                        view! {
                                            <ul class="hits">
                                                {hits.into_iter().filter_map(|hit| hit.contact_id.map(|id| (id, hit.label))).map(|(id, label)| {
                                                    let run = run.clone();
                                                    view! {
                                                        <li><button type="button" class="link" on:click=move |_| {
                                                            run(FollowerChange::Add(FollowerRef::Contact(id)));
                                                            contact_query.set(String::new());
                                                        }>{label}</button></li>
                                                    }
                                                }).collect_view()}
                                            </ul>
                                        }
                                    })
                                }}
                            </Transition>
                            <button type="button" class="mute" data-testid="mute-ticket" aria-pressed=muted.to_string()
                                on:click=move |_| run(FollowerChange::Mute(!muted))>
                                {if muted { "🔕 Muted: unmute" } else { "🔔 Mute this ticket" }}
                            </button>
                        }
                        .into_any()
                    })
                }}
            </Transition>
        </section>
    }
}

#[derive(Clone, Copy)]
enum FollowerChange {
    Add(FollowerRef),
    Remove(FollowerRef),
    Mute(bool),
}
