//! A team's settings: public description, visibility, automatic assignment and members.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use crate::api::teams::{get_team_settings, save_team_settings};
use crate::error::AppError;
use crate::model::*;
use crate::ui::components::{use_toasts, CheckList, ErrorAlert, IdSelect};

#[component]
pub fn TeamSettingsPage() -> impl IntoView {
    let params = use_params_map();
    let team_id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let settings = Resource::new(team_id, |team| async move {
        match team {
            Some(id) => get_team_settings(id).await,
            None => Err(AppError::Invalid("That is not a team address.".into())),
        }
    });
    view! {
        <main>
            <Transition fallback=|| view! { <p class="muted">"Loading settings…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(current) => view! { <SettingsForm current reload=Callback::new(move |_: ()| settings.refetch())/> }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn SettingsForm(current: TeamSettings, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let (team_id, version) = (current.team_id, current.version);
    let description = RwSignal::new(current.settings.description.clone());
    let visibility = RwSignal::new(current.settings.visibility);
    let assignment = RwSignal::new(current.settings.assignment);
    let queue_user = RwSignal::new(current.settings.queue_user_id);
    let members = RwSignal::new(current.settings.members.clone());
    let error = RwSignal::new(None::<String>);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let settings = TeamSettingsInput {
            description: description.get_untracked(),
            visibility: visibility.get_untracked(),
            assignment: assignment.get_untracked(),
            queue_user_id: queue_user.get_untracked(),
            members: members.get_untracked(),
        };
        spawn_local(async move {
            match save_team_settings(team_id, version, settings).await {
                Ok(_) => {
                    toasts.info("Team settings saved.");
                    reload.run(());
                }
                Err(e @ AppError::Conflict(_)) => {
                    toasts.error(e.to_string());
                    reload.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <div class="page-head">
            <h1>{current.name.clone()} " settings"</h1>
            <a class="button" href=format!("/teams/{team_id}/board")>"Back to board"</a>
        </div>
        <form class="panel" style="max-width:760px" on:submit=save>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field">
                <label for="team-description">"Description"</label>
                <textarea id="team-description" bind:value=description></textarea>
                <div class="hint">"Shown on the team's public web form: keep internal information out of it."</div>
            </div>
            <div class="field">
                <label for="team-visibility">"Visibility"</label>
                <select id="team-visibility" disabled=!current.can_change_visibility on:change=move |ev| {
                    if let Some(v) = Visibility::parse(&event_target_value(&ev)) {
                        visibility.set(v);
                    }
                }>
                    {Visibility::ALL.iter().map(|v| view! {
                        <option value=v.as_str() selected={*v == current.settings.visibility}>{v.label()}</option>
                    }).collect_view()}
                </select>
                {(!current.can_change_visibility).then(|| view! { <div class="hint">"Only admins change who sees a team."</div> })}
            </div>
            <div class="field">
                <label for="team-assignment">"Automatic assignment"</label>
                <select id="team-assignment" on:change=move |ev| assignment.set(AssignmentMethod::parse(&event_target_value(&ev)))>
                    <option value="" selected={current.settings.assignment.is_none()}>"Off (assign manually or pick up next)"</option>
                    {AssignmentMethod::ALL.iter().map(|m| view! {
                        <option value=m.as_str() selected={Some(*m) == current.settings.assignment}>{m.label()}</option>
                    }).collect_view()}
                </select>
                <div class="hint">"Members on time off are skipped; tickets wait until somebody is available."</div>
            </div>
            <IdSelect id="team-queue-user" label="Default queue user" empty="None" choices=current.people.clone() value=queue_user/>
            <div class="hint" style="margin:-8px 0 16px">"Without automatic assignment, every new ticket is held by this user and stays Active – New until someone takes it (pick up next, or assign it)."</div>
            <div class="field">
                <CheckList legend="Members" prefix="member" options=current.people.iter().map(|p| (p.id, p.name.clone())).collect() chosen=members/>
                <div class="hint">"With no members, every agent who can see the team is eligible."</div>
            </div>
            <div class="form-actions">
                <button class="primary" type="submit">"Save settings"</button>
            </div>
        </form>
    }
}
