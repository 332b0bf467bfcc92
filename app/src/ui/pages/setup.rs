//! First-run setup: after the first admin, the organisation and its first team, then that
//! team's (empty) board. Once done, the same page edits the organisation's name and time zone.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::auth::current_setup_step;
use crate::api::organisation::{complete_setup, get_organisation, save_organisation};
use crate::model::*;
use crate::ui::components::{use_toasts, ErrorAlert};

/// Offered in the time zone field; any other IANA name may be typed.
const COMMON_ZONES: &[&str] = &[
    "Europe/Berlin", "Europe/Budapest", "Europe/Vienna", "Europe/Zurich", "Europe/London", "Europe/Paris", "Europe/Amsterdam",
    "Europe/Warsaw", "Europe/Prague", "America/New_York", "America/Chicago", "America/Los_Angeles", "Asia/Singapore", "UTC",
];

/// The browser's own time zone, the likeliest answer.
fn browser_zone() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into()).ok()?.as_string()
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let step = Resource::new(|| (), |_| current_setup_step());
    view! {
        <main>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match step.await {
                        Ok(SetupStep::Done) => view! { <OrganisationForm/> }.into_any(),
                        Ok(_) => view! { <FirstSetup/> }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn ZoneField(zone: RwSignal<String>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="time-zone">"Time zone"</label>
            <input id="time-zone" name="time_zone" list="time-zones" required maxlength="64" bind:value=zone/>
            <datalist id="time-zones">{COMMON_ZONES.iter().map(|z| view! { <option value=*z/> }).collect_view()}</datalist>
            <div class="hint">"The default for business-hours calendars (SLA), e.g. Europe/Berlin."</div>
        </div>
    }
}

#[component]
fn FirstSetup() -> impl IntoView {
    let organisation = RwSignal::new(String::new());
    let zone = RwSignal::new("UTC".to_string());
    Effect::new(move || {
        if let Some(found) = browser_zone() {
            zone.set(found);
        }
    });
    let team_name = RwSignal::new("Support".to_string());
    let visibility = RwSignal::new(Visibility::Company);
    let template = RwSignal::new(TeamTemplate::Support);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let setup = SetupInput {
            organisation: organisation.get_untracked(),
            time_zone: zone.get_untracked(),
            team: NewTeam { name: team_name.get_untracked(), visibility: visibility.get_untracked(), stages: StagesFrom::Template(template.get_untracked()) },
        };
        spawn_local(async move {
            match complete_setup(setup).await {
                Ok(team) => {
                    let _ = window().location().set_href(&format!("/teams/{}/board", team.id));
                }
                Err(e) => {
                    error.set(Some(e.to_string()));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <div class="page-head"><h1>"Set up your helpdesk"</h1></div>
        <form class="panel setup-card" data-testid="setup-form" on:submit=submit>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <fieldset>
                <legend>"Your organisation"</legend>
                <div class="field">
                    <label for="organisation">"Name"</label>
                    <input id="organisation" name="organisation" required maxlength="100" placeholder="Acme Ltd" bind:value=organisation/>
                </div>
                <ZoneField zone/>
            </fieldset>
            <fieldset>
                <legend>"Your first team"</legend>
                <div class="field">
                    <label for="team-name">"Team name"</label>
                    <input id="team-name" name="team_name" required maxlength="60" bind:value=team_name/>
                </div>
                <VisibilitySelect value=visibility/>
                <div class="field">
                    <label for="team-template">"Stages"</label>
                    <select id="team-template" name="template" on:change=move |ev| {
                        if let Some(t) = TeamTemplate::parse(&event_target_value(&ev)) {
                            template.set(t);
                        }
                    }>
                        {TeamTemplate::ALL.iter().map(|t| view! { <option value=t.as_str()>{t.label()}</option> }).collect_view()}
                    </select>
                    <div class="hint">{move || template_stages(template.get())}</div>
                </div>
            </fieldset>
            <button class="primary" type="submit" disabled=move || busy.get()>"Create team and open its board"</button>
        </form>
    }
}

/// "New → In progress → …": what a template gives a team.
pub fn template_stages(template: TeamTemplate) -> String {
    crate::domain::templates::stages(template).iter().map(|(name, _)| *name).collect::<Vec<_>>().join(" → ")
}

#[component]
pub fn VisibilitySelect(value: RwSignal<Visibility>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="team-visibility">"Visibility"</label>
            <select id="team-visibility" name="visibility" on:change=move |ev| {
                if let Some(v) = Visibility::parse(&event_target_value(&ev)) {
                    value.set(v);
                }
            }>
                {Visibility::ALL.iter().map(|v| view! {
                    <option value=v.as_str() selected=move || value.get() == *v>{v.label()}</option>
                }).collect_view()}
            </select>
            <div class="hint">"Private: only invited people. Company: every agent. Public: customers too, in the portal."</div>
        </div>
    }
}

#[component]
fn OrganisationForm() -> impl IntoView {
    let toasts = use_toasts();
    let current = Resource::new(|| (), |_| get_organisation());
    view! {
        <div class="page-head"><h1>"Organisation"</h1></div>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match current.await {
                    Ok(Some(found)) => {
                        let name = RwSignal::new(found.name.clone());
                        let zone = RwSignal::new(found.time_zone.clone());
                        let save = move |ev: SubmitEvent| {
                            ev.prevent_default();
                            spawn_local(async move {
                                match save_organisation(found.version, name.get_untracked(), zone.get_untracked()).await {
                                    Ok(_) => toasts.info("Organisation saved."),
                                    Err(error) => toasts.error(error.to_string()),
                                }
                                current.refetch();
                            });
                        };
                        view! {
                            <form class="panel setup-card" on:submit=save>
                                <div class="field">
                                    <label for="organisation">"Name"</label>
                                    <input id="organisation" name="organisation" required maxlength="100" bind:value=name/>
                                </div>
                                <ZoneField zone/>
                                <button class="primary" type="submit">"Save"</button>
                            </form>
                        }.into_any()
                    }
                    Ok(None) => view! { <p class="muted">"Not set up yet."</p> }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
