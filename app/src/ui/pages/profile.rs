//! One's own profile: name, notification settings, and the password.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::users::{change_password, my_profile, save_profile};
use crate::model::{NotificationSettings, Profile, ProfileInput};
use crate::ui::components::{use_toasts, LoadedPage};

#[component]
pub fn ProfilePage() -> impl IntoView {
    view! {
        <LoadedPage title="Your profile" load=my_profile render=|profile, reload| view! {
            <div class="ticket-layout">
                <ProfileForm profile reload/>
                <PasswordForm/>
            </div>
        }/>
    }
}

#[component]
fn ProfileForm(profile: Profile, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let name = RwSignal::new(profile.name.clone());
    let rules = RwSignal::new(profile.notifications.rules);
    let sla = RwSignal::new(profile.notifications.sla);
    let messages = RwSignal::new(profile.notifications.messages);
    let error = RwSignal::new(None::<String>);
    let version = profile.version;
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = ProfileInput {
            name: name.get_untracked(),
            notifications: NotificationSettings {
                rules: rules.get_untracked(),
                sla: sla.get_untracked(),
                messages: messages.get_untracked(),
            },
        };
        spawn_local(async move {
            match save_profile(version, input).await {
                Ok(_) => {
                    toasts.info("Profile saved.");
                    reload.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="panel" on:submit=save data-testid="profile-form">
            <h2>"Name and notifications"</h2>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <p class="muted">{profile.email.clone()} " · " {profile.role.label()}</p>
            <div class="field">
                <label for="profile-name">"Name"</label>
                <input id="profile-name" name="name" required maxlength="120" bind:value=name/>
            </div>
            <fieldset class="checklist">
                <legend>"Notify me in the app about"</legend>
                <label class="check" for="notify-rules">
                    <input type="checkbox" id="notify-rules" name="notify_rules" bind:checked=rules/>
                    "Automation rules that notify me"
                </label>
                <label class="check" for="notify-sla">
                    <input type="checkbox" id="notify-sla" name="notify_sla" bind:checked=sla/>
                    "SLA warnings, breaches and escalations"
                </label>
                <label class="check" for="notify-messages">
                    <input type="checkbox" id="notify-messages" name="notify_messages" bind:checked=messages/>
                    "New messages on tickets I follow or am assigned"
                </label>
            </fieldset>
            <div class="form-actions"><button class="primary" type="submit">"Save profile"</button></div>
        </form>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let toasts = use_toasts();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let change = move |ev: SubmitEvent| {
        ev.prevent_default();
        if new.get_untracked() != confirmation.get_untracked() {
            return error.set(Some("The two new passwords differ.".into()));
        }
        spawn_local(async move {
            match change_password(current.get_untracked(), new.get_untracked()).await {
                Ok(()) => {
                    error.set(None);
                    for field in [current, new, confirmation] {
                        field.set(String::new());
                    }
                    toasts.info("Password changed. Your other sessions were signed out.");
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="panel" on:submit=change data-testid="password-form">
            <h2>"Password"</h2>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field">
                <label for="current-password">"Current password"</label>
                <input id="current-password" name="current_password" type="password" autocomplete="current-password" required bind:value=current/>
            </div>
            <div class="field">
                <label for="new-password">"New password"</label>
                <input id="new-password" name="new_password" type="password" autocomplete="new-password" minlength="8" required bind:value=new/>
            </div>
            <div class="field">
                <label for="new-password-confirmation">"New password again"</label>
                <input id="new-password-confirmation" name="new_password_confirmation" type="password" autocomplete="new-password" required bind:value=confirmation/>
            </div>
            <p class="hint muted">"Changing it signs you out everywhere else."</p>
            <div class="form-actions"><button class="primary" type="submit">"Change password"</button></div>
        </form>
    }
}
