use leptos::prelude::*;

use crate::api::auth::current_setup_step;
use crate::api::teams::list_teams;
use crate::model::{PullSource, SetupStep};
use crate::ui::components::{ErrorAlert, PullNextButton};

/// The teams the user may see, with their open ticket counts.
#[component]
pub fn HomePage() -> impl IntoView {
    let teams = Resource::new(|| (), |_| list_teams());
    let step = Resource::new(|| (), |_| current_setup_step());
    view! {
        <main>
            <div class="page-head">
                <h1>"Your teams"</h1>
                <div class="actions">
                    <PullNextButton source=PullSource::MyTeams/>
                    <a class="button" href="/tickets/new">"New ticket"</a>
                </div>
            </div>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    (step.await.ok() == Some(SetupStep::Organisation)).then(|| view! {
                        <div class="alert info" data-testid="finish-setup">
                            "This helpdesk is not set up yet: " <a href="/setup">"name your organisation and create the first team"</a> "."
                        </div>
                    })
                })}
            </Suspense>
            <Suspense fallback=|| view! { <p class="muted">"Loading teams…"</p> }>
                {move || Suspend::new(async move {
                    match teams.await {
                        Ok(teams) if teams.is_empty() => view! {
                            <p class="muted">"You are not a member of any team yet."</p>
                        }.into_any(),
                        Ok(teams) => view! {
                            <div class="team-grid">
                                {teams.into_iter().map(|team| view! {
                                    <a class="panel team-tile" href=format!("/teams/{}/board", team.id)>
                                        <h2>{team.name.clone()}</h2>
                                        <div class="count">{team.open_tickets}</div>
                                        <div class="muted">"open tickets"</div>
                                        <p class="muted">{team.description.clone()}</p>
                                        <span class="badge">{team.visibility.as_str()}</span>
                                    </a>
                                }).collect_view()}
                            </div>
                        }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
