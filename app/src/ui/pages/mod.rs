mod audit;
mod automation;
mod board;
mod catalogs;
mod customers;
mod entitlements;
mod home;
mod invite;
mod leads;
mod kb;
mod login;
mod merge;
mod notifications;
mod portal;
mod profile;
mod qualifications;
mod queues;
mod routing;
mod settings;
mod setup;
mod sla;
mod teams_admin;
mod ticket;
mod time_off;
mod timesheets;
mod users;

pub use audit::AuditPage;
pub use automation::AutomationPage;
pub use board::BoardPage;
pub use catalogs::CatalogsPage;
pub use customers::{AccountPage, ContactPage, CustomersPage};
pub use entitlements::EntitlementsPage;
pub use home::HomePage;
pub use invite::InvitePage;
pub use leads::LeadsPage;
pub use kb::{KbArticlePage, KbEditPage, KbListPage, KbNewPage};
pub use login::LoginPage;
pub use merge::MergePage;
pub use notifications::NotificationsPage;
pub use portal::{MyTicketsPage, PortalTicketPage};
pub use profile::ProfilePage;
pub use qualifications::QualificationsPage;
pub use queues::{QueuePage, QueuesPage};
pub use routing::RoutingPage;
pub use settings::TeamSettingsPage;
pub use setup::SetupPage;
pub use sla::SlaPage;
pub use teams_admin::TeamsAdminPage;
pub use ticket::{NewTicketPage, TicketPage};
pub use time_off::TimeOffPage;
pub use timesheets::TimesheetsPage;
pub use users::{UserPage, UsersPage};

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main>
            <h1>"Page not found"</h1>
            <p><a href="/">"Back to your teams"</a></p>
        </main>
    }
}
