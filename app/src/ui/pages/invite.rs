//! Accepting an invitation: the one-time link asks for a password, then signs the new user in.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use crate::api::users::accept_invitation;

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let accept = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (chosen, repeated) = (password.get_untracked(), confirmation.get_untracked());
        if chosen != repeated {
            return error.set(Some("The two passwords differ.".into()));
        }
        let token = params.read_untracked().get("token").unwrap_or_default();
        busy.set(true);
        spawn_local(async move {
            match accept_invitation(token, chosen).await {
                Ok(_) => {
                    let _ = window().location().set_href("/");
                }
                Err(e) => {
                    error.set(Some(e.to_string()));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <div class="login-page">
            <form class="login-card" on:submit=accept data-testid="accept-invitation">
                <div class="brand">"Helpdesk"</div>
                <h1>"Welcome"</h1>
                <p class="muted">"You were invited to this helpdesk. Choose a password to sign in."</p>
                {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="new-password" minlength="8" required bind:value=password/>
                </div>
                <div class="field">
                    <label for="password-confirmation">"Password again"</label>
                    <input id="password-confirmation" name="password_confirmation" type="password" autocomplete="new-password" required bind:value=confirmation/>
                </div>
                <button class="primary" type="submit" disabled=move || busy.get()>"Set password and sign in"</button>
            </form>
        </div>
    }
}
