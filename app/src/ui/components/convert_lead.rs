//! "Convert to lead…" on the ticket page: a ticket better handled by sales becomes a lead (title,
//! customer: the ticket's, a new contact or none, sales team, salesperson); the ticket is archived
//! and both link to each other. An archived ticket says what it became instead.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{use_toasts, IdSelect};
use crate::api::leads::{convert_to_lead, load_lead_choices};
use crate::model::*;

/// The button that opens the conversion dialog; none on a ticket that was converted already.
#[component]
pub fn ConvertToLead(detail: TicketDetail, reload: Callback<()>) -> impl IntoView {
    if detail.relations.lead.is_some() {
        return None;
    }
    let open = RwSignal::new(false);
    Some(view! {
        <button type="button" data-testid="convert-lead" on:click=move |_| open.set(true)>"Convert to lead…"</button>
        <Show when=move || open.get()>
            <ConvertDialog detail=detail.clone() reload on_cancel=Callback::new(move |_| open.set(false))/>
        </Show>
    })
}

/// What an archived ticket became.
#[component]
pub fn LeadBanner(relations: TicketRelations) -> impl IntoView {
    relations.lead.map(|lead| {
        view! {
            <div class="alert info" data-testid="converted-lead">
                "Archived: this ticket was converted to the lead " <strong>{lead.title}</strong> " and is no longer on the board. "
                <a href=format!("/leads#lead-{}", lead.id)>"Open the leads"</a>
            </div>
        }
    })
}

#[component]
fn ConvertDialog(detail: TicketDetail, reload: Callback<()>, on_cancel: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let choices = LocalResource::new(load_lead_choices);
    let has_customer = detail.customer.display();
    let title = RwSignal::new(detail.title.clone());
    // "ticket", "new" or "none".
    let customer = RwSignal::new(if has_customer.is_some() { "ticket" } else { "none" }.to_string());
    let new_customer = RwSignal::new(NewCustomer::default());
    let sales_team_id = RwSignal::new(None::<i64>);
    let salesperson_id = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The first sales team is the usual one.
    Effect::new(move || {
        if sales_team_id.get_untracked().is_none() {
            if let Some(Ok(loaded)) = choices.get() {
                sales_team_id.set(loaded.sales_teams.first().map(|t| t.id));
            }
        }
    });
    let (reference, version) = (detail.reference.clone(), detail.version);
    let convert = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(sales_team_id) = sales_team_id.get_untracked() else {
            return error.set(Some("Choose a sales team.".into()));
        };
        let lead = LeadInput {
            title: title.get_untracked(),
            customer: match customer.get_untracked().as_str() {
                "ticket" => LeadCustomer::Ticket,
                "new" => LeadCustomer::New(new_customer.get_untracked()),
                _ => LeadCustomer::None,
            },
            sales_team_id,
            salesperson_id: salesperson_id.get_untracked(),
        };
        busy.set(true);
        let reference = reference.clone();
        spawn_local(async move {
            match convert_to_lead(reference, version, lead).await {
                Ok(lead) => {
                    toasts.info(format!("Converted to the lead \"{}\"; the ticket is archived.", lead.title));
                    reload.run(());
                }
                Err(e) => {
                    error.set(Some(e.to_string()));
                    busy.set(false);
                }
            }
        });
    };
    let radio = move |value: &'static str, label: String| {
        view! {
            <label class="check">
                <input type="radio" name="lead_customer" value=value prop:checked=move || customer.get() == value
                    on:change=move |_| customer.set(value.to_string())/>
                " " {label}
            </label>
        }
    };
    view! {
        <div class="modal-backdrop" on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <form class="panel modal" role="dialog" aria-modal="true" aria-labelledby="convert-title" data-testid="convert-lead-dialog" on:submit=convert>
                <h2 id="convert-title">"Convert " {detail.reference.clone()} " to a lead"</h2>
                <p class="muted">"Sales takes over: the ticket is archived (off the board) and links to the new lead."</p>
                {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
                <div class="field">
                    <label for="lead-title">"Lead title"</label>
                    <input id="lead-title" name="lead_title" maxlength="200" required bind:value=title/>
                </div>
                <fieldset class="field">
                    <legend>"Customer"</legend>
                    {has_customer.clone().map(|name| radio("ticket", format!("Link the ticket's customer ({name})")))}
                    {radio("new", "Create a new contact".into())}
                    {radio("none", "No customer".into())}
                </fieldset>
                <Show when=move || customer.get() == "new">
                    <div class="field-row">
                        <div class="field">
                            <label for="lead-contact-name">"Contact name"</label>
                            <input id="lead-contact-name" prop:value=move || new_customer.get().name
                                on:input=move |ev| new_customer.update(|c| c.name = event_target_value(&ev))/>
                        </div>
                        <div class="field">
                            <label for="lead-contact-email">"Contact email"</label>
                            <input id="lead-contact-email" type="email" prop:value=move || new_customer.get().email
                                on:input=move |ev| new_customer.update(|c| c.email = event_target_value(&ev))/>
                        </div>
                    </div>
                </Show>
                {move || choices.get().map(|loaded| match loaded {
                    Ok(loaded) => view! {
                        <div class="field-row">
                            <IdSelect id="sales-team" label="Sales team" empty="Choose…" choices=loaded.sales_teams value=sales_team_id/>
                            <IdSelect id="salesperson" label="Salesperson" empty="Nobody yet" choices=loaded.salespeople value=salesperson_id/>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <div class="alert error" role="alert">{e.to_string()}</div> }.into_any(),
                })}
                <div class="form-actions">
                    <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                    <button class="primary" type="submit" data-testid="convert-confirm" disabled=move || busy.get()>"Convert to lead"</button>
                </div>
            </form>
        </div>
    }
}
