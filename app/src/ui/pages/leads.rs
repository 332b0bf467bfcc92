//! *Leads*: tickets that sales took over, newest first, with their customer, sales team,
//! salesperson and the ticket they came from (internal users only).

use leptos::prelude::*;

use crate::api::leads::list_leads;
use crate::domain::age;
use crate::model::LeadRow;
use crate::ui::components::ErrorAlert;

#[component]
pub fn LeadsPage() -> impl IntoView {
    let leads = Resource::new(|| (), |_| list_leads());
    view! {
        <main>
            <div class="page-head">
                <div>
                    <h1>"Leads"</h1>
                    <span class="muted">"Tickets converted for sales. Convert a ticket with \"Convert to lead…\" on its page."</span>
                </div>
            </div>
            <Suspense fallback=|| view! { <p class="muted">"Loading leads…"</p> }>
                {move || Suspend::new(async move {
                    match leads.await {
                        Ok(rows) if rows.is_empty() => view! {
                            <div class="panel"><p class="muted">"No leads yet."</p></div>
                        }.into_any(),
                        Ok(rows) => view! { <LeadTable rows/> }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn LeadTable(rows: Vec<LeadRow>) -> impl IntoView {
    let now = chrono::Utc::now();
    view! {
        <div class="panel table-scroll">
            <table class="grid">
                <thead>
                    <tr>
                        <th scope="col">"Lead"</th>
                        <th scope="col">"Customer"</th>
                        <th scope="col">"Sales team"</th>
                        <th scope="col">"Salesperson"</th>
                        <th scope="col">"From ticket"</th>
                        <th scope="col">"Created"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|lead| view! {
                        <tr data-testid="lead-row" id=format!("lead-{}", lead.id)>
                            <th scope="row">{lead.title}</th>
                            <td>{lead.customer.unwrap_or_else(|| "—".into())}</td>
                            <td>{lead.sales_team}</td>
                            <td>{lead.salesperson.map(|s| s.name).unwrap_or_else(|| "Nobody yet".into())}</td>
                            <td>{lead.ticket.map(|t| view! {
                                <a href=format!("/tickets/{}", t.reference) data-testid="lead-ticket">{t.reference.clone()} " · " {t.title}</a>
                            })}</td>
                            <td title=lead.created_at.to_rfc3339()>{age::compact(lead.created_at, now)} " ago"</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
