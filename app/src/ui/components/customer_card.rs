//! The customer card on a ticket (D365): who the customer is, what they are entitled to, their
//! units, and their other recent and open tickets, so that repeat problems show at once.

use leptos::prelude::*;

use crate::api::customers::load_customer_card;
use crate::model::*;
use crate::ui::components::status_class;

#[component]
pub fn CustomerCardPanel(reference: String) -> impl IntoView {
    let card = Resource::new(move || reference.clone(), load_customer_card);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                // A card that cannot be loaded leaves the ticket page as it is.
                card.await.ok().flatten().map(|card| view! { <CardView card/> })
            })}
        </Transition>
    }
}

#[component]
fn CardView(card: CustomerCard) -> impl IntoView {
    let today = chrono::Utc::now().date_naive();
    let open = card.tickets.iter().filter(|t| t.is_open()).count();
    view! {
        <section class="panel customer-card" aria-labelledby="customer-card-title" data-testid="customer-card">
            <h2 id="customer-card-title">"Customer"</h2>
            {card.contact.map(|c| view! {
                <p data-testid="customer-contact">
                    <a href=format!("/customers/contacts/{}", c.id)><strong>{c.name}</strong></a>
                    {(!c.job_title.is_empty()).then(|| view! { " · " {c.job_title.clone()} })}
                    <br/>
                    {(!c.email.is_empty()).then(|| view! { <a href=format!("mailto:{}", c.email) data-testid="customer-email">{c.email.clone()}</a> " " })}
                    {(!c.phone.is_empty()).then(|| view! { <span data-testid="customer-phone">{c.phone.clone()}</span> " " })}
                    {(!c.mobile.is_empty()).then(|| view! { <span class="muted">"mobile " {c.mobile.clone()}</span> })}
                </p>
            })}
            {card.account.map(|a| view! {
                <p data-testid="customer-account">
                    <a href=format!("/customers/accounts/{}", a.id)>{a.name}</a>
                    {(!a.phone.is_empty()).then(|| view! { " · " {a.phone.clone()} })}
                    {(!a.email.is_empty()).then(|| view! { " · " {a.email.clone()} })}
                </p>
            })}
            <h3>"Active entitlements"</h3>
            <EntitlementList entitlements=card.entitlements/>
            <h3>"Units"</h3>
            <UnitList units=card.units today/>
            <h3>"Other tickets" {(open > 0).then(|| view! { " " <span class="badge">{open} " open"</span> })}</h3>
            {if card.tickets.is_empty() {
                view! { <p class="muted" data-testid="recent-tickets">"No other tickets."</p> }.into_any()
            } else {
                view! {
                    <ul class="action-list" data-testid="recent-tickets">
                        {card.tickets.into_iter().map(|t| {
                            let is_open = t.is_open();
                            view! {
                                <li data-open=is_open.to_string()>
                                    <a href=format!("/tickets/{}", t.reference) data-ticket-ref=t.reference.clone()>
                                        <span class="card-ref">{t.reference.clone()}</span> " " {t.title.clone()}
                                    </a>
                                    " " <span class=status_class(t.status)>{if is_open { "Open" } else { t.status.label() }}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn UnitList(units: Vec<UnitSummary>, today: chrono::NaiveDate) -> impl IntoView {
    if units.is_empty() {
        return view! { <p class="muted">"No units."</p> }.into_any();
    }
    view! {
        <ul class="action-list" data-testid="customer-units">
            {units.into_iter().map(|u| {
                let warranty = match u.warranty_until {
                    Some(until) if until >= today => format!("warranty until {}", until.format("%d %b %Y")),
                    Some(until) => format!("warranty ended {}", until.format("%d %b %Y")),
                    None => "no warranty".to_string(),
                };
                view! { <li data-serial=u.serial.clone()><strong>{u.serial.clone()}</strong> " · " {u.item.clone()} " — " {warranty}</li> }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn EntitlementList(entitlements: Vec<EntitlementChoice>) -> impl IntoView {
    if entitlements.is_empty() {
        return view! { <p class="muted">"No active entitlements."</p> }.into_any();
    }
    view! {
        <ul class="action-list" data-testid="customer-entitlements">
            {entitlements.into_iter().map(|e| view! { <li data-name=e.name.clone()>{e.label.clone()}</li> }).collect_view()}
        </ul>
    }
    .into_any()
}

