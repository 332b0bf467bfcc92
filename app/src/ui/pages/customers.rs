//! Customers (`/customers`): accounts and contacts, listed and searched, created, edited, and
//! duplicate contacts merged.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use crate::api::customers::{account_choices, get_account, get_contact, list_accounts, list_contacts, merge_contacts, save_account, save_contact};
use crate::error::AppError;
use crate::model::*;
use crate::ui::components::{status_class, use_toasts, EntitlementList, ErrorAlert, IdSelect, UnitList};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Accounts,
    Contacts,
}

/// One page of whichever list the tab shows.
#[derive(Clone, Serialize, Deserialize)]
enum Listing {
    Accounts(CustomerPage<AccountRow>),
    Contacts(CustomerPage<ContactRow>),
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let tab = RwSignal::new(Tab::Accounts);
    let query = RwSignal::new(String::new());
    let offset = RwSignal::new(0_i64);
    let creating = RwSignal::new(false);
    let listing = Resource::new(
        move || (tab.get() == Tab::Accounts, query.get(), offset.get()),
        |(accounts, query, offset)| async move {
            if accounts {
                list_accounts(query, offset).await.map(Listing::Accounts)
            } else {
                list_contacts(query, offset).await.map(Listing::Contacts)
            }
        },
    );
    let switch = move |to: Tab| {
        tab.set(to);
        offset.set(0);
        creating.set(false);
    };
    let saved = Callback::new(move |_: ()| {
        creating.set(false);
        listing.refetch();
    });
    let tab_button = move |to: Tab, label: &'static str, testid: &'static str| {
        view! {
            <button type="button" role="tab" class:primary=move || tab.get() == to aria-selected=move || (tab.get() == to).to_string()
                data-testid=testid on:click=move |_| switch(to)>{label}</button>
        }
    };
    view! {
        <main>
            <div class="page-head">
                <h1>"Customers"</h1>
                <button class="primary" type="button" data-testid=move || if tab.get() == Tab::Accounts { "new-account" } else { "new-contact" }
                    on:click=move |_| creating.set(true)>
                    {move || if tab.get() == Tab::Accounts { "New account" } else { "New contact" }}
                </button>
            </div>
            <div class="form-actions" role="tablist" aria-label="Customers" style="justify-content:flex-start">
                {tab_button(Tab::Accounts, "Accounts", "tab-accounts")}
                {tab_button(Tab::Contacts, "Contacts", "tab-contacts")}
            </div>
            {move || creating.get().then(|| match tab.get() {
                Tab::Accounts => view! { <NewRecord accounts=true saved/> }.into_any(),
                Tab::Contacts => view! { <NewRecord accounts=false saved/> }.into_any(),
            })}
            <section class="panel">
                <div class="field">
                    <label for="customer-search">"Search"</label>
                    <input id="customer-search" name="q" type="search" maxlength="200" data-testid="customer-search"
                        placeholder="Name, email, phone or account"
                        prop:value=move || query.get()
                        on:input=move |ev| {
                            offset.set(0);
                            query.set(event_target_value(&ev));
                        }/>
                </div>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match listing.await {
                            Ok(Listing::Accounts(page)) => view! { <AccountTable page offset/> }.into_any(),
                            Ok(Listing::Contacts(page)) => view! { <ContactTable page offset/> }.into_any(),
                            Err(error) => view! { <ErrorAlert error/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </main>
    }
}

/// Previous / next page buttons under a list.
#[component]
fn Pager(offset: RwSignal<i64>, more: bool) -> impl IntoView {
    let at = offset.get_untracked();
    (at > 0 || more).then(|| {
        view! {
            <div class="form-actions">
                <button type="button" disabled=at == 0 on:click=move |_| offset.set((at - CUSTOMER_PAGE_ROWS).max(0))>"Previous"</button>
                <button type="button" disabled=!more on:click=move |_| offset.set(at + CUSTOMER_PAGE_ROWS)>"Next"</button>
            </div>
        }
    })
}

#[component]
fn AccountTable(page: CustomerPage<AccountRow>, offset: RwSignal<i64>) -> impl IntoView {
    if page.rows.is_empty() {
        return view! { <p class="muted">"No accounts found."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="grid" data-testid="accounts">
                <thead><tr><th>"Account"</th><th>"Phone"</th><th>"Email"</th><th>"Part of"</th><th>"Contacts"</th></tr></thead>
                <tbody>
                    {page.rows.into_iter().map(|a| view! {
                        <tr data-testid="account-row" data-name=a.name.clone() data-id=a.id>
                            <th><a href=format!("/customers/accounts/{}", a.id)>{a.name.clone()}</a></th>
                            <td>{a.phone}</td>
                            <td>{a.email}</td>
                            <td>{a.parent.map(|p| view! { <a href=format!("/customers/accounts/{}", p.id)>{p.name}</a> })}</td>
                            <td>{a.contacts}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager offset more=page.more/>
    }
    .into_any()
}

#[component]
fn ContactTable(page: CustomerPage<ContactRow>, offset: RwSignal<i64>) -> impl IntoView {
    if page.rows.is_empty() {
        return view! { <p class="muted">"No contacts found."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="grid" data-testid="contacts">
                <thead><tr><th>"Contact"</th><th>"Account"</th><th>"Email"</th><th>"Phone"</th><th>"Job title"</th><th>"Portal"</th></tr></thead>
                <tbody>
                    {page.rows.into_iter().map(|c| view! {
                        <tr data-testid="contact-row" data-name=c.name.clone() data-id=c.id>
                            <th><a href=format!("/customers/contacts/{}", c.id)>{c.name.clone()}</a></th>
                            <td>{c.account.map(|a| view! { <a href=format!("/customers/accounts/{}", a.id)>{a.name}</a> })}</td>
                            <td>{c.email}</td>
                            <td>{c.phone}</td>
                            <td>{c.job_title}</td>
                            <td>{if c.portal_access { "Yes" } else { "No" }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager offset more=page.more/>
    }
    .into_any()
}

/// A form for a new account or contact, once the accounts to choose from are loaded.
#[component]
fn NewRecord(accounts: bool, saved: Callback<()>) -> impl IntoView {
    let choices = Resource::new(|| (), |_| account_choices());
    let toasts = use_toasts();
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) if accounts => view! {
                        <AccountForm existing=None choices saved=Callback::new(move |a: AccountDetail| {
                            toasts.info(format!("Account \"{}\" created.", a.details.name));
                            saved.run(());
                        })/>
                    }.into_any(),
                    Ok(choices) => view! {
                        <ContactForm existing=None choices saved=Callback::new(move |c: ContactDetail| {
                            toasts.info(format!("Contact \"{}\" created.", c.details.name));
                            saved.run(());
                        })/>
                    }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A labelled text input bound to `value`, found by tests and forms by its `name`.
#[component]
fn TextField(id: &'static str, name: &'static str, label: &'static str, value: RwSignal<String>, #[prop(default = "text")] kind: &'static str, max: usize) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=name type=kind maxlength=max.to_string() bind:value=value/>
        </div>
    }
}

/// The error of a save: a stale version is told as a toast and the page reloaded by the caller.
fn save_error(error: AppError, shown: RwSignal<Option<String>>, busy: RwSignal<bool>) {
    shown.set(Some(error.to_string()));
    busy.set(false);
}

#[component]
fn AccountForm(existing: Option<AccountDetail>, choices: Vec<Named>, saved: Callback<AccountDetail>) -> impl IntoView {
    let target = existing.as_ref().map(|a| (a.id, a.version));
    let details = existing.map(|a| a.details).unwrap_or_default();
    let name = RwSignal::new(details.name);
    let address = RwSignal::new(details.address);
    let phone = RwSignal::new(details.phone);
    let email = RwSignal::new(details.email);
    let website = RwSignal::new(details.website);
    let notes = RwSignal::new(details.notes);
    let parent = RwSignal::new(details.parent_id);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = AccountInput {
            name: name.get_untracked(),
            address: address.get_untracked(),
            phone: phone.get_untracked(),
            email: email.get_untracked(),
            website: website.get_untracked(),
            notes: notes.get_untracked(),
            parent_id: parent.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            match save_account(target.map(|t| t.0), target.map(|t| t.1), input).await {
                Ok(account) => {
                    busy.set(false);
                    error.set(None);
                    saved.run(account);
                }
                Err(e) => save_error(e, error, busy),
            }
        });
    };
    let parents: Vec<Named> = choices.into_iter().filter(|c| Some(c.id) != target.map(|t| t.0)).collect();
    view! {
        <form class="panel" on:submit=submit data-testid="account-form" novalidate>
            <h2>{if target.is_some() { "Account details" } else { "New account" }}</h2>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field-row">
                <TextField id="account-name" name="name" label="Name" value=name max=120/>
                <TextField id="account-phone" name="phone" label="Phone" value=phone kind="tel" max=40/>
                <TextField id="account-email" name="email" label="Email" value=email kind="email" max=254/>
                <TextField id="account-website" name="website" label="Website" value=website max=200/>
            </div>
            <div class="field-row">
                <TextField id="account-address" name="address" label="Address" value=address max=500/>
                <IdSelect id="account-parent" name="parent" label="Part of (parent account)" empty="—" choices=parents value=parent/>
            </div>
            <div class="field">
                <label for="account-notes">"Notes"</label>
                <textarea id="account-notes" name="notes" maxlength="5000" rows="3" bind:value=notes></textarea>
            </div>
            <div class="form-actions">
                <button class="primary" type="submit" data-testid="save-account" disabled=move || busy.get()>"Save account"</button>
            </div>
        </form>
    }
}

#[component]
fn ContactForm(existing: Option<ContactDetail>, choices: Vec<Named>, saved: Callback<ContactDetail>) -> impl IntoView {
    let target = existing.as_ref().map(|c| (c.id, c.version));
    let details = existing.map(|c| c.details).unwrap_or_default();
    let name = RwSignal::new(details.name);
    let email = RwSignal::new(details.email);
    let phone = RwSignal::new(details.phone);
    let mobile = RwSignal::new(details.mobile);
    let job_title = RwSignal::new(details.job_title);
    let account = RwSignal::new(details.account_id);
    let portal_access = RwSignal::new(details.portal_access);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = ContactInput {
            name: name.get_untracked(),
            email: email.get_untracked(),
            phone: phone.get_untracked(),
            mobile: mobile.get_untracked(),
            job_title: job_title.get_untracked(),
            account_id: account.get_untracked(),
            portal_access: portal_access.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            match save_contact(target.map(|t| t.0), target.map(|t| t.1), input).await {
                Ok(contact) => {
                    busy.set(false);
                    error.set(None);
                    saved.run(contact);
                }
                Err(e) => save_error(e, error, busy),
            }
        });
    };
    view! {
        <form class="panel" on:submit=submit data-testid="contact-form" novalidate>
            <h2>{if target.is_some() { "Contact details" } else { "New contact" }}</h2>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field-row">
                <TextField id="contact-name" name="name" label="Name" value=name max=120/>
                <TextField id="contact-job-title" name="job_title" label="Job title" value=job_title max=120/>
                <IdSelect id="contact-account" name="account" label="Account" empty="No account" choices value=account/>
            </div>
            <div class="field-row">
                <TextField id="contact-email" name="email" label="Email" value=email kind="email" max=254/>
                <TextField id="contact-phone" name="phone" label="Phone" value=phone kind="tel" max=40/>
                <TextField id="contact-mobile" name="mobile" label="Mobile" value=mobile kind="tel" max=40/>
            </div>
            <label class="check" for="contact-portal">
                <input type="checkbox" id="contact-portal" name="portal_access" bind:checked=portal_access/>
                " May use the customer portal"
            </label>
            <div class="form-actions">
                <button class="primary" type="submit" data-testid="save-contact" disabled=move || busy.get()>"Save contact"</button>
            </div>
        </form>
    }
}

/// Tickets of a customer, newest first, open ones marked.
#[component]
pub fn TicketList(tickets: Vec<CustomerTicket>) -> impl IntoView {
    if tickets.is_empty() {
        return view! { <p class="muted">"No tickets."</p> }.into_any();
    }
    view! {
        <ul class="action-list" data-testid="customer-tickets">
            {tickets.into_iter().map(|t| view! {
                <li data-ticket-ref=t.reference.clone() data-open=t.is_open().to_string()>
                    <a href=format!("/tickets/{}", t.reference)><span class="card-ref">{t.reference.clone()}</span> " " {t.title.clone()}</a>
                    " " <span class=status_class(t.status)>{t.status.label()}</span>
                    " " <span class="muted">{t.created_at.format("%d %b %Y").to_string()}</span>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The id in the page's address, or an error that reads like a missing record.
fn id_param(what: &'static str) -> impl Fn() -> Result<i64, AppError> + Copy {
    let params = use_params_map();
    move || {
        let text = params.read().get("id").unwrap_or_default();
        text.parse().map_err(|_| AppError::NotFound(format!("{what} {text} does not exist.")))
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let id = id_param("Account");
    let account = Resource::new(id, |id| async move { get_account(id?).await });
    let choices = Resource::new(|| (), |_| account_choices());
    let toasts = use_toasts();
    let saved = Callback::new(move |a: AccountDetail| {
        toasts.info(format!("Account \"{}\" saved.", a.details.name));
        account.refetch();
    });
    view! {
        <main>
            <Transition fallback=|| view! { <p class="muted">"Loading account…"</p> }>
                {move || Suspend::new(async move {
                    match (account.await, choices.await) {
                        (Ok(account), Ok(choices)) => view! { <AccountView account choices saved/> }.into_any(),
                        (Err(error), _) | (_, Err(error)) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn AccountView(account: AccountDetail, choices: Vec<Named>, saved: Callback<AccountDetail>) -> impl IntoView {
    let today = chrono::Utc::now().date_naive();
    view! {
        <div class="page-head">
            <div>
                <span class="card-ref">"Account"</span>
                <h1 data-testid="account-name">{account.details.name.clone()}</h1>
                {account.parent.clone().map(|p| view! { <p class="muted">"Part of " <a href=format!("/customers/accounts/{}", p.id)>{p.name}</a></p> })}
            </div>
            <a class="button" href="/customers">"All customers"</a>
        </div>
        <AccountForm existing=Some(account.clone()) choices saved/>
        <section class="panel" aria-labelledby="account-contacts">
            <h2 id="account-contacts">"Contacts"</h2>
            {if account.contacts.is_empty() {
                view! { <p class="muted">"No contacts yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="action-list">
                        {account.contacts.iter().map(|c| view! {
                            <li data-testid="contact-row" data-name=c.name.clone()>
                                <a href=format!("/customers/contacts/{}", c.id)>{c.name.clone()}</a>
                                " " <span class="muted">{c.job_title.clone()} " " {c.email.clone()} " " {c.phone.clone()}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!account.children.is_empty()).then(|| view! {
                <h3>"Accounts that are part of it"</h3>
                <ul class="action-list">
                    {account.children.iter().map(|c| view! { <li><a href=format!("/customers/accounts/{}", c.id)>{c.name.clone()}</a></li> }).collect_view()}
                </ul>
            })}
        </section>
        <section class="panel" aria-labelledby="account-units">
            <h2 id="account-units">"Units"</h2>
            <UnitList units=account.units.clone() today/>
        </section>
        <section class="panel" aria-labelledby="account-entitlements">
            <h2 id="account-entitlements">"Active entitlements"</h2>
            <EntitlementList entitlements=account.entitlements.clone()/>
        </section>
        <section class="panel" aria-labelledby="account-tickets">
            <h2 id="account-tickets">"Tickets"</h2>
            <TicketList tickets=account.tickets.clone()/>
        </section>
    }
}

#[component]
pub fn ContactPage() -> impl IntoView {
    let id = id_param("Contact");
    let contact = Resource::new(id, |id| async move { get_contact(id?).await });
    let choices = Resource::new(|| (), |_| account_choices());
    let toasts = use_toasts();
    let saved = Callback::new(move |c: ContactDetail| {
        toasts.info(format!("Contact \"{}\" saved.", c.details.name));
        contact.refetch();
    });
    view! {
        <main>
            <Transition fallback=|| view! { <p class="muted">"Loading contact…"</p> }>
                {move || Suspend::new(async move {
                    match (contact.await, choices.await) {
                        (Ok(contact), Ok(choices)) => view! { <ContactView contact choices saved/> }.into_any(),
                        (Err(error), _) | (_, Err(error)) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn ContactView(contact: ContactDetail, choices: Vec<Named>, saved: Callback<ContactDetail>) -> impl IntoView {
    view! {
        <div class="page-head">
            <div>
                <span class="card-ref">"Contact"</span>
                <h1 data-testid="contact-name">{contact.details.name.clone()}</h1>
                {contact.account.clone().map(|a| view! { <p class="muted">"At " <a href=format!("/customers/accounts/{}", a.id)>{a.name}</a></p> })}
            </div>
            <a class="button" href="/customers">"All customers"</a>
        </div>
        <ContactForm existing=Some(contact.clone()) choices saved/>
        {(!contact.portal_users.is_empty()).then(|| view! {
            <p class="muted">"Signs in to the portal as: " {contact.portal_users.join(", ")}</p>
        })}
        <section class="panel" aria-labelledby="contact-tickets">
            <h2 id="contact-tickets">"Tickets"</h2>
            <TicketList tickets=contact.tickets.clone()/>
        </section>
        {contact.can_merge.then(|| view! { <MergePanel contact=contact.clone() merged=saved/> })}
    }
}

/// "Merge a duplicate into this contact": find the duplicate, then confirm.
#[component]
fn MergePanel(contact: ContactDetail, merged: Callback<ContactDetail>) -> impl IntoView {
    let (keep_id, keep_version) = (contact.id, contact.version);
    let query = RwSignal::new(String::new());
    let chosen = RwSignal::new(None::<ContactRow>);
    let error = RwSignal::new(None::<String>);
    let candidates = Resource::new(
        move || query.get(),
        |query| async move {
            if query.trim().is_empty() {
                return Ok(Vec::new());
            }
            list_contacts(query, 0).await.map(|page| page.rows)
        },
    );
    let merge = move |_| {
        let Some(duplicate) = chosen.get_untracked() else { return };
        spawn_local(async move {
            match merge_contacts(keep_id, keep_version, duplicate.id, duplicate.version).await {
                Ok(contact) => {
                    chosen.set(None);
                    merged.run(contact);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="merge-title" data-testid="merge-panel">
            <h2 id="merge-title">"Merge a duplicate into this contact"</h2>
            <p class="muted">"The duplicate's tickets, entitlements and portal sign-ins move here; details this contact lacks are taken over; then the duplicate is deleted."</p>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field">
                <label for="merge-search">"Find the duplicate"</label>
                <input id="merge-search" name="duplicate_query" type="search" maxlength="200" data-testid="merge-search"
                    prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match candidates.await {
                        Ok(rows) => view! {
                            <ul class="action-list">
                                {rows.into_iter().filter(|c| c.id != keep_id).map(|c| {
                                    let label = format!("{}{}{}", c.name, c.account.as_ref().map(|a| format!(" · {}", a.name)).unwrap_or_default(),
                                        if c.email.is_empty() { String::new() } else { format!(" <{}>", c.email) });
                                    let pick = c.clone();
                                    view! {
                                        <li><button type="button" class="small" data-testid="merge-candidate" data-name=c.name.clone()
                                            on:click=move |_| chosen.set(Some(pick.clone()))>{label}</button></li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
            {move || chosen.get().map(|duplicate| view! {
                <div class="form-actions">
                    <button type="button" on:click=move |_| chosen.set(None)>"Cancel"</button>
                    <button type="button" class="primary" data-testid="merge-confirm" on:click=merge>
                        {format!("Merge \"{}\" into \"{}\"", duplicate.name, contact.details.name)}
                    </button>
                </div>
            })}
        </section>
    }
}
