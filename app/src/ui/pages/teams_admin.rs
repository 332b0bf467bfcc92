//! Team administration: every team (archived ones too) and, for admins, a new team from a
//! template or as a copy of another team's pipeline.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::teams::{create_team, list_teams};
use crate::model::*;
use crate::ui::components::{use_toasts, ErrorAlert};
use crate::ui::pages::setup::{template_stages, VisibilitySelect};

#[component]
pub fn TeamsAdminPage() -> impl IntoView {
    let teams = Resource::new(|| (), |_| list_teams());
    let reload = Callback::new(move |_: ()| teams.refetch());
    view! {
        <main>
            <div class="page-head"><h1>"Teams"</h1></div>
            <Transition fallback=|| view! { <p class="muted">"Loading teams…"</p> }>
                {move || Suspend::new(async move {
                    match teams.await {
                        Ok(teams) => view! {
                            <NewTeamForm teams=teams.clone() reload/>
                            <section class="panel admin-panel">
                                <h2>"All teams"</h2>
                                <table class="grid">
                                    <thead><tr><th>"Team"</th><th>"Visibility"</th><th>"Open tickets"</th><th></th></tr></thead>
                                    <tbody>
                                        {teams.into_iter().map(|team| view! {
                                            <tr data-testid="team-row" data-name=team.name.clone()>
                                                <th>
                                                    <a href=format!("/teams/{}/board", team.id)>{team.name.clone()}</a>
                                                    {team.archived.then(|| view! { " " <span class="badge">"Archived"</span> })}
                                                </th>
                                                <td>{team.visibility.label()}</td>
                                                <td>{team.open_tickets}</td>
                                                <td><a class="button small" href=format!("/teams/{}/settings", team.id)>"Settings"</a></td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </section>
                        }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// `template:support` or `team:12`: one select for both sources of stages.
fn stages_from(choice: &str) -> Option<StagesFrom> {
    match choice.split_once(':')? {
        ("template", code) => TeamTemplate::parse(code).map(StagesFrom::Template),
        ("team", id) => id.parse().ok().map(StagesFrom::Team),
        _ => None,
    }
}

#[component]
fn NewTeamForm(teams: Vec<TeamSummary>, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let name = RwSignal::new(String::new());
    let visibility = RwSignal::new(Visibility::Company);
    let stages = RwSignal::new(StagesFrom::Template(TeamTemplate::Support));
    let error = RwSignal::new(None::<String>);
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        let team = NewTeam { name: name.get_untracked(), visibility: visibility.get_untracked(), stages: stages.get_untracked() };
        spawn_local(async move {
            match create_team(team).await {
                Ok(created) => {
                    toasts.info(format!("Team \"{}\" created.", created.name));
                    name.set(String::new());
                    error.set(None);
                    reload.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="panel admin-panel settings-panel" data-testid="team-create" on:submit=create>
            <h2>"New team"</h2>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field">
                <label for="new-team-name">"Name"</label>
                <input id="new-team-name" name="name" required maxlength="60" bind:value=name/>
            </div>
            <VisibilitySelect value=visibility/>
            <div class="field">
                <label for="new-team-stages">"Stages"</label>
                <select id="new-team-stages" name="stages" on:change=move |ev| {
                    if let Some(from) = stages_from(&event_target_value(&ev)) {
                        stages.set(from);
                    }
                }>
                    <optgroup label="Template">
                        {TeamTemplate::ALL.iter().map(|t| view! { <option value=format!("template:{}", t.as_str())>{t.label()}</option> }).collect_view()}
                    </optgroup>
                    <optgroup label="Copy the stages of">
                        {teams.iter().map(|t| view! { <option value=format!("team:{}", t.id)>{t.name.clone()}</option> }).collect_view()}
                    </optgroup>
                </select>
                <div class="hint">{move || match stages.get() {
                    StagesFrom::Template(template) => template_stages(template),
                    StagesFrom::Team(_) => "The same stages, in the same order, as that team.".into(),
                }}</div>
            </div>
            <button class="primary" type="submit">"Create team"</button>
        </form>
    }
}
