//! Entitlements: what each customer is entitled to (cases or hours, validity, SLA policy).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::entitlements::{load_entitlements, save_entitlement};
use crate::model::*;
use crate::ui::components::{use_toasts, IdSelect, LoadedPage};

#[component]
pub fn EntitlementsPage() -> impl IntoView {
    view! {
        <LoadedPage title="Entitlements" load=load_entitlements render=|setup, reload| view! { <EntitlementSettings setup reload/> }/>
    }
}

#[component]
fn EntitlementSettings(setup: EntitlementsSetup, reload: Callback<()>) -> impl IntoView {
    let editing = RwSignal::new(None::<Entitlement>);
    let setup = StoredValue::new(setup);
    let today = chrono::Utc::now().date_naive();
    view! {
        <section class="panel" aria-labelledby="entitlements-title">
            <h2 id="entitlements-title">"Customer entitlements"</h2>
            <table class="grid" data-testid="entitlements">
                <thead><tr>
                    <th>"Customer"</th><th>"Entitlement"</th><th>"Terms left"</th><th>"Valid"</th><th>"SLA policy"</th><th>"Used"</th><th></th>
                </tr></thead>
                <tbody>
                    {setup.with_value(|s| s.entitlements.clone()).into_iter().map(|e| {
                        let state = if !e.active {
                            "inactive"
                        } else if today > e.valid_to {
                            "expired"
                        } else if today < e.valid_from {
                            "not yet valid"
                        } else if e.remaining_terms == 0 {
                            "used up"
                        } else {
                            "active"
                        };
                        let shown = e.clone();
                        let customer = match &e.contact {
                            Some(contact) => format!("{} · {}", contact.name, e.account.name),
                            None => e.account.name.clone(),
                        };
                        let unit = match e.kind { EntitlementKind::Cases => "cases", EntitlementKind::Hours => "hours" };
                        view! {
                            <tr data-testid="entitlement">
                                <td>{customer}</td>
                                <td><strong>{e.name.clone()}</strong> " " <span class=format!("badge {}", state.replace(' ', "-"))>{state}</span></td>
                                <td>{e.remaining_terms} " of " {e.total_terms} " " {unit}</td>
                                <td>{e.valid_from.to_string()} " – " {e.valid_to.to_string()}</td>
                                <td>{e.policy.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "team's policies".into())}</td>
                                <td>{e.decrement_on.label()}</td>
                                <td>{setup.with_value(|s| s.can_edit).then(|| view! {
                                    <button class="small" on:click=move |_| editing.set(Some(shown.clone()))>"Edit"</button>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        {setup.with_value(|s| s.can_edit).then(|| view! {
            {move || view! { <EntitlementForm setup=setup.get_value() entitlement=editing.get() editing reload/> }}
        })}
    }
}

#[component]
fn EntitlementForm(setup: EntitlementsSetup, entitlement: Option<Entitlement>, editing: RwSignal<Option<Entitlement>>, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let existing = entitlement.as_ref().map(|e| (e.id, e.version));
    let today = chrono::Utc::now().date_naive();
    let account_id = RwSignal::new(entitlement.as_ref().map(|e| e.account.id));
    let contact_id = RwSignal::new(entitlement.as_ref().and_then(|e| e.contact.as_ref().map(|c| c.id)));
    let policy_id = RwSignal::new(entitlement.as_ref().and_then(|e| e.policy.as_ref().map(|p| p.id)));
    let name = RwSignal::new(entitlement.as_ref().map(|e| e.name.clone()).unwrap_or_default());
    let hours = RwSignal::new(entitlement.as_ref().is_some_and(|e| e.kind == EntitlementKind::Hours));
    let total = RwSignal::new(entitlement.as_ref().map_or(10, |e| e.total_terms).to_string());
    let remaining = RwSignal::new(entitlement.as_ref().map(|e| e.remaining_terms.to_string()).unwrap_or_default());
    let valid_from = RwSignal::new(entitlement.as_ref().map_or(today, |e| e.valid_from).to_string());
    let valid_to = RwSignal::new(entitlement.as_ref().map_or(today + chrono::Duration::days(365), |e| e.valid_to).to_string());
    let on_resolution = RwSignal::new(entitlement.as_ref().is_some_and(|e| e.decrement_on == DecrementOn::Resolution));
    let active = RwSignal::new(entitlement.as_ref().is_none_or(|e| e.active));
    let error = RwSignal::new(None::<String>);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(account_id) = account_id.get_untracked() else { return error.set(Some("Choose the customer's account.".into())) };
        let number = |text: String, what: &str| text.trim().parse::<i64>().map_err(|_| format!("{what} must be a whole number."));
        let dates = (valid_from.get_untracked().parse::<chrono::NaiveDate>(), valid_to.get_untracked().parse::<chrono::NaiveDate>());
        let (Ok(from), Ok(to)) = dates else { return error.set(Some("Give both dates as YYYY-MM-DD.".into())) };
        let total_terms = match number(total.get_untracked(), "Total terms") {
            Ok(n) => n,
            Err(e) => return error.set(Some(e)),
        };
        let remaining_terms = match remaining.get_untracked().trim() {
            "" => total_terms,
            text => match number(text.to_string(), "Remaining terms") {
                Ok(n) => n,
                Err(e) => return error.set(Some(e)),
            },
        };
        let input = EntitlementInput {
            account_id,
            contact_id: contact_id.get_untracked(),
            name: name.get_untracked(),
            kind: if hours.get_untracked() { EntitlementKind::Hours } else { EntitlementKind::Cases },
            total_terms,
            remaining_terms,
            valid_from: from,
            valid_to: to,
            policy_id: policy_id.get_untracked(),
            decrement_on: if on_resolution.get_untracked() { DecrementOn::Resolution } else { DecrementOn::Creation },
            active: active.get_untracked(),
        };
        spawn_local(async move {
            match save_entitlement(existing.map(|e| e.0), existing.map(|e| e.1), input).await {
                Ok(saved) => {
                    toasts.info(format!("Entitlement \"{}\" saved.", saved.name));
                    editing.set(None);
                    reload.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let contacts = move || {
        let account = account_id.get();
        setup.contacts.iter().filter(|(_, owner)| account.is_some() && *owner == account).map(|(c, _)| c.clone()).collect::<Vec<_>>()
    };
    view! {
        <form class="panel" on:submit=save data-testid="entitlement-form">
            <h2>{if existing.is_some() { "Edit entitlement" } else { "New entitlement" }}</h2>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field-row">
                <IdSelect id="entitlement-account" label="Account" empty="Choose an account…" choices=setup.accounts.clone() value=account_id/>
                {move || view! { <IdSelect id="entitlement-contact" label="Only for contact" empty="Everyone at the account" choices=contacts() value=contact_id/> }}
                <div class="field">
                    <label for="entitlement-name">"Name"</label>
                    <input id="entitlement-name" maxlength="120" placeholder="e.g. Premium support 2027" bind:value=name/>
                </div>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="entitlement-total">"Total terms"</label>
                    <input id="entitlement-total" type="number" min="1" bind:value=total/>
                </div>
                <div class="field">
                    <label for="entitlement-remaining">"Remaining"</label>
                    <input id="entitlement-remaining" type="number" min="0" placeholder="same as total" bind:value=remaining/>
                </div>
                <div class="field">
                    <label for="entitlement-from">"Valid from"</label>
                    <input id="entitlement-from" type="date" bind:value=valid_from/>
                </div>
                <div class="field">
                    <label for="entitlement-to">"Valid to"</label>
                    <input id="entitlement-to" type="date" bind:value=valid_to/>
                </div>
                <IdSelect id="entitlement-policy" label="SLA policy" empty="The team's policies" choices=setup.policies.clone() value=policy_id/>
            </div>
            <div class="field-row">
                <label class="check"><input type="checkbox" id="entitlement-hours" bind:checked=hours/> " Counts hours (otherwise cases)"</label>
                <label class="check"><input type="checkbox" id="entitlement-on-resolution" bind:checked=on_resolution/> " Use a term on resolution (otherwise on creation)"</label>
                <label class="check"><input type="checkbox" id="entitlement-active" bind:checked=active/> " Active"</label>
            </div>
            <div class="form-actions">
                {existing.is_some().then(|| view! { <button type="button" on:click=move |_| editing.set(None)>"Cancel"</button> })}
                <button class="primary" type="submit">"Save entitlement"</button>
            </div>
        </form>
    }
}
