//! Catalogs (admins): the values tickets are classified with. `?kind=` picks the catalog, so a
//! link (or a test) goes straight to one. Values in use are deactivated rather than deleted.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use super::sla::PriorityCodes;
use crate::api::catalogs::{delete_catalog_value, load_catalog, save_catalog_value, set_catalog_value_active};
use crate::api::sla::load_sla_setup;
use crate::error::AppError;
use crate::model::*;
use crate::ui::components::{use_toasts, ErrorAlert};

/// The tab of the priority codes, which live with the SLA settings.
const PRIORITY_CODES: &str = "priority_codes";

#[component]
pub fn CatalogsPage() -> impl IntoView {
    let query = use_query_map();
    let kind = Memo::new(move |_| query.with(|q| q.get("kind")).unwrap_or_else(|| Catalog::Subjects.as_str().to_string()));
    let tab = move |code: &'static str, label: &'static str| {
        view! {
            <a href=format!("/admin/catalogs?kind={code}") aria-current=move || (kind.get() == code).then_some("page")>{label}</a>
        }
    };
    view! {
        <main>
            <div class="page-head"><h1>"Catalogs"</h1></div>
            <div class="catalogs">
                <nav class="catalog-tabs" aria-label="Catalogs">
                    {Catalog::ALL.iter().map(|c| tab(c.as_str(), c.label())).collect_view()}
                    {tab(PRIORITY_CODES, "Priority codes")}
                </nav>
                <div class="catalog-body">
                    {move || {
                        let code = kind.get();
                        match Catalog::parse(&code) {
                            Some(catalog) => view! { <CatalogPanel catalog/> }.into_any(),
                            None if code == PRIORITY_CODES => view! { <PriorityCodesPanel/> }.into_any(),
                            None => view! { <ErrorAlert error=AppError::NotFound(format!("There is no catalog \"{code}\"."))/> }.into_any(),
                        }
                    }}
                </div>
            </div>
        </main>
    }
}

#[component]
fn PriorityCodesPanel() -> impl IntoView {
    let setup = Resource::new(|| (), |_| load_sla_setup());
    let reload = Callback::new(move |_: ()| setup.refetch());
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Ok(setup) => view! {
                        <p class="muted">"The four priorities are fixed; each has a code and its escalation ladder. SLA policies are set per team under SLA."</p>
                        <PriorityCodes setup reload/>
                    }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CatalogPanel(catalog: Catalog) -> impl IntoView {
    let listing = Resource::new(move || catalog, load_catalog);
    let reload = Callback::new(move |_: ()| listing.refetch());
    // The unit whose details the form edits; `None`: the form adds a value.
    let editing = RwSignal::new(None::<CatalogValue>);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(listing) => {
                        let listing = StoredValue::new(listing);
                        view! {
                            {move || view! { <ValueForm listing=listing.get_value() editing=editing.get() editing_signal=editing reload/> }}
                            <ValueTable listing=listing.get_value() editing reload/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// "Hardware", "  Printers": a tree value indented under its parent, for selects.
fn indented(value: &CatalogValue) -> String {
    format!("{}{}", "\u{a0}\u{a0}\u{a0}".repeat(value.depth), value.name)
}

fn parse_id(text: &str) -> Option<i64> {
    text.parse().ok()
}

/// Adds a value; for units it also edits one (`editing`), since a unit has more than a name.
#[component]
fn ValueForm(listing: CatalogListing, editing: Option<CatalogValue>, editing_signal: RwSignal<Option<CatalogValue>>, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let catalog = listing.catalog;
    let unit = editing.as_ref().and_then(|v| v.unit.clone()).unwrap_or_default();
    let name = RwSignal::new(editing.as_ref().map(|v| v.name.clone()).unwrap_or_default());
    let parent_id = RwSignal::new(None::<i64>);
    let item = RwSignal::new(unit.item);
    let unit_type_id = RwSignal::new(unit.unit_type_id);
    let account_id = RwSignal::new(unit.account_id);
    let warranty = RwSignal::new(unit.warranty_until.map(|d| d.to_string()).unwrap_or_default());
    let contract = RwSignal::new(unit.contract);
    let error = RwSignal::new(None::<String>);
    let target = editing.as_ref().map(|v| (v.id, v.version));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let unit = match catalog {
            Catalog::Units => {
                let warranty_until = match warranty.get_untracked().trim() {
                    "" => None,
                    text => match text.parse() {
                        Ok(date) => Some(date),
                        Err(_) => return error.set(Some("Give the warranty end as a date.".into())),
                    },
                };
                Some(UnitDetails {
                    item: item.get_untracked(),
                    unit_type_id: unit_type_id.get_untracked(),
                    account_id: account_id.get_untracked(),
                    warranty_until,
                    contract: contract.get_untracked(),
                })
            }
            _ => None,
        };
        let value = CatalogValueInput { name: name.get_untracked(), parent_id: parent_id.get_untracked(), unit };
        spawn_local(async move {
            match save_catalog_value(catalog, target.map(|t| t.0), target.map(|t| t.1), value).await {
                Ok(saved) => {
                    toasts.info(format!("{} saved.", saved.name));
                    editing_signal.set(None);
                    reload.run(());
                }
                Err(e @ AppError::Conflict(_)) => {
                    toasts.error(e.to_string());
                    editing_signal.set(None);
                    reload.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let title = match &editing {
        Some(value) => format!("Edit unit {}", value.name),
        None => format!("Add to {}", catalog.label().to_lowercase()),
    };
    let name_label = if catalog == Catalog::Units { "Serial number" } else { "Name" };
    let parents = listing.values.clone();
    let unit_fields = (catalog == Catalog::Units).then(|| {
        let (unit_types, accounts) = (listing.unit_types.clone(), listing.accounts.clone());
        let (chosen_type, chosen_account) = (unit_type_id.get_untracked(), account_id.get_untracked());
        view! {
            <div class="field">
                <label for="catalog-item">"Item"</label>
                <input id="catalog-item" name="item" maxlength="200" placeholder="e.g. Router X200" bind:value=item/>
            </div>
            <div class="field">
                <label for="catalog-unit-type">"Unit type"</label>
                <select id="catalog-unit-type" name="unit_type_id" on:change=move |ev| unit_type_id.set(parse_id(&event_target_value(&ev)))>
                    <option value="" selected=chosen_type.is_none()>"—"</option>
                    {unit_types.into_iter().map(|t| view! { <option value=t.id selected=chosen_type == Some(t.id)>{t.name}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="catalog-account">"Customer"</label>
                <select id="catalog-account" name="account_id" on:change=move |ev| account_id.set(parse_id(&event_target_value(&ev)))>
                    <option value="" selected=chosen_account.is_none()>"—"</option>
                    {accounts.into_iter().map(|a| view! { <option value=a.id selected=chosen_account == Some(a.id)>{a.name}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="catalog-warranty">"Warranty ends"</label>
                <input id="catalog-warranty" name="warranty_until" type="date" bind:value=warranty/>
            </div>
            <div class="field">
                <label for="catalog-contract">"Service contract"</label>
                <input id="catalog-contract" name="contract" maxlength="200" placeholder="e.g. Gold support" bind:value=contract/>
            </div>
        }
    });
    let is_editing = editing.is_some();
    view! {
        <form class="panel" data-testid="catalog-add" on:submit=submit>
            <h2>{title}</h2>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field-row">
                <div class="field">
                    <label for="catalog-name">{name_label}</label>
                    <input id="catalog-name" name="name" required maxlength="200" bind:value=name/>
                </div>
                {(catalog.is_tree()).then(|| view! {
                    <div class="field">
                        <label for="catalog-parent">"Under"</label>
                        <select id="catalog-parent" name="parent_id" on:change=move |ev| parent_id.set(parse_id(&event_target_value(&ev)))>
                            <option value="" selected>"— Top level —"</option>
                            {parents.iter().map(|p| view! { <option value=p.id>{indented(p)}</option> }).collect_view()}
                        </select>
                    </div>
                })}
                {unit_fields}
            </div>
            <div class="form-actions">
                {is_editing.then(|| view! { <button type="button" on:click=move |_| editing_signal.set(None)>"Cancel"</button> })}
                <button class="primary" type="submit">{if is_editing { "Save unit" } else { "Add" }}</button>
            </div>
        </form>
    }
}

/// The value and everything below it (a tree value cannot move there).
fn subtree_ids(values: &[CatalogValue], id: i64) -> Vec<i64> {
    let Some(at) = values.iter().position(|v| v.id == id) else { return vec![id] };
    let depth = values[at].depth;
    std::iter::once(&values[at]).chain(values[at + 1..].iter().take_while(|v| v.depth > depth)).map(|v| v.id).collect()
}

fn uses_text(catalog: Catalog, uses: i64) -> String {
    let (one, many) = match catalog {
        Catalog::UnitTypes => ("unit", "units"),
        Catalog::EventTypes => ("logged event", "logged events"),
        _ => ("ticket", "tickets"),
    };
    match uses {
        0 => "Not used".into(),
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

fn unit_text(value: &CatalogValue, listing: &CatalogListing) -> String {
    let Some(unit) = &value.unit else { return String::new() };
    let name_of = |list: &[Named], id: Option<i64>| id.and_then(|id| list.iter().find(|n| n.id == id)).map(|n| n.name.clone());
    let mut parts = vec![unit.item.clone()];
    parts.extend(name_of(&listing.unit_types, unit.unit_type_id));
    parts.extend(name_of(&listing.accounts, unit.account_id));
    parts.extend(unit.warranty_until.map(|d| format!("warranty until {d}")));
    if !unit.contract.is_empty() {
        parts.push(unit.contract.clone());
    }
    parts.join(" · ")
}

#[component]
fn ValueTable(listing: CatalogListing, editing: RwSignal<Option<CatalogValue>>, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let catalog = listing.catalog;
    if listing.values.is_empty() {
        return view! { <p class="muted" data-testid="catalog-empty">"No values yet: add the first one above."</p> }.into_any();
    }
    // Every change answers with a toast and shows the latest values (a stale version included).
    let finish = move |result: Result<String, AppError>| {
        match result {
            Ok(done) => toasts.info(done),
            Err(e) => toasts.error(e.to_string()),
        }
        reload.run(());
    };
    let save = move |value: CatalogValue, name: String, parent_id: Option<i64>| {
        let input = CatalogValueInput { name, parent_id, unit: value.unit.clone() };
        spawn_local(async move {
            finish(save_catalog_value(catalog, Some(value.id), Some(value.version), input).await.map(|saved| format!("{} saved.", saved.name)));
        });
    };
    let rows = listing
        .values
        .iter()
        .map(|value| {
            let name = RwSignal::new(value.name.clone());
            let (rename_value, move_value, toggle_value, delete_value, edit_value) = (value.clone(), value.clone(), value.clone(), value.clone(), value.clone());
            let rename = move |ev: SubmitEvent| {
                ev.prevent_default();
                save(rename_value.clone(), name.get_untracked(), rename_value.parent_id);
            };
            let excluded = subtree_ids(&listing.values, value.id);
            let parent_choices: Vec<CatalogValue> = listing.values.iter().filter(|v| !excluded.contains(&v.id)).cloned().collect();
            let current_parent = value.parent_id;
            let move_under = move |ev: leptos::ev::Event| {
                save(move_value.clone(), move_value.name.clone(), parse_id(&event_target_value(&ev)));
            };
            let toggle = move |_| {
                let value = toggle_value.clone();
                let verb = if value.active { "deactivated" } else { "reactivated" };
                spawn_local(async move {
                    finish(set_catalog_value_active(catalog, value.id, value.version, !value.active).await.map(|saved| format!("{} {verb}.", saved.name)));
                });
            };
            let remove = move |_| {
                let value = delete_value.clone();
                spawn_local(async move {
                    finish(delete_catalog_value(catalog, value.id, value.version).await.map(|()| format!("{} deleted.", value.name)));
                });
            };
            let status = if !value.active {
                Some(view! { <span class="badge" data-testid="deactivated">"Deactivated"</span> }.into_any())
            } else if !value.offered {
                Some(view! { <span class="badge" title="A value above it is deactivated">"Hidden with its parent"</span> }.into_any())
            } else {
                None
            };
            let indent = format!("padding-left: calc(var(--space-3) + {}em)", value.depth as f32 * 1.5);
            view! {
                <tr data-testid="catalog-value" data-name=value.name.clone() class:deactivated=!value.offered>
                    <td style=indent>
                        <form class="inline" on:submit=rename>
                            <input class="compact" aria-label=format!("Name of {}", value.name) name="name" required maxlength="200" bind:value=name/>
                            <button class="small" type="submit">"Rename"</button>
                        </form>
                    </td>
                    {catalog.is_tree().then(|| view! {
                        <td>
                            <select aria-label=format!("Move {} under", value.name) data-testid="catalog-move" on:change=move_under>
                                <option value="" selected=current_parent.is_none()>"— Top level —"</option>
                                {parent_choices.iter().map(|p| view! { <option value=p.id selected=current_parent == Some(p.id)>{indented(p)}</option> }).collect_view()}
                            </select>
                        </td>
                    })}
                    {(catalog == Catalog::Units).then(|| view! {
                        <td>{unit_text(value, &listing)} " "
                            <button class="small" on:click=move |_| editing.set(Some(edit_value.clone()))>"Edit details"</button>
                        </td>
                    })}
                    <td class="muted">{uses_text(catalog, value.uses)}</td>
                    <td>{status}</td>
                    <td>
                        <button class="small" on:click=toggle>{if value.active { "Deactivate" } else { "Reactivate" }}</button>
                        " "
                        <button class="small" on:click=remove>"Delete"</button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel">
            <h2>{catalog.label()}</h2>
            <p class="hint muted">"A value in use cannot be deleted: deactivate it. It is then no longer offered, and stays on the tickets that carry it."</p>
            <div class="table-scroll">
                <table class="grid" data-testid="catalog-values">
                    <thead><tr>
                        <th scope="col">{if catalog == Catalog::Units { "Serial number" } else { "Name" }}</th>
                        {catalog.is_tree().then(|| view! { <th scope="col">"Under"</th> })}
                        {(catalog == Catalog::Units).then(|| view! { <th scope="col">"Unit"</th> })}
                        <th scope="col">"Used on"</th>
                        <th scope="col">"Status"</th>
                        <th></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
