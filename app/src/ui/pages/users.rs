//! Users (admins): the list with search and role filter, invitations, and one form per user with
//! role, teams, qualification ratings, time off, and deactivation.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use super::qualifications::RatingsTable;
use super::time_off::TimeOffPanels;
use crate::api::qualifications::load_qualifications;
use crate::api::users::{deactivate_user, invite_user, list_users, load_user, reactivate_user, renew_invitation, save_user};
use crate::error::AppError;
use crate::model::{Role, UserDetail, UserInput, UserState};
use crate::ui::components::{use_toasts, CheckList, ErrorAlert};

/// The roles staff can have; customers get portal access on their contact instead.
const STAFF_ROLES: [Role; 3] = [Role::Agent, Role::Lead, Role::Admin];

/// The address of an invitation's one-time link, as the invited person opens it.
fn invitation_link(token: &str) -> String {
    let origin = window().location().origin().unwrap_or_default();
    format!("{origin}/invite/{token}")
}

fn state_badge(state: UserState) -> impl IntoView {
    view! { <span class="badge" class:danger=state == UserState::Deactivated>{state.label()}</span> }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let role = RwSignal::new(None::<Role>);
    let users = Resource::new(move || (search.get(), role.get()), |(search, role)| list_users(search, role));
    view! {
        <main>
            <div class="page-head"><h1>"Users"</h1></div>
            <div class="ticket-layout">
                <section class="panel">
                    <div class="field-row">
                        <div class="field">
                            <label for="user-search">"Search"</label>
                            <input id="user-search" name="search" type="search" placeholder="Name or email" maxlength="200"
                                on:input=move |ev| search.set(event_target_value(&ev))/>
                        </div>
                        <div class="field">
                            <label for="role-filter">"Role"</label>
                            <select id="role-filter" name="role-filter" on:change=move |ev| role.set(Role::parse(&event_target_value(&ev)))>
                                <option value="">"All roles"</option>
                                {Role::ALL.iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                            </select>
                        </div>
                    </div>
                    <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match users.await {
                                Ok(list) if list.is_empty() => view! { <p class="muted">"Nobody matches."</p> }.into_any(),
                                Ok(list) => view! {
                                    <div class="table-scroll">
                                        <table class="grid" data-testid="user-list">
                                            <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Teams"</th><th scope="col">"State"</th></tr></thead>
                                            <tbody>
                                                {list.into_iter().map(|user| view! {
                                                    <tr data-testid="user-row" data-email=user.email.clone() data-user-id=user.id data-state=format!("{:?}", user.state).to_lowercase()>
                                                        <th scope="row"><a href=format!("/admin/users/{}", user.id)>{user.name.clone()}</a></th>
                                                        <td>{user.email.clone()}</td>
                                                        <td>{user.role.label()}</td>
                                                        <td>{user.teams.iter().map(|t| t.name.clone()).collect::<Vec<_>>().join(", ")}</td>
                                                        <td>{state_badge(user.state)}</td>
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
                </section>
                <InviteForm on_invited=Callback::new(move |_| users.refetch())/>
            </div>
        </main>
    }
}

/// Invites someone by email and shows the one-time link to pass on (until email sending exists).
#[component]
fn InviteForm(on_invited: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Agent);
    let error = RwSignal::new(None::<String>);
    let link = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let invite = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            match invite_user(name.get_untracked(), email.get_untracked(), role.get_untracked()).await {
                Ok(invitation) => {
                    error.set(None);
                    link.set(Some(invitation_link(&invitation.token)));
                    name.set(String::new());
                    email.set(String::new());
                    on_invited.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="panel" on:submit=invite data-testid="invite-form">
            <h2>"Invite someone"</h2>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field">
                <label for="invite-name">"Name"</label>
                <input id="invite-name" name="name" required maxlength="120" autocomplete="off" bind:value=name/>
            </div>
            <div class="field">
                <label for="invite-email">"Email"</label>
                <input id="invite-email" name="email" type="email" required autocomplete="off" bind:value=email/>
            </div>
            <div class="field">
                <label for="invite-role">"Role"</label>
                <select id="invite-role" name="role" on:change=move |ev| {
                    if let Some(chosen) = Role::parse(&event_target_value(&ev)) {
                        role.set(chosen);
                    }
                }>
                    {STAFF_ROLES.iter().map(|r| view! { <option value=r.as_str() selected=*r == Role::Agent>{r.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="form-actions"><button class="primary" type="submit" disabled=move || busy.get()>"Invite"</button></div>
            {move || link.get().map(|link| view! { <InvitationLink link/> })}
        </form>
    }
}

/// A one-time link to pass on, with a button that copies it.
#[component]
fn InvitationLink(link: String) -> impl IntoView {
    let toasts = use_toasts();
    let copied = link.clone();
    let copy = move |_| {
        // Browsers refuse the clipboard outside HTTPS and localhost; the link stays shown to copy by hand.
        let _ = window().navigator().clipboard().write_text(&copied);
        toasts.info("Link copied.");
    };
    view! {
        <div class="invite-link" role="status">
            <p>"Send this link to the person you invited. It works once, for 7 days:"</p>
            <code data-testid="invite-link">{link}</code>
            <button type="button" class="small" on:click=copy data-testid="copy-invite-link">"Copy"</button>
        </div>
    }
}

#[component]
pub fn UserPage() -> impl IntoView {
    let params = use_params_map();
    let user_id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let detail = Resource::new(user_id, |id| async move {
        match id {
            Some(id) => load_user(id).await,
            None => Err(AppError::NotFound("No such user.".into())),
        }
    });
    let reload = Callback::new(move |_: ()| detail.refetch());
    view! {
        <main>
            <p><a href="/admin/users">"← All users"</a></p>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(detail) => view! { <UserForm detail reload/> }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// Name, role and teams; then ratings, time off, and the account's state.
#[component]
fn UserForm(detail: UserDetail, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let UserDetail { user, version, all_teams, open_tickets } = detail;
    let user_id = user.id;
    let name = RwSignal::new(user.name.clone());
    let role = RwSignal::new(user.role);
    let teams = RwSignal::new(user.teams.iter().map(|t| t.id).collect::<Vec<i64>>());
    let error = RwSignal::new(None::<String>);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = UserInput { name: name.get_untracked(), role: role.get_untracked(), team_ids: teams.get_untracked() };
        spawn_local(async move {
            match save_user(user_id, version, input).await {
                Ok(_) => {
                    toasts.info("Saved.");
                    reload.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let roles: Vec<Role> = if user.role == Role::Customer { vec![Role::Customer] } else { STAFF_ROLES.to_vec() };
    let staff = user.role.is_internal();
    view! {
        <div class="page-head">
            <h1>{user.name.clone()}</h1>
            {state_badge(user.state)}
        </div>
        <div class="ticket-layout">
            <form class="panel" on:submit=save data-testid="user-form">
                <h2>"Account"</h2>
                {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
                <p class="muted">{user.email.clone()}</p>
                <div class="field">
                    <label for="user-name">"Name"</label>
                    <input id="user-name" name="name" required maxlength="120" bind:value=name/>
                </div>
                <div class="field">
                    <label for="user-role">"Role"</label>
                    <select id="user-role" name="role" disabled=!staff on:change=move |ev| {
                        if let Some(chosen) = Role::parse(&event_target_value(&ev)) {
                            role.set(chosen);
                        }
                    }>
                        {roles.into_iter().map(|r| view! { <option value=r.as_str() selected=r == user.role>{r.label()}</option> }).collect_view()}
                    </select>
                </div>
                {staff.then(|| view! {
                    <CheckList legend="Teams" prefix=format!("user-{user_id}-team") options=all_teams.into_iter().map(|t| (t.id, t.name)).collect() chosen=teams/>
                })}
                <div class="form-actions"><button class="primary" type="submit" data-testid="save-user">"Save"</button></div>
            </form>
            <AccountState user_id version state=user.state name=user.name.clone() open_tickets reload/>
        </div>
        {staff.then(|| view! {
            <UserRatings user_id/>
            <section class="user-time-off">
                <h2>"Time off"</h2>
                <TimeOffPanels user_id=Some(user_id)/>
            </section>
        })}
    }
}

/// Deactivate (with a confirmation step) or reactivate; a deactivated user's open tickets, to
/// be given to someone else; a new link for a pending invitation.
#[component]
fn AccountState(user_id: i64, version: i64, state: UserState, name: String, open_tickets: Vec<String>, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let confirming = RwSignal::new(false);
    let link = RwSignal::new(None::<String>);
    let run = move |deactivating: bool| {
        spawn_local(async move {
            let done = if deactivating { deactivate_user(user_id, version).await.map(drop) } else { reactivate_user(user_id, version).await.map(drop) };
            match done {
                Ok(()) => reload.run(()),
                Err(e) => toasts.error(e.to_string()),
            }
        })
    };
    let renew = move |_| {
        spawn_local(async move {
            match renew_invitation(user_id).await {
                Ok(invitation) => link.set(Some(invitation_link(&invitation.token))),
                Err(e) => toasts.error(e.to_string()),
            }
        })
    };
    let tickets = if open_tickets.is_empty() {
        view! { <li class="muted">"No open tickets."</li> }.into_any()
    } else {
        open_tickets
            .into_iter()
            .map(|reference| view! { <li><a href=format!("/tickets/{reference}")>{reference.clone()}</a></li> })
            .collect_view()
            .into_any()
    };
    let deactivated = state == UserState::Deactivated;
    view! {
        <section class="panel" data-testid="account-state">
            <h2>"Sign-in"</h2>
            {(state == UserState::Invited).then(|| view! {
                <p class="muted">"Invited; has not chosen a password yet."</p>
                <button type="button" class="small" on:click=renew data-testid="renew-invitation">"New invitation link"</button>
                {move || link.get().map(|link| view! { <InvitationLink link/> })}
            })}
            {if deactivated {
                view! {
                    <p>{format!("{name} is deactivated: cannot sign in and is never assigned. History keeps the name.")}</p>
                    <h3>"Open tickets to reassign"</h3>
                    <ul class="reassign-list" data-testid="reassign-list">
                        {tickets}
                    </ul>
                    <button type="button" on:click=move |_| run(false) data-testid="reactivate">"Reactivate"</button>
                }.into_any()
            } else {
                view! {
                    <p class="muted">"Deactivating ends their sessions; they cannot sign in and are never assigned again. Nothing is deleted."</p>
                    <Show when=move || confirming.get() fallback=move || view! {
                        <button type="button" class="danger" on:click=move |_| confirming.set(true) data-testid="deactivate">"Deactivate…"</button>
                    }>
                        <div class="alert" role="alertdialog" aria-label="Confirm deactivation">
                            <p>{format!("Deactivate {name}?")}</p>
                            <div class="form-actions">
                                <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                                <button type="button" class="danger" on:click=move |_| run(true) data-testid="confirm-deactivate">"Yes, deactivate"</button>
                            </div>
                        </div>
                    </Show>
                }.into_any()
            }}
        </section>
    }
}

/// The user's qualification ratings, rated the same way as on the qualifications page.
#[component]
fn UserRatings(user_id: i64) -> impl IntoView {
    let matrix = Resource::new(|| (), |_| load_qualifications());
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match matrix.await {
                    Ok(mut matrix) => {
                        matrix.people.retain(|person| person.id == user_id);
                        view! { <RatingsTable matrix/> }.into_any()
                    }
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
