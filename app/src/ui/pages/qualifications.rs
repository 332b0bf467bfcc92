//! Qualifications: admins define them, admins and leads rate people, everyone on staff can look.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::qualifications::{create_qualification, load_qualifications, rate_qualification};
use crate::model::*;
use crate::ui::components::{use_toasts, LoadedPage};

#[component]
pub fn QualificationsPage() -> impl IntoView {
    view! {
        <LoadedPage title="Qualifications" load=load_qualifications render=|matrix, reload| view! {
            {matrix.can_define.then(|| view! { <DefineQualification reload/> })}
            <RatingsTable matrix/>
        }/>
    }
}

#[component]
fn DefineQualification(reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(QualificationKind::Technical);
    let scale = RwSignal::new("10".to_string());
    let error = RwSignal::new(None::<String>);
    let define = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Ok(scale_max) = scale.get_untracked().trim().parse::<i64>() else {
            return error.set(Some("The rating scale must be a whole number.".into()));
        };
        spawn_local(async move {
            match create_qualification(name.get_untracked(), kind.get_untracked(), scale_max).await {
                Ok(created) => {
                    toasts.info(format!("{} defined.", created.name));
                    reload.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="panel define-qualification" on:submit=define>
            <h2>"Define a qualification"</h2>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field-row">
                <div class="field">
                    <label for="qualification-name">"Name"</label>
                    <input id="qualification-name" placeholder="e.g. Networking, Hungarian" maxlength="60" bind:value=name/>
                </div>
                <div class="field">
                    <label for="qualification-kind">"Kind"</label>
                    <select id="qualification-kind" on:change=move |ev| {
                        if let Some(choice) = QualificationKind::parse(&event_target_value(&ev)) {
                            kind.set(choice);
                        }
                    }>
                        {QualificationKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="qualification-scale">"Rated from 1 to"</label>
                    <input id="qualification-scale" type="number" min="1" max="100" bind:value=scale/>
                </div>
            </div>
            <div class="form-actions"><button class="primary" type="submit">"Define qualification"</button></div>
        </form>
    }
}

/// People down, qualifications across; a cell holds the person's rating (empty: not held).
#[component]
pub fn RatingsTable(matrix: QualificationMatrix) -> impl IntoView {
    let toasts = use_toasts();
    if matrix.qualifications.is_empty() {
        return view! { <p class="muted">"No qualifications are defined yet."</p> }.into_any();
    }
    let QualificationMatrix { qualifications, people, ratings, can_rate, .. } = matrix;
    let rate = move |user_id: i64, qualification: Qualification, text: String| {
        let rating = match text.trim() {
            "" => None,
            given => match given.parse::<i64>() {
                Ok(value) => Some(value),
                Err(_) => return toasts.error(format!("{} needs a whole number from 1 to {}.", qualification.name, qualification.scale_max)),
            },
        };
        spawn_local(async move {
            match rate_qualification(user_id, qualification.id, rating).await {
                Ok(()) => toasts.info(format!("{} rating saved.", qualification.name)),
                Err(e) => toasts.error(e.to_string()),
            }
        });
    };
    let headings = qualifications
        .iter()
        .map(|q| view! { <th scope="col">{q.name.clone()} <span class="muted">" · " {q.kind.label()} " · 1–" {q.scale_max}</span></th> })
        .collect_view();
    let rows = people
        .into_iter()
        .map(|person| {
            let cells = qualifications
                .iter()
                .map(|q| {
                    let held = ratings.iter().find(|r| r.user_id == person.id && r.qualification_id == q.id).map(|r| r.rating.to_string());
                    let (user_id, qualification) = (person.id, q.clone());
                    view! {
                        <td>
                            <input type="number" min="1" max=q.scale_max class="rating"
                                aria-label=format!("{} – {}", person.name, q.name)
                                value=held.unwrap_or_default() disabled=!can_rate
                                on:change=move |ev| rate(user_id, qualification.clone(), event_target_value(&ev))/>
                        </td>
                    }
                })
                .collect_view();
            view! { <tr><th scope="row">{person.name.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <section class="panel">
            <h2>"Who holds what"</h2>
            <p class="hint muted">{if can_rate {
                "Ratings are saved as you change them; clear a cell to take the qualification away. Pick up next gives a ticket only to agents who meet all its minimums."
            } else {
                "Admins and team leads maintain these ratings."
            }}</p>
            <div class="table-scroll">
                <table class="grid" data-testid="qualification-matrix">
                    <thead><tr><th scope="col">"Person"</th>{headings}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
