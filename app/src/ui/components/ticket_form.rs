//! The ticket fields, shared by the new-ticket page and the ticket page.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::customers::search_customers;
use crate::error::AppError;
use crate::model::*;

/// One signal per editable field.
#[derive(Clone, Copy)]
pub struct TicketFormState {
    pub title: RwSignal<String>,
    pub description: RwSignal<String>,
    pub team_id: RwSignal<Option<i64>>,
    pub priority: RwSignal<Priority>,
    pub origin: RwSignal<Origin>,
    pub contact_id: RwSignal<Option<i64>>,
    pub account_id: RwSignal<Option<i64>>,
    pub customer_label: RwSignal<Option<String>>,
    pub creating_customer: RwSignal<bool>,
    pub new_customer: RwSignal<NewCustomer>,
    pub subject_id: RwSignal<Option<i64>>,
    pub product_id: RwSignal<Option<i64>>,
    pub reason_id: RwSignal<Option<i64>>,
    pub region_id: RwSignal<Option<i64>>,
    pub service_type_id: RwSignal<Option<i64>>,
    pub unit_id: RwSignal<Option<i64>>,
    pub assignee_id: RwSignal<Option<i64>>,
    /// Comma-separated, as typed.
    pub tags: RwSignal<String>,
    pub requirements: RwSignal<Vec<Requirement>>,
    pub entitlement_id: RwSignal<Option<i64>>,
    pub do_not_decrement: RwSignal<bool>,
    pub service_order: RwSignal<String>,
}

impl TicketFormState {
    pub fn blank(team_id: Option<i64>) -> Self {
        TicketFormState {
            title: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            team_id: RwSignal::new(team_id),
            priority: RwSignal::new(Priority::Normal),
            origin: RwSignal::new(Origin::Phone),
            contact_id: RwSignal::new(None),
            account_id: RwSignal::new(None),
            customer_label: RwSignal::new(None),
            creating_customer: RwSignal::new(false),
            new_customer: RwSignal::new(NewCustomer::default()),
            subject_id: RwSignal::new(None),
            product_id: RwSignal::new(None),
            reason_id: RwSignal::new(None),
            region_id: RwSignal::new(None),
            service_type_id: RwSignal::new(None),
            unit_id: RwSignal::new(None),
            assignee_id: RwSignal::new(None),
            tags: RwSignal::new(String::new()),
            requirements: RwSignal::new(Vec::new()),
            entitlement_id: RwSignal::new(None),
            do_not_decrement: RwSignal::new(false),
            service_order: RwSignal::new(String::new()),
        }
    }

    pub fn from_detail(ticket: &TicketDetail) -> Self {
        let state = Self::blank(Some(ticket.team.id));
        state.title.set(ticket.title.clone());
        state.description.set(ticket.description.clone());
        state.priority.set(ticket.priority);
        state.origin.set(ticket.origin);
        state.contact_id.set(ticket.customer.contact_id);
        state.account_id.set(ticket.customer.account_id);
        state.customer_label.set(ticket.customer.display());
        state.subject_id.set(ticket.subject_id);
        state.product_id.set(ticket.product_id);
        state.reason_id.set(ticket.reason_id);
        state.region_id.set(ticket.region_id);
        state.service_type_id.set(ticket.service_type_id);
        state.unit_id.set(ticket.unit_id);
        state.assignee_id.set(ticket.assignee.as_ref().map(|a| a.id));
        state.tags.set(ticket.tags.join(", "));
        state.requirements.set(ticket.requirements.clone());
        state.entitlement_id.set(ticket.entitlement.as_ref().map(|e| e.id));
        state.do_not_decrement.set(ticket.do_not_decrement);
        state.service_order.set(ticket.service_order.clone());
        state
    }

    pub fn to_input(&self) -> Result<TicketInput, AppError> {
        let team_id = self.team_id.get_untracked().ok_or_else(|| AppError::Invalid("Choose a team.".into()))?;
        let creating = self.creating_customer.get_untracked();
        Ok(TicketInput {
            title: self.title.get_untracked(),
            description: self.description.get_untracked(),
            team_id,
            priority: self.priority.get_untracked(),
            origin: self.origin.get_untracked(),
            contact_id: if creating { None } else { self.contact_id.get_untracked() },
            account_id: if creating { None } else { self.account_id.get_untracked() },
            new_customer: creating.then(|| self.new_customer.get_untracked()),
            subject_id: self.subject_id.get_untracked(),
            product_id: self.product_id.get_untracked(),
            reason_id: self.reason_id.get_untracked(),
            region_id: self.region_id.get_untracked(),
            service_type_id: self.service_type_id.get_untracked(),
            unit_id: self.unit_id.get_untracked(),
            assignee_id: self.assignee_id.get_untracked(),
            tags: self.tags.get_untracked().split(',').map(str::to_string).collect(),
            requirements: self.requirements.get_untracked(),
            entitlement_id: if creating { None } else { self.entitlement_id.get_untracked() },
            do_not_decrement: self.do_not_decrement.get_untracked(),
            service_order: self.service_order.get_untracked(),
        })
    }
}

fn parse_id(text: &str) -> Option<i64> {
    text.parse().ok()
}

fn id_options(choices: Vec<Named>, value: RwSignal<Option<i64>>) -> impl IntoView {
    choices
        .into_iter()
        .map(|choice| {
            let selected = value.get_untracked() == Some(choice.id);
            view! { <option value=choice.id selected=selected>{choice.name}</option> }
        })
        .collect_view()
}

/// A select over named records, with an empty choice; `suggested` ones are offered first.
#[component]
pub fn IdSelect(
    id: &'static str,
    label: &'static str,
    empty: &'static str,
    choices: Vec<Named>,
    value: RwSignal<Option<i64>>,
    #[prop(optional)] suggested: Option<(&'static str, Vec<Named>)>,
    /// The form field's name, for forms that are found by it.
    #[prop(optional)] name: Option<&'static str>,
) -> impl IntoView {
    let grouped = suggested.filter(|(_, names)| !names.is_empty());
    let all = match grouped {
        Some((heading, names)) => view! {
            <optgroup label=heading>{id_options(names, value)}</optgroup>
            <optgroup label="Everyone">{id_options(choices, value)}</optgroup>
        }
        .into_any(),
        None => id_options(choices, value).into_any(),
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=name on:change=move |ev| value.set(parse_id(&event_target_value(&ev)))>
                <option value="" selected={value.get_untracked().is_none()}>{empty}</option>
                {all}
            </select>
        </div>
    }
}

/// A select over one of the closed vocabularies.
#[component]
fn CodeSelect<T>(id: &'static str, label: &'static str, all: &'static [T], value: RwSignal<T>, code: fn(T) -> &'static str, name: fn(T) -> &'static str, parse: fn(&str) -> Option<T>) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| {
                if let Some(choice) = parse(&event_target_value(&ev)) {
                    value.set(choice);
                }
            }>
                {all
                    .iter()
                    .map(|choice| view! { <option value=code(*choice) selected={value.get_untracked() == *choice}>{name(*choice)}</option> })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
pub fn TicketFields(state: TicketFormState, options: TicketFormOptions) -> impl IntoView {
    let entitlements = StoredValue::new(options.entitlements);
    view! {
        <div class="field">
            <label for="title">"Title"</label>
            <input id="title" required maxlength="200" bind:value=state.title/>
        </div>
        <div class="field">
            <label for="description">"Description"</label>
            <textarea id="description" bind:value=state.description></textarea>
        </div>
        <div class="field-row">
            <IdSelect id="team" label="Team" empty="Choose a team…" choices=options.teams value=state.team_id/>
            <CodeSelect id="priority" label="Priority" all=Priority::ALL value=state.priority code=Priority::as_str name=Priority::label parse=Priority::parse/>
            <CodeSelect id="origin" label="Origin" all=Origin::ALL value=state.origin code=Origin::as_str name=Origin::label parse=Origin::parse/>
        </div>
        <CustomerPicker state entitlements=entitlements/>
        <EntitlementPicker state entitlements=entitlements/>
        <div class="field-row">
            <IdSelect id="subject" label="Subject" empty="—" choices=options.subjects value=state.subject_id/>
            <IdSelect id="product" label="Product" empty="—" choices=options.products value=state.product_id/>
            <IdSelect id="assignee" label="Assignee" empty="Unassigned" choices=options.agents value=state.assignee_id
                suggested=("Recently assigned by you", options.recent_agents)/>
        </div>
        <div class="field-row">
            <IdSelect id="reason" label="Reason" empty="—" choices=options.reasons value=state.reason_id/>
            <IdSelect id="region" label="Region" empty="—" choices=options.regions value=state.region_id/>
            <IdSelect id="service-type" label="Service type" empty="—" choices=options.service_types value=state.service_type_id/>
            <IdSelect id="unit" label="Unit (serial number)" empty="—" choices=options.units value=state.unit_id/>
        </div>
        <div class="field-row">
            <div class="field">
                <label for="tags">"Tags"</label>
                <input id="tags" placeholder="e.g. vpn, vip" bind:value=state.tags/>
                <div class="hint">"Separate tags with commas."</div>
            </div>
            <div class="field">
                <label for="service-order">"Service order"</label>
                <input id="service-order" name="service_order" placeholder="e.g. SO-2041" maxlength="60" bind:value=state.service_order/>
                <div class="hint">"For billable work: the service order this ticket belongs to."</div>
            </div>
        </div>
        <RequirementsEditor requirements=state.requirements qualifications=options.qualifications/>
    }
}

/// The qualifications an agent needs for this ticket, each with its minimum rating.
#[component]
fn RequirementsEditor(requirements: RwSignal<Vec<Requirement>>, qualifications: Vec<Qualification>) -> impl IntoView {
    let known = StoredValue::new(qualifications);
    let named = move |id: i64| known.with_value(|all| all.iter().find(|q| q.id == id).cloned());
    let set_minimum = move |id: i64, text: String| {
        if let Ok(min_rating) = text.trim().parse::<i64>() {
            requirements.update(|list| list.iter_mut().filter(|r| r.qualification_id == id).for_each(|r| r.min_rating = min_rating));
        }
    };
    let add = move |ev: leptos::ev::Event| {
        let Ok(id) = event_target_value(&ev).parse::<i64>() else { return };
        requirements.update(|list| list.push(Requirement { qualification_id: id, min_rating: 1 }));
    };
    view! {
        <fieldset class="field requirements" style="border:0;padding:0;margin:0 0 16px">
            <legend>"Required qualifications"</legend>
            <ul class="requirement-list">
                <For each=move || requirements.get() key=|need| need.qualification_id let(need)>
                    {named(need.qualification_id).map(|q| {
                        let id = q.id;
                        let input_id = format!("requirement-{id}");
                        view! {
                            <li data-testid="requirement">
                                <label for=input_id.clone()>{q.name.clone()} " at least"</label>
                                <input id=input_id type="number" min="1" max=q.scale_max class="rating"
                                    value=need.min_rating on:change=move |ev| set_minimum(id, event_target_value(&ev))/>
                                <span class="muted">"of " {q.scale_max}</span>
                                <button type="button" class="small" aria-label=format!("Remove {}", q.name)
                                    on:click=move |_| requirements.update(|list| list.retain(|r| r.qualification_id != id))>"Remove"</button>
                            </li>
                        }
                    })}
                </For>
            </ul>
            {move || {
                let open: Vec<Qualification> = known.with_value(|all| {
                    all.iter().filter(|q| requirements.with(|list| list.iter().all(|r| r.qualification_id != q.id))).cloned().collect()
                });
                (!open.is_empty()).then(|| view! {
                    <select id="add-requirement" aria-label="Add a required qualification" on:change=add prop:value="">
                        <option value="" selected>"Add a required qualification…"</option>
                        {open.into_iter().map(|q| view! { <option value=q.id>{q.name}</option> }).collect_view()}
                    </select>
                })
            }}
            <div class="hint">"Only agents whose rating meets every minimum get this ticket from pick up next."</div>
        </fieldset>
    }
}

/// Find an existing contact or account, or enter a new customer inline.
#[component]
fn CustomerPicker(state: TicketFormState, entitlements: StoredValue<Vec<EntitlementChoice>>) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let hits = RwSignal::new(Vec::<CustomerHit>::new());
    let search = move |text: String| {
        query.set(text.clone());
        if text.trim().chars().count() < 2 {
            hits.set(Vec::new());
            return;
        }
        spawn_local(async move {
            if let Ok(found) = search_customers(text.clone()).await {
                // Answers can arrive out of order: keep only the one for the current text.
                if query.get_untracked() == text {
                    hits.set(found);
                }
            }
        });
    };
    let choose = move |hit: CustomerHit| {
        state.contact_id.set(hit.contact_id);
        state.account_id.set(hit.account_id);
        state.customer_label.set(Some(hit.label));
        // The customer's first usable entitlement is suggested; a new customer never keeps the old one.
        let suggested = entitlements.with_value(|all| all.iter().find(|e| e.fits(hit.account_id, hit.contact_id)).map(|e| e.id));
        state.entitlement_id.set(suggested);
        query.set(String::new());
        hits.set(Vec::new());
    };
    let clear = move |_| {
        state.contact_id.set(None);
        state.account_id.set(None);
        state.customer_label.set(None);
        state.entitlement_id.set(None);
    };
    let new_field = move |id: &'static str, label: &'static str, kind: &'static str, get: fn(&NewCustomer) -> String, set: fn(&mut NewCustomer, String)| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type=kind
                    prop:value=move || state.new_customer.with(get)
                    on:input=move |ev| state.new_customer.update(|c| set(c, event_target_value(&ev)))/>
            </div>
        }
    };
    view! {
        <fieldset class="field customer-picker" style="border:0;padding:0;margin:0 0 16px">
            <Show
                when=move || state.creating_customer.get()
                fallback=move || view! {
                    <label for="customer-search">"Customer"</label>
                    {move || state.customer_label.get().map(|label| view! {
                        <div class="chosen">
                            <span>{label}</span>
                            <button type="button" class="small" on:click=clear>"Remove"</button>
                        </div>
                    })}
                    <input id="customer-search" placeholder="Search contacts and accounts…" autocomplete="off"
                        prop:value=move || query.get()
                        on:input=move |ev| search(event_target_value(&ev))/>
                    <Show when=move || !hits.get().is_empty()>
                        <ul class="hits">
                            {move || hits.get().into_iter().map(|hit| {
                                let label = hit.label.clone();
                                view! { <li><button type="button" on:click=move |_| choose(hit.clone())>{label}</button></li> }
                            }).collect_view()}
                        </ul>
                    </Show>
                    <div class="hint">
                        <button type="button" class="small" on:click=move |_| state.creating_customer.set(true)>"New customer"</button>
                    </div>
                }
            >
                <div class="field-row">
                    {new_field("new-customer-name", "Customer name", "text", |c| c.name.clone(), |c, v| c.name = v)}
                    {new_field("new-customer-email", "Customer email", "email", |c| c.email.clone(), |c, v| c.email = v)}
                    {new_field("new-customer-account", "Account", "text", |c| c.account_name.clone(), |c, v| c.account_name = v)}
                </div>
                <button type="button" class="small" on:click=move |_| state.creating_customer.set(false)>"Search existing customers instead"</button>
            </Show>
        </fieldset>
    }
}

/// The customer's entitlement the ticket draws on, and whether it uses up a term.
#[component]
fn EntitlementPicker(state: TicketFormState, entitlements: StoredValue<Vec<EntitlementChoice>>) -> impl IntoView {
    let usable = move || {
        let (account, contact) = (state.account_id.get(), state.contact_id.get());
        entitlements.with_value(|all| all.iter().filter(|e| e.fits(account, contact) || Some(e.id) == state.entitlement_id.get_untracked()).cloned().collect::<Vec<_>>())
    };
    view! {
        <div class="field-row">
            <div class="field">
                // Not "Entitlement": that label contains "title" and would match searches for the Title field.
                <label for="entitlement">"Support contract"</label>
                <select id="entitlement" on:change=move |ev| state.entitlement_id.set(parse_id(&event_target_value(&ev)))>
                    {move || {
                        let choices = usable();
                        let chosen = state.entitlement_id.get();
                        let empty = if choices.is_empty() { "None available for this customer" } else { "None" };
                        view! {
                            <option value="" selected=chosen.is_none()>{empty}</option>
                            {choices.into_iter().map(|e| view! { <option value=e.id selected=chosen == Some(e.id)>{e.label}</option> }).collect_view()}
                        }
                    }}
                </select>
                <div class="hint">"The customer's entitlement: its SLA policy applies. Changing the customer clears it."</div>
            </div>
            <div class="field">
                <span class="field-gap" aria-hidden="true"></span>
                <label class="check"><input type="checkbox" id="do-not-decrement" bind:checked=state.do_not_decrement/> "Do not decrement"</label>
                <div class="hint">"The ticket does not use up a term of the entitlement."</div>
            </div>
        </div>
    }
}
