//! Components and pages.

mod components;
mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use components::{Layout, ToastList, Toasts};
use pages::{InvitePage, KbArticlePage, KbEditPage, KbListPage, KbNewPage, LeadsPage, ProfilePage, UserPage, UsersPage};
use pages::{AccountPage, AuditPage, AutomationPage, BoardPage, CatalogsPage, ContactPage, CustomersPage, EntitlementsPage, SlaPage, HomePage, LoginPage, MergePage, MyTicketsPage, NewTicketPage, NotFound, NotificationsPage, PortalTicketPage, QualificationsPage, QueuePage, QueuesPage, RoutingPage, SetupPage, TeamSettingsPage, TeamsAdminPage, TicketPage, TimeOffPage, TimesheetsPage};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(Toasts::new());
    // Tests (and people) can tell when clicks reach the app.
    Effect::new(|| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/helpdesk.css"/>
        <Title text="Helpdesk"/>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/invite/:token") view=InvitePage/>
                <ParentRoute path=path!("") view=Layout>
                    <Route path=path!("") view=HomePage/>
                    <Route path=path!("teams/:id/board") view=BoardPage/>
                    <Route path=path!("teams/:id/settings") view=TeamSettingsPage/>
                    <Route path=path!("tickets/new") view=NewTicketPage/>
                    <Route path=path!("tickets/merge") view=MergePage/>
                    <Route path=path!("time-off") view=TimeOffPage/>
                    <Route path=path!("timesheets") view=TimesheetsPage/>
                    <Route path=path!("leads") view=LeadsPage/>
                    <Route path=path!("setup") view=SetupPage/>
                    <Route path=path!("admin/teams") view=TeamsAdminPage/>
                    <Route path=path!("admin/audit") view=AuditPage/>
                    <Route path=path!("admin/qualifications") view=QualificationsPage/>
                    <Route path=path!("admin/routing") view=RoutingPage/>
                    <Route path=path!("admin/automation") view=AutomationPage/>
                    <Route path=path!("admin/sla") view=SlaPage/>
                    <Route path=path!("admin/entitlements") view=EntitlementsPage/>
                    <Route path=path!("admin/catalogs") view=CatalogsPage/>
                    <Route path=path!("admin/users") view=UsersPage/>
                    <Route path=path!("admin/users/:id") view=UserPage/>
                    <Route path=path!("profile") view=ProfilePage/>
                    <Route path=path!("notifications") view=NotificationsPage/>
                    <Route path=path!("customers") view=CustomersPage/>
                    <Route path=path!("customers/accounts/:id") view=AccountPage/>
                    <Route path=path!("customers/contacts/:id") view=ContactPage/>
                    <Route path=path!("queues") view=QueuesPage/>
                    <Route path=path!("queues/:id") view=QueuePage/>
                    <Route path=path!("tickets/:reference") view=TicketPage/>
                    <Route path=path!("kb") view=KbListPage/>
                    <Route path=path!("kb/new") view=KbNewPage/>
                    <Route path=path!("kb/:id") view=KbArticlePage/>
                    <Route path=path!("kb/:id/edit") view=KbEditPage/>
                    <Route path=path!("my/tickets") view=MyTicketsPage/>
                    <Route path=path!("my/tickets/:reference") view=PortalTicketPage/>
                </ParentRoute>
            </Routes>
        </Router>
        <ToastList/>
    }
}
