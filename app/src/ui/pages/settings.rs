//! A team's settings: name and archive, public description, visibility, automatic assignment,
//! members and followers, and the stages of its pipeline.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use crate::api::customers::search_customers;
use crate::api::teams::{delete_stage, get_team_settings, rename_team, save_team_settings, set_stage_category, set_team_archived};
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
                        Ok(current) => {
                            let reload = Callback::new(move |_: ()| settings.refetch());
                            view! {
                                <TeamHead current=current.clone() reload/>
                                <SettingsForm current=current.clone() reload/>
                                <StagesPanel current reload/>
                            }.into_any()
                        }
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
    let followers = RwSignal::new(current.settings.followers.clone());
    let contact_followers = RwSignal::new(current.contact_follower_names.clone());
    let error = RwSignal::new(None::<String>);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let settings = TeamSettingsInput {
            description: description.get_untracked(),
            visibility: visibility.get_untracked(),
            assignment: assignment.get_untracked(),
            queue_user_id: queue_user.get_untracked(),
            members: members.get_untracked(),
            followers: followers.get_untracked(),
            contact_followers: contact_followers.with_untracked(|c| c.iter().map(|c| c.id).collect()),
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
        <form class="panel settings-panel" on:submit=save>
            <h2>"Work and visibility"</h2>
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
            <div class="field">
                <CheckList legend="Followers" prefix="follower" options=current.people.iter().map(|p| (p.id, p.name.clone())).collect() chosen=followers/>
                <div class="hint">"Followers hear about the team's tickets and see the team even when it is private."</div>
            </div>
            <ContactFollowers chosen=contact_followers/>
            <div class="form-actions">
                <button class="primary" type="submit">"Save settings"</button>
            </div>
        </form>
    }
}

/// The team's name, and archiving it (or bringing it back).
#[component]
fn TeamHead(current: TeamSettings, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let (team_id, version, archived) = (current.team_id, current.version, current.archived);
    let name = RwSignal::new(current.name.clone());
    let rename = move |ev: SubmitEvent| {
        ev.prevent_default();
        let name = name.get_untracked();
        spawn_local(async move {
            match rename_team(team_id, version, name).await {
                Ok(_) => toasts.info("Team renamed."),
                Err(error) => toasts.error(error.to_string()),
            }
            reload.run(());
        });
    };
    let archive = move |_| {
        spawn_local(async move {
            match set_team_archived(team_id, version, !archived).await {
                Ok(_) => toasts.info(if archived { "Team restored: it takes new tickets again." } else { "Team archived: it takes no new tickets." }),
                Err(error) => toasts.error(error.to_string()),
            }
            reload.run(());
        });
    };
    view! {
        <div class="page-head">
            <div>
                <h1>{current.name.clone()} " settings"</h1>
                {archived.then(|| view! { <span class="badge" data-testid="team-archived">"Archived"</span> })}
            </div>
            <a class="button" href=format!("/teams/{team_id}/board")>"Back to board"</a>
        </div>
        <div class="panel settings-panel">
            <h2>"Team"</h2>
            <form class="inline-form" on:submit=rename>
                <div class="field">
                    <label for="team-name">"Name"</label>
                    <input id="team-name" name="team_name" required maxlength="60" bind:value=name/>
                </div>
                <button type="submit">"Rename"</button>
            </form>
            <p class="hint">
                {if archived {
                    "This team is archived: it takes no new tickets, and its tickets stay readable."
                } else {
                    "Archiving keeps the team's tickets readable but stops new and routed tickets from arriving."
                }}
            </p>
            <button type="button" data-testid="archive-team" on:click=archive>{if archived { "Restore team" } else { "Archive team" }}</button>
        </div>
    }
}

/// Customer contacts who follow the team, picked by searching.
#[component]
fn ContactFollowers(chosen: RwSignal<Vec<Named>>) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let hits = Resource::new(move || query.get(), |text| async move {
        if text.trim().chars().count() < 2 {
            return Ok(Vec::new());
        }
        search_customers(text).await
    });
    view! {
        <fieldset class="field checklist">
            <legend>"Customer contacts following the team"</legend>
            <div class="hint">"Public teams only: contacts hear about the team's tickets."</div>
            <ul class="chips">
                {move || chosen.get().into_iter().map(|contact| {
                    let id = contact.id;
                    view! {
                        <li class="chip">
                            {contact.name.clone()}
                            <button type="button" class="ghost small" aria-label=format!("Remove {}", contact.name)
                                on:click=move |_| chosen.update(|c| c.retain(|x| x.id != id))>"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <input type="search" aria-label="Find a contact to add" placeholder="Find a contact…" bind:value=query/>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let hits = hits.await.unwrap_or_default();
                    view! {
                        <ul class="picker">
                            {hits.into_iter().filter_map(|hit| hit.contact_id.map(|id| (id, hit.label))).map(|(id, label)| {
                                let name = label.clone();
                                view! {
                                    <li><button type="button" class="ghost" on:click=move |_| {
                                        chosen.update(|c| if !c.iter().any(|x| x.id == id) { c.push(Named { id, name: name.clone() }) });
                                        query.set(String::new());
                                    }>{label}</button></li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
        </fieldset>
    }
}

/// The pipeline: each stage's category and ticket count; an empty stage can be deleted or
/// re-categorised (the server explains when tickets must be moved first).
#[component]
fn StagesPanel(current: TeamSettings, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let finish = move |result: Result<(), AppError>| {
        if let Err(error) = result {
            toasts.error(error.to_string());
        }
        reload.run(());
    };
    view! {
        <div class="panel settings-panel">
            <h2>"Stages"</h2>
            <p class="hint">"Rename, reorder and add stages on the board. A stage's category decides the status of the tickets on it, so it changes only while the stage is empty."</p>
            <table class="grid">
                <thead><tr><th>"Stage"</th><th>"Category"</th><th>"Tickets"</th><th></th></tr></thead>
                <tbody>
                    {current.stages.into_iter().map(|StageUse { stage, tickets }| {
                        let (id, version) = (stage.id, stage.version);
                        let recategorise = move |ev: leptos::ev::Event| {
                            if let Some(category) = StageCategory::parse(&event_target_value(&ev)) {
                                spawn_local(async move { finish(set_stage_category(id, version, category).await.map(|_| ())) });
                            }
                        };
                        let delete = move |_| spawn_local(async move { finish(delete_stage(id, version).await.map(|_| ())) });
                        view! {
                            <tr data-testid="stage-row" data-name=stage.name.clone()>
                                <td>{stage.name.clone()}</td>
                                <td>
                                    <select aria-label=format!("Category of {}", stage.name) on:change=recategorise>
                                        {StageCategory::ALL.iter().map(|c| view! {
                                            <option value=c.as_str() selected={*c == stage.category}>{c.label()}</option>
                                        }).collect_view()}
                                    </select>
                                </td>
                                <td>{tickets}</td>
                                <td><button type="button" class="ghost small" data-testid="delete-stage" on:click=delete>"Delete"</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
