use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::auth::{create_first_admin, current_setup_step, login};
use crate::error::AppError;
use crate::model::SetupStep;

/// Sign-in form; on a fresh installation without users it asks for the first administrator.
#[component]
pub fn LoginPage() -> impl IntoView {
    let setup = Resource::new(|| (), |_| current_setup_step());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |first_admin: bool| {
        move |ev: SubmitEvent| {
            ev.prevent_default();
            busy.set(true);
            spawn_local(async move {
                let (email, password) = (email.get_untracked(), password.get_untracked());
                let result: Result<_, AppError> = if first_admin {
                    create_first_admin(name.get_untracked(), email, password).await
                } else {
                    login(email, password).await
                };
                match result {
                    Ok(_) => {
                        // The first admin goes on to set up the organisation and its first team.
                        let _ = window().location().set_href(if first_admin { "/setup" } else { "/" });
                    }
                    Err(e) => {
                        error.set(Some(e.to_string()));
                        busy.set(false);
                    }
                }
            });
        }
    };

    view! {
        <div class="login-page">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let first_admin = setup.await.is_ok_and(|step| step == SetupStep::FirstAdmin);
                    view! {
                        <form class="login-card" on:submit=submit(first_admin)>
                            <div class="brand">"Helpdesk"</div>
                            <h1>{if first_admin { "Create the first administrator" } else { "Sign in" }}</h1>
                            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
                            {first_admin.then(|| view! {
                                <div class="field">
                                    <label for="name">"Your name"</label>
                                    <input id="name" name="name" required bind:value=name/>
                                </div>
                            })}
                            <div class="field">
                                <label for="email">"Email"</label>
                                <input id="email" name="email" type="email" autocomplete="username" required bind:value=email/>
                            </div>
                            <div class="field">
                                <label for="password">"Password"</label>
                                <input id="password" name="password" type="password" autocomplete="current-password" required bind:value=password/>
                            </div>
                            <button class="primary" type="submit" disabled=move || busy.get()>
                                {if first_admin { "Create administrator" } else { "Sign in" }}
                            </button>
                        </form>
                    }
                })}
            </Suspense>
        </div>
    }
}
